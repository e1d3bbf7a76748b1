import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { loadFixture } from './fixture.js';
import { fitSteps, fixtureRecord, python } from './steps-helpers.js';

let engine: Engine;
let dir: string;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
  dir = mkdtempSync(join(tmpdir(), 'sluice-time-'));
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('datetime_features', () => {
  it('matches pandas .dt accessors (day_of_week 0 = Monday)', async () => {
    const csv = join(dir, 'times.csv');
    await engine.exec(`COPY (SELECT admitted_at, admit_date FROM fixture) TO '${csv}' (HEADER)`);
    // /usr/bin/python3: pandas .dt.year, .month, .day, .dayofweek, .dayofyear, .hour, .minute, .quarter
    const want = (await python(`
import json, pandas as pd
df = pd.read_csv(${JSON.stringify(csv)}, parse_dates=['admitted_at', 'admit_date'])
t = df['admitted_at'].dt
print(json.dumps([[int(v) for v in row] for row in zip(t.year, t.month, t.day, t.dayofweek, t.dayofyear, t.hour, t.minute, t.quarter, (t.dayofweek >= 5).astype(int), df['admit_date'].dt.dayofweek)]))`)) as number[][];
    const features = ['year', 'month', 'day', 'day_of_week', 'day_of_year', 'hour', 'minute', 'quarter', 'is_weekend'];
    const r = await fitSteps(engine, 'fixture', [
      { kind: 'datetime_features', column: 'admitted_at' },
      { kind: 'datetime_features', column: 'admit_date', features: ['day_of_week'] },
    ]);
    const got = r.rows.map((x) => [...features.map((f) => x[`admitted_at_${f}`]), x.admit_date_day_of_week]);
    expect(got).toEqual(want);
    const recs = r.applyRecords(await engine.query('SELECT * EXCLUDE (readmitted) FROM fixture'));
    expect(recs.map((x) => (x.ok ? [...features.map((f) => x.row[`admitted_at_${f}`]), x.row.admit_date_day_of_week] : x.error.message))).toEqual(want);
  });

  it('refuses hour on a date column and a text column', async () => {
    const a = await fitSteps(engine, 'fixture', [{ kind: 'datetime_features', column: 'admit_date', features: ['hour'] }]).catch((e: unknown) => e);
    expect(isSluiceError(a) && a.message).toMatch(/is a date, which has no hour/);
    const b = await fitSteps(engine, 'fixture', [{ kind: 'datetime_features', column: 'race' }]).catch((e: unknown) => e);
    expect(isSluiceError(b) && b.code).toBe('FLOW_TYPE');
  });
});

describe('split', () => {
  it('gives exact shares per stratum, is reproducible, and is missing at prediction time', async () => {
    const step = { kind: 'split', fractions: { train: 0.6, validation: 0.2, test: 0.2 }, seed: 3, stratify_by: 'readmitted' };
    const r = await fitSteps(engine, 'fixture', [step]);
    const again = await fitSteps(engine, 'fixture', [step]);
    expect(again.rows.map((x) => x.split)).toEqual(r.rows.map((x) => x.split));
    const classes = await engine.query<{ readmitted: string; n: number }>('SELECT readmitted, count(*) AS n FROM fixture GROUP BY 1');
    for (const { readmitted, n } of classes) {
      const rows = r.rows.filter((x) => x.readmitted === readmitted);
      const count = (s: string) => rows.filter((x) => x.split === s).length;
      expect(Math.abs(count('train') - 0.6 * n), readmitted).toBeLessThanOrEqual(1);
      expect(Math.abs(count('validation') - 0.2 * n), readmitted).toBeLessThanOrEqual(1);
      expect(count('train') + count('validation') + count('test')).toBe(n);
    }
    const other = await fitSteps(engine, 'fixture', [{ ...step, seed: 4 }]);
    expect(other.rows.map((x) => x.split)).not.toEqual(r.rows.map((x) => x.split));
    // prediction time: the record path and the serve-mode SQL both give null
    expect(r.applyRecords([await fixtureRecord(engine)])[0]).toMatchObject({ ok: true, row: { split: null } });
    expect((await r.applySql('fixture', 'serve')).every((x) => x.split === null)).toBe(true);
  });

  it('refuses fractions that do not add up to 1', async () => {
    await expect(fitSteps(engine, 'fixture', [{ kind: 'split', fractions: { train: 0.8, test: 0.1 } }])).rejects.toThrow(/add up to 1/);
  });
});
