import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { loadFixture } from './fixture.js';
import { fitSteps, pythonBatch } from './steps-helpers.js';

/**
 * The time-series steps against pandas (/usr/bin/python3) on a small table: two series (g = a, b)
 * of hourly-ish readings with gaps, missing values, and rows not in time order.
 */
let engine: Engine;
let dir: string;
let csv: string;
beforeAll(async () => {
  engine = await Engine.open();
  dir = mkdtempSync(join(tmpdir(), 'sluice-series-'));
  csv = join(dir, 'series.csv');
  await engine.exec(`CREATE TABLE series AS SELECT * FROM (VALUES
    ('a', TIMESTAMP '2024-01-01 00:10:00', 1.0, 'x'),
    ('b', TIMESTAMP '2024-01-01 00:20:00', 10.0, 'y'),
    ('a', TIMESTAMP '2024-01-01 00:40:00', 3.0, 'x'),
    ('a', TIMESTAMP '2024-01-01 03:05:00', 9.0, 'z'),
    ('b', TIMESTAMP '2024-01-01 01:30:00', NULL, 'y'),
    ('a', TIMESTAMP '2024-01-01 01:15:00', NULL, 'z'),
    ('b', TIMESTAMP '2024-01-01 04:00:00', 40.0, 'w'),
    ('a', TIMESTAMP '2024-01-01 05:00:00', 5.0, 'x'),
    ('b', TIMESTAMP '2024-01-01 02:10:00', 22.0, 'y'),
    ('a', TIMESTAMP '2024-01-01 02:00:00', NULL, 'x'),
    ('b', TIMESTAMP '2024-01-01 00:50:00', 12.0, 'w'),
    ('a', TIMESTAMP '2024-01-01 06:30:00', NULL, 'x')
  ) AS t(g, t, x, s)`);
  await engine.exec(`COPY series TO '${csv}' (HEADER)`);
  await engine.exec(
    `CREATE TABLE stamps AS SELECT * FROM (VALUES ('2024-01-01 10:00:00', 1), ('not a time', 2), (NULL, 3), ('2024-02-30 00:00:00', 4), ('2024-03-01', 5)) AS t(ts, n)`,
  );
  await engine.exec(`COPY stamps TO '${join(dir, 'stamps.csv')}' (HEADER)`);
  // readmitted in the fixture: 400 rows, classes of unequal size
  await loadFixture(engine, 'fx');
  await engine.exec(`COPY (SELECT readmitted, age, race FROM fx) TO '${join(dir, 'fx.csv')}' (HEADER)`);
});

/** pandas' results of this file, all computed in one python3 process. */
const py = pythonBatch();
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const READ = (csvPath: string) => `import json, math, pandas as pd
df = pd.read_csv(${JSON.stringify(csvPath)}, parse_dates=['t'])
def out(values): print(json.dumps([None if (v is None or (isinstance(v, float) and math.isnan(v))) else round(float(v), 9) for v in values]))
`;
/** How many rows have each key. */
function countBy<T>(rows: readonly T[], key: (row: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[key(r)] = (counts[key(r)] ?? 0) + 1;
  return counts;
}

const round = (v: unknown): number | null => (v === null || v === undefined ? null : Number(Number(v).toFixed(9)));

describe('lag_features', () => {
  const pandasShift = py.add(
    () => `${READ(csv)}
s = df.sort_values('t', kind='stable').groupby('g')['x']
out(list(s.shift(1).reindex(df.index)) + list(s.shift(2).reindex(df.index)))`,
  );
  it('matches pandas groupby().shift(k) on rows sorted by time, rows in input order', async () => {
    const want = await pandasShift();
    const r = await fitSteps(engine, 'series', [{ kind: 'lag_features', column: 'x', timestamp: 't', group_by: ['g'], lags: 2 }]);
    expect([...r.rows.map((x) => round(x.x_lag_1)), ...r.rows.map((x) => round(x.x_lag_2))]).toEqual(want);
    expect(r.rows.map((x) => x.x)).toEqual((await engine.query('SELECT x FROM series')).map((x) => x.x));
    // Applied to another batch (the SQL path) it computes the same; a single record is refused.
    expect((await r.applySql('series', 'train')).map((x) => round(x.x_lag_1))).toEqual(r.rows.map((x) => round(x.x_lag_1)));
    const [rec] = r.applyRecords([{ g: 'a', t: '2024-01-01 00:10:00', x: 1, s: 'x' }]);
    expect(rec!.ok === false && isSluiceError(rec!.error) && rec!.error.code).toBe('FLOW_SERVE_REFUSED');
  });
});

describe('rolling_features', () => {
  const pandasRolling = py.add(
    () => `${READ(csv)}
s = df.sort_values('t', kind='stable').groupby('g')['x']
res = []
for stat in ['mean', 'std', 'min', 'max', 'sum']:
    r = getattr(s.rolling(3, min_periods=1), stat)().reset_index(level=0, drop=True)
    res += list(r.reindex(df.index))
out(res)`,
  );
  it('matches pandas rolling(window, min_periods=1) per series', async () => {
    const want = await pandasRolling();
    const stats = ['mean', 'std', 'min', 'max', 'sum'];
    const r = await fitSteps(engine, 'series', [{ kind: 'rolling_features', column: 'x', timestamp: 't', group_by: ['g'], window: 3, stats }]);
    expect(stats.flatMap((st) => r.rows.map((x) => round(x[`x_rolling_3_${st}`])))).toEqual(want);
  });

  it('refuses a text column', async () => {
    const e = await fitSteps(engine, 'series', [{ kind: 'rolling_features', column: 's', timestamp: 't', window: 2 }]).catch((x: unknown) => x);
    expect(isSluiceError(e) && e.message).toMatch(/needs a numeric column, but "s" is string/);
  });
});

describe('fill_series', () => {
  const pandasFill = py.add(
    () => `${READ(csv)}
d = df.sort_values('t', kind='stable')
lin = d.groupby('g', group_keys=False).apply(lambda s: s.set_index('t')['x'].interpolate(method='time', limit_area='inside').set_axis(s.index))
out(list(lin.reindex(df.index)) + list(d.groupby('g')['x'].ffill().reindex(df.index)) + list(d.groupby('g')['x'].bfill().reindex(df.index)))`,
  );
  it('linear matches pandas interpolate(method="time", limit_area="inside"); ffill and bfill match pandas', async () => {
    const want = await pandasFill();
    const got: Array<number | null> = [];
    for (const method of ['linear', 'ffill', 'bfill']) {
      const r = await fitSteps(engine, 'series', [{ kind: 'fill_series', columns: ['x'], timestamp: 't', group_by: ['g'], method }]);
      got.push(...r.rows.map((x) => round(x.x)));
    }
    expect(got).toEqual(want);
  });

  it('then: ffill_bfill fills the ends; constant runs on records', async () => {
    const r = await fitSteps(engine, 'series', [
      { kind: 'fill_series', columns: ['x'], timestamp: 't', group_by: ['g'], method: 'linear', then: 'ffill_bfill' },
    ]);
    expect(r.rows.every((x) => x.x !== null)).toBe(true);
    const c = await fitSteps(engine, 'series', [{ kind: 'fill_series', columns: ['x'], timestamp: 't', method: 'constant', value: 0 }]);
    expect(c.rows.map((x) => x.x)).toEqual((await engine.query('SELECT coalesce(x, 0) AS x FROM series')).map((x) => x.x));
    const [rec] = c.applyRecords([{ g: 'a', t: '2024-01-01 00:10:00', x: null, s: 'x' }]);
    expect(rec!.ok && rec!.row.x).toBe(0);
  });
});

describe('resample', () => {
  const pandasResample = py.add<{ kept: Array<[string, string, number | null]>; filled: Array<number | null> }>(
    () => `${READ(csv)}
m = df.set_index('t').groupby('g')['x'].resample('1h').mean()
c = df.set_index('t').groupby('g')['x'].resample('1h').count()
n = df.set_index('t').groupby('g')['x'].resample('1h').size()
kept = m[n > 0]
interp = m.groupby(level=0, group_keys=False).apply(lambda s: s.droplevel(0).interpolate(method='time'))
# Sluice fills only the intervals that had no rows; an interval with rows keeps its (maybe missing) mean.
filled = [v if k > 0 else i for v, k, i in zip(m, n, interp)]
print(json.dumps({'kept': [[g, str(t), None if math.isnan(v) else round(v, 9)] for (g, t), v in kept.items()], 'filled': [None if math.isnan(v) else round(v, 9) for v in filled]}))`,
  );
  it('hourly means per series match pandas resample("1h").mean(); linear fill matches interpolate(method="time") in the empty intervals', async () => {
    const want = await pandasResample();
    const r = await fitSteps(engine, 'series', [{ kind: 'resample', timestamp: 't', group_by: ['g'], every: '1 hour', numeric: 'mean' }]);
    const ts = (v: unknown): string => (v instanceof Date ? v.toISOString().replace('T', ' ').replace('.000Z', '') : String(v));
    expect(r.rows.map((x) => [x.g, ts(x.t), round(x.x)])).toEqual(want.kept);
    const f = await fitSteps(engine, 'series', [{ kind: 'resample', timestamp: 't', group_by: ['g'], every: '1 hour', fill: 'linear' }]);
    expect(f.rows.map((x) => round(x.x))).toEqual(want.filled);
    // The most common text of each hour; ties go to DuckDB's mode, so only a clear case is checked.
    expect(r.rows.find((x) => x.g === 'a' && ts(x.t) === '2024-01-01 00:00:00')?.s).toBe('x');
  });

  it('refuses a text timestamp and a bad interval', async () => {
    const a = await fitSteps(engine, 'series', [{ kind: 'resample', timestamp: 's', every: '1 hour' }]).catch((x: unknown) => x);
    expect(isSluiceError(a) && a.message).toMatch(/needs a date or timestamp column, but "s" is string/);
    const b = await fitSteps(engine, 'series', [{ kind: 'resample', timestamp: 't', every: 'hourly' }]).catch((x: unknown) => x);
    expect(isSluiceError(b) && b.message).toMatch(/give a count and a unit/);
  });
});

describe('validate_timestamps', () => {
  const pandasParsed = py.add(
    () => `import json, pandas as pd
df = pd.read_csv(${JSON.stringify(join(dir, 'stamps.csv'))})
ok = pd.Series([pd.to_datetime(v, errors='coerce') for v in df['ts']]).notna()
print(json.dumps([int(n) for n in df['n'][ok.values]]))`,
  );
  it('drop keeps the rows pandas to_datetime(errors="coerce") parses; error names the bad value', async () => {
    const want = await pandasParsed();
    const r = await fitSteps(engine, 'stamps', [{ kind: 'validate_timestamps', columns: ['ts'] }]);
    expect(r.rows.map((x) => Number(x.n))).toEqual(want);
    expect(r.fitted.output.find((c) => c.name === 'ts')?.type).toBe('timestamp');
    const e = await fitSteps(engine, 'stamps', [{ kind: 'validate_timestamps', columns: ['ts'], policy: 'error' }]).catch((x: unknown) => x);
    expect(String((e as Error).message)).toMatch(/column "ts" has a missing or invalid timestamp: not a time/);
  });
});

describe('balance', () => {
  const pandasCounts = py.add<{ over: Record<string, number>; under: Record<string, number> }>(
    () => `import json, pandas as pd
df = pd.read_csv(${JSON.stringify(join(dir, 'fx.csv'))})
n = df['readmitted'].value_counts()
over = {k: max(int(v), int(round(0.8 * n.max() + 1e-9))) for k, v in n.items()}
under = {k: min(int(v), int(round(n.min() / 0.5 + 1e-9))) for k, v in n.items()}
print(json.dumps({'over': over, 'under': under}))`,
  );
  it('oversample and undersample give the class counts pandas computes; copies are rows of their class', async () => {
    const want = await pandasCounts();
    const counts = (rows: Array<Record<string, unknown>>): Record<string, number> => countBy(rows, (r) => String(r.readmitted));
    const o = await fitSteps(engine, 'fx', [{ kind: 'balance', method: 'oversample', ratio: 0.8, seed: 3 }], 'readmitted');
    expect(counts(o.rows)).toEqual(want.over);
    // The input rows come first, unchanged; every copy is one of its class's rows.
    const input = await engine.query('SELECT * FROM fx');
    expect(o.rows.slice(0, input.length)).toEqual(input);
    const keys = new Set(input.map((r) => JSON.stringify(r)));
    expect(o.rows.slice(input.length).every((r) => keys.has(JSON.stringify(r)))).toBe(true);
    const u = await fitSteps(engine, 'fx', [{ kind: 'balance', method: 'undersample', ratio: 0.5, seed: 3 }], 'readmitted');
    expect(counts(u.rows)).toEqual(want.under);
    // Seeded: the same seed keeps the same rows, another seed others.
    const again = await fitSteps(engine, 'fx', [{ kind: 'balance', method: 'undersample', ratio: 0.5, seed: 3 }], 'readmitted');
    expect(again.rows).toEqual(u.rows);
    const other = await fitSteps(engine, 'fx', [{ kind: 'balance', method: 'undersample', ratio: 0.5, seed: 4 }], 'readmitted');
    expect(other.rows).not.toEqual(u.rows);
    // Training batches only: a record passes through unchanged.
    const [rec] = o.applyRecords([{ ...input[0]!, readmitted: undefined }]);
    expect(rec!.ok).toBe(true);
  });

  it('needs a class column when the flow has no target', async () => {
    const e = await fitSteps(engine, 'series', [{ kind: 'balance', method: 'oversample' }]).catch((x: unknown) => x);
    expect(isSluiceError(e) && e.message).toMatch(/needs a class column/);
  });
});

describe('sample', () => {
  const pandasStrata = py.add(
    () => `import json, pandas as pd
df = pd.read_csv(${JSON.stringify(join(dir, 'fx.csv'))})
# pandas groupby().sample(frac) rounds half to even; Sluice (DuckDB round) half away from zero
print(json.dumps({k: int(v * 0.3 + 0.5) for k, v in df['readmitted'].value_counts().items()}))`,
  );
  it('stratified keeps round(class rows x fraction) of each class (pandas value_counts), first keeps the head', async () => {
    const want = await pandasStrata();
    const s = await fitSteps(engine, 'fx', [{ kind: 'sample', fraction: 0.3, stratify_by: 'readmitted', seed: 1 }], 'readmitted');
    const counts = countBy(s.rows, (r) => String(r.readmitted));
    expect(counts).toEqual(want);
    const f = await fitSteps(engine, 'fx', [{ kind: 'sample', n: 5, method: 'first' }], 'readmitted');
    expect(f.rows).toEqual(await engine.query('SELECT * FROM fx LIMIT 5'));
  });
});
