import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { computeDuplicates } from '../../src/profile/duplicates.js';

const engines: Engine[] = [];
beforeAll(async () => {
  for (const threads of [1, 2]) engines.push(await Engine.open({ threads }));
});
afterAll(() => {
  for (const e of engines) e.close();
});

describe('duplicate rows', () => {
  it('shows the largest groups, equal sizes in the order of their values, whatever the number of threads', async () => {
    // 40 pairs and one triple among 200,000 distinct rows, in scrambled order: 10 of the 40 pairs can be shown.
    const sql = `CREATE OR REPLACE TABLE dups AS SELECT k, CASE WHEN k % 3 = 0 THEN NULL ELSE 'v' || (k % 5) END AS s
      FROM (SELECT CASE WHEN i < 80 THEN (i * 37) % 40 WHEN i < 83 THEN 1000 ELSE i * 11 + 5000 END AS k FROM range(200083) t(i)) ORDER BY hash(k, 7)`;
    const tops = [];
    for (const engine of engines) {
      await engine.exec(sql);
      const d = await computeDuplicates(engine, 'dups', ['k', 's']);
      expect(d.duplicateRows).toBe(40 + 2);
      tops.push(d.top);
    }
    expect(tops[0]![0]).toEqual({ count: 3, row: { k: 1000, s: 'v0' } });
    expect(tops[0]!.slice(1).map((t) => [t.count, t.row.k])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => [2, k]));
    expect(tops[1]).toEqual(tops[0]);
  }, 60_000);
});
