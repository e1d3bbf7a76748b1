import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { loadFixture } from './fixture.js';
import { fitSteps, pythonBatch } from './steps-helpers.js';

let engine: Engine;
let dir: string;
let csv: string;
beforeAll(async () => {
  engine = await Engine.open();
  await loadFixture(engine);
  // idx: the input position, so rows kept by Sluice and by pandas can be compared
  await engine.exec(`CREATE TABLE fx AS SELECT row_number() OVER () - 1 AS idx, * FROM fixture`);
  dir = mkdtempSync(join(tmpdir(), 'sluice-rows-'));
  csv = join(dir, 'fx.csv');
  await engine.exec(`COPY (SELECT * FROM fx ORDER BY idx) TO '${csv}' (HEADER)`);
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The Python results of this file, all computed in one python3 process. */
const py = pythonBatch();

/** pandas on the fixture (as df): the kept idx list. */
const pandasIdx = (code: string): (() => Promise<number[]>) =>
  py.add(
    () =>
      `import json, pandas as pd\ndf = pd.read_csv(${JSON.stringify(csv)}, keep_default_na=False, na_values=[''])\n${code}\nprint(json.dumps([int(i) for i in out['idx']]))`,
  );

describe('row steps agree with pandas', () => {
  // pandas drops rows where the condition is missing (NaN > 3 is False), as SQL drops NULL
  const filtered = pandasIdx("out = df[(df.age >= 40) & (df.gender != 'unknown') & (df.time_in_hospital > 3)]");
  const deduplicated = pandasIdx("out = df.drop_duplicates(subset=['race', 'gender', 'age'], keep='first')");
  const sorted = pandasIdx("out = df.sort_values(['race', 'time_in_hospital'], ascending=[True, False], na_position='last', kind='stable')");
  it('filter_rows', async () => {
    const r = await fitSteps(engine, 'fx', [{ kind: 'filter_rows', expression: "age >= 40 AND gender != 'unknown' AND time_in_hospital > 3" }]);
    expect(r.rows.map((x) => x.idx)).toEqual(await filtered());
  });

  it('filter_rows refuses an expression that is not a condition', async () => {
    await expect(fitSteps(engine, 'fx', [{ kind: 'filter_rows', expression: 'age + 1' }])).rejects.toThrow(/gives integer values, not true or false/);
  });

  it('drop_duplicates keeps the first occurrence', async () => {
    const r = await fitSteps(engine, 'fx', [{ kind: 'drop_duplicates', columns: ['race', 'gender', 'age'] }]);
    const want = await deduplicated();
    expect(r.rows.map((x) => x.idx)).toEqual(want);
    expect(want.length).toBeLessThan(100);
  });

  it('sort is stable with missing values last', async () => {
    const r = await fitSteps(engine, 'fx', [{ kind: 'sort', by: ['race', { column: 'time_in_hospital', descending: true }] }]);
    const want = await sorted();
    expect(r.rows.map((x) => x.idx)).toEqual(want);
  });
});

describe('sample', () => {
  it('is reproducible for a seed, differs across seeds, keeps input order, and rounds fractions', async () => {
    const a = await fitSteps(engine, 'fx', [{ kind: 'sample', fraction: 0.1, seed: 7 }]);
    const b = await fitSteps(engine, 'fx', [{ kind: 'sample', fraction: 0.1, seed: 7 }]);
    const c = await fitSteps(engine, 'fx', [{ kind: 'sample', fraction: 0.1, seed: 8 }]);
    const ids = (r: typeof a) => r.rows.map((x) => x.idx as number);
    expect(ids(a)).toHaveLength(40);
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).not.toEqual(ids(c));
    expect(ids(a)).toEqual([...ids(a)].sort((x, y) => x - y));
    // a second fit in a fresh database gives the same rows
    const other = await Engine.open();
    try {
      await loadFixture(other);
      await other.exec(`CREATE TABLE fx AS SELECT row_number() OVER () - 1 AS idx, * FROM fixture`);
      expect(ids(await fitSteps(other, 'fx', [{ kind: 'sample', fraction: 0.1, seed: 7 }]))).toEqual(ids(a));
    } finally {
      other.close();
    }
    const n = await fitSteps(engine, 'fx', [{ kind: 'sample', n: 1000 }]);
    expect(n.rows).toHaveLength(400);
  });

  const md5Sample = py.add<number[]>(
    () => `
import hashlib, json
rank = lambda pos: int.from_bytes(hashlib.md5(f"{pos}:11".encode()).digest(), "little")
kept = sorted(sorted(range(1, 401), key=lambda p: (rank(p), p))[:25])
print(json.dumps([p - 1 for p in kept]))`,
  );
  it('can be reproduced outside Sluice: md5 of "<position>:<seed>" as a little-endian number', async () => {
    const r = await fitSteps(engine, 'fx', [{ kind: 'sample', n: 25, seed: 11 }]);
    const want = await md5Sample();
    expect(r.rows.map((x) => x.idx)).toEqual(want);
  });

  it('needs exactly one of n and fraction', async () => {
    await expect(fitSteps(engine, 'fx', [{ kind: 'sample', n: 3, fraction: 0.5 }])).rejects.toThrow(/either n or fraction/);
  });
});

describe('row steps do not run at prediction time', () => {
  it('every record and every serve-mode row gets an output', async () => {
    const r = await fitSteps(engine, 'fx', [
      { kind: 'sample', n: 10 },
      { kind: 'drop_duplicates' },
      { kind: 'sort', by: ['lab_score'] },
      { kind: 'filter_rows', expression: 'age >= 0' },
      { kind: 'drop_missing', columns: ['age'] },
    ]);
    expect(r.rows).toHaveLength(10);
    const labs = r.rows.map((x) => x.lab_score as number);
    expect(labs).toEqual([...labs].sort((x, y) => x - y));
    const served = await r.applySql('fx', 'serve');
    expect(served).toHaveLength(400);
    expect(served.map((x) => x.idx)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    const recs = await engine.query('SELECT * FROM fx LIMIT 5');
    expect(r.applyRecords(recs).every((x) => x.ok)).toBe(true);
  });
});
