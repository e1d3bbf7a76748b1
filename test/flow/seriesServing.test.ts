import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { fitSteps } from './steps-helpers.js';

/**
 * The time-series steps after fitting (test/flow/steps-series.test.ts checks their values against
 * pandas): applied to a later batch they compute what they computed at fit time; on the record
 * path, the steps that need a row's history refuse a record, naming the step, and the row steps
 * (resample, validate_timestamps) pass records through, as rows steps do at prediction time.
 */
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await engine.exec(`CREATE TABLE series AS SELECT * FROM (VALUES
    ('a', TIMESTAMP '2024-01-01 00:10:00', 1.0), ('b', TIMESTAMP '2024-01-01 00:20:00', 10.0),
    ('a', TIMESTAMP '2024-01-01 00:40:00', 3.0), ('a', TIMESTAMP '2024-01-01 03:05:00', 9.0),
    ('b', TIMESTAMP '2024-01-01 01:30:00', NULL), ('a', TIMESTAMP '2024-01-01 01:15:00', NULL),
    ('b', TIMESTAMP '2024-01-01 04:00:00', 40.0), ('a', TIMESTAMP '2024-01-01 05:00:00', 5.0)
  ) AS t(g, t, x)`);
});
afterAll(() => engine.close());

const RECORD = { g: 'a', t: '2024-01-01 00:10:00', x: 1 };
const round = (v: unknown): number | null => (v === null || v === undefined ? null : Number(Number(v).toFixed(9)));

describe('time-series steps: fit/apply and the record path', () => {
  it.each([
    ['rolling_features', { kind: 'rolling_features', column: 'x', timestamp: 't', group_by: ['g'], window: 2, stats: ['mean', 'max'] }, 'x_rolling_2_mean'],
    ['lag_features', { kind: 'lag_features', column: 'x', timestamp: 't', group_by: ['g'], lags: 1 }, 'x_lag_1'],
    ['fill_series linear', { kind: 'fill_series', columns: ['x'], timestamp: 't', group_by: ['g'], method: 'linear' }, 'x'],
    ['fill_series ffill', { kind: 'fill_series', columns: ['x'], timestamp: 't', group_by: ['g'], method: 'ffill' }, 'x'],
  ])('%s: a later batch gets the fit-time values; a record is refused, naming the step', async (_name, step, column) => {
    const r = await fitSteps(engine, 'series', [step]);
    expect(r.rows.some((x) => x[column] !== null)).toBe(true);
    expect((await r.applySql('series', 'train')).map((x) => round(x[column]))).toEqual(r.rows.map((x) => round(x[column])));
    const [rec] = r.applyRecords([RECORD]);
    expect(rec!.ok === false && isSluiceError(rec!.error) && rec!.error.code).toBe('FLOW_SERVE_REFUSED');
    expect(rec!.ok === false && rec!.error.message).toContain(String(step.kind));
  });

  it.each([
    ['resample', { kind: 'resample', timestamp: 't', every: '1 hour', group_by: ['g'] }],
    ['validate_timestamps', { kind: 'validate_timestamps', columns: ['t'], policy: 'drop' }],
  ])('%s works on training batches only: a record passes unchanged', async (_name, step) => {
    const r = await fitSteps(engine, 'series', [step]);
    expect(r.rows.length).toBeGreaterThan(0);
    const [rec] = r.applyRecords([RECORD]);
    expect(rec!.ok && rec!.row.x).toBe(1);
    expect(rec!.ok && rec!.row.g).toBe('a');
  });
});
