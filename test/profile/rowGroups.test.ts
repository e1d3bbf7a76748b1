import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { createProfileView } from '../../src/profile/profileView.js';
import { sampleFromGroups } from '../../src/profile/reportSample.js';
import type { Report } from '../../src/profile/reportSchema.js';
import { groupRows, repeatsEnough } from '../../src/profile/rowGroups.js';
import { sampledRowSql } from '../../src/profile/sampledRowSql.js';

// Above the sample size a table's rows are grouped once (src/profile/rowGroups.ts): the
// duplicates, the sample's rows and, when rows repeat, the value counts come from that pass.
const engines: Engine[] = [];
const ROWS = 6000;
// Rows that repeat (400 distinct rows, each about 15 times, scattered) and rows that do not;
// both with a float column holding NaN and Infinity (missing in the profile view), a missing
// target value, and user columns named like the groups' own (`__n`, `__sampled`).
const REPEATING = `CREATE OR REPLACE TABLE rep AS SELECT (k % 7)::DOUBLE / 2 AS x,
  CASE WHEN k % 50 = 0 THEN 'nan'::DOUBLE WHEN k % 51 = 0 THEN 'inf'::DOUBLE ELSE k % 13 END AS f,
  ['a', 'b', 'c', NULL][1 + k % 4] AS c, k % 3 AS "__n", k % 2 = 0 AS "__sampled",
  CASE WHEN k = 17 THEN NULL WHEN (k * 31) % 10 < 6 THEN 'no' ELSE 'yes' END AS t
  FROM (SELECT (hash(i, 3) % 400)::INTEGER AS k FROM range(${ROWS}) r(i))`;
const DISTINCT = `CREATE OR REPLACE TABLE dis AS SELECT i::DOUBLE / 7 AS x, (i % 13)::DOUBLE AS f, ['a', 'b', 'c', NULL][1 + i % 4] AS c,
  i % 3 AS "__n", i % 2 = 0 AS "__sampled", CASE WHEN (i * 31) % 10 < 6 THEN 'no' ELSE 'yes' END AS t FROM range(${ROWS}) r(i)`;

beforeAll(async () => {
  for (const threads of [1, 2]) {
    const e = await Engine.open({ threads });
    await e.exec(REPEATING);
    await e.exec(DISTINCT);
    engines.push(e);
  }
});
afterAll(() => {
  for (const e of engines) e.close();
});

const exact = (r: Report) => ({ dataset: r.dataset, columns: r.columns, duplicates: r.duplicates, target: r.target });

describe("the rows grouped once, above the report's sample size", () => {
  it('repeatsEnough tells rows that repeat from rows that do not', async () => {
    const e = engines[1]!;
    expect(await repeatsEnough(e, 'rep')).toBe(true);
    expect(await repeatsEnough(e, 'dis')).toBe(false);
  });

  it('the sample: the rows a seeded hash of the row number keeps, in the table order, the same on 1 and 2 threads', async () => {
    const samples: unknown[][] = [];
    for (const e of engines) {
      const { schema } = await createProfileView(e, 'dis');
      for (const all of [true, false]) {
        const g = await groupRows(e, 'dis', schema, { size: 1500, rows: ROWS }, all);
        const s = await sampleFromGroups(e, g, schema, ROWS, 1500);
        expect(s).toMatchObject({ of: ROWS, method: 'bernoulli', probability: 0.25, seed: 42 });
        const rows = await e.query(`SELECT * FROM ${s.relation}`);
        const direct = await e.query(`SELECT * FROM dis WHERE ${sampledRowSql('rowid', 1500, ROWS)}`);
        expect(rows).toEqual(direct);
        expect(rows.length).toBe(s.rows);
        samples.push(rows);
        await e.exec(`DROP TABLE ${g.table}; DROP TABLE ${s.relation}`);
      }
    }
    expect(samples[1]).toEqual(samples[0]);
    expect(samples[2]).toEqual(samples[0]);
    // Uniform: each row kept with probability 1/4, so about 1,500 rows (3 standard deviations:
    // ±101), and about 150 in each tenth of the table (±32).
    const kept = samples[0]!.map((r) => Number((r as { x: number }).x) * 7);
    expect(Math.abs(kept.length - 1500)).toBeLessThan(101);
    for (let d = 0; d < 10; d++) {
      const inTenth = kept.filter((i) => i >= (d * ROWS) / 10 && i < ((d + 1) * ROWS) / 10).length;
      expect(Math.abs(inTenth - 150)).toBeLessThan(32);
    }
  });

  it('the exact parts of the report are those of every row, with rows that repeat and rows that do not, on 1 and 2 threads', async () => {
    for (const relation of ['rep', 'dis']) {
      const reports: Report[] = [];
      for (const e of engines) {
        const all = await profileTable(e, relation, { target: 't', sampleRows: Number.POSITIVE_INFINITY, plugins: {} });
        const sampled = await profileTable(e, relation, { target: 't', sampleRows: 1500, plugins: {} });
        expect(sampled.correlations.sample?.of).toBe(ROWS);
        expect(all.timings.groups).toBeUndefined();
        expect(sampled.timings.groups).toBeGreaterThanOrEqual(0);
        expect(exact(sampled)).toEqual(exact(all));
        reports.push(sampled);
        const left = await e.query(`SELECT table_name FROM duckdb_tables() WHERE temporary`);
        expect(left).toEqual([]);
      }
      expect(reports[1]!.correlations.sample).toEqual(reports[0]!.correlations.sample);
      if (relation === 'rep') expect(reports[0]!.dataset.duplicateRows).toBe(ROWS - 400);
    }
  }, 60_000);

  it("user columns named like the working columns in another case (DuckDB's names ignore case) are counted as any other", async () => {
    const e = engines[1]!;
    await e.exec(`CREATE OR REPLACE TABLE cased AS SELECT x, f, c, "__n" AS "__N", "__sampled" AS "__Sampled", k % 5 AS "__ROW", t
      FROM (SELECT *, (hash(x, f) % 5)::INTEGER AS k FROM rep)`);
    const all = await profileTable(e, 'cased', { target: 't', sampleRows: Number.POSITIVE_INFINITY, plugins: {} });
    const sampled = await profileTable(e, 'cased', { target: 't', sampleRows: 1500, plugins: {} });
    // Every count a number (the user's "__N" once took the place of the groups' size: NaN).
    expect(all.duplicates.top.length).toBeGreaterThan(0);
    for (const d of all.duplicates.top) expect(Number.isInteger(d.count) && d.count > 1).toBe(true);
    expect(all.duplicates.top[0]!.row).toHaveProperty('__N');
    expect(all.dataset.duplicateRows).toBe(ROWS - 400);
    expect(exact(sampled)).toEqual(exact(all));
    expect(sampled.correlations.sample?.rows).toBeGreaterThan(0);
  }, 60_000);
});
