import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { fitSteps } from './steps-helpers.js';

/**
 * Record ids are deterministic and unique per row (issue 12, point 4): identical rows get
 * different ids (the occurrence number joins the hash), a re-run on the same data gives the
 * same ids (ingestion stays idempotent), the target is hashed too, and a single record at
 * prediction time gets its first occurrence's id.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  // rows 1, 2 and 4 are identical; row 3 differs from them only by the target
  await engine.exec(
    `CREATE TABLE twins AS SELECT * FROM (VALUES (30, 'a', 'no'), (30, 'a', 'no'), (30, 'a', 'yes'), (30, 'a', 'no'), (40, 'b', 'no')) t(age, color, label)`,
  );
});
afterAll(() => engine.close());

describe('record_id (method hash)', () => {
  it('gives every row its own id, the same on every run, and the first occurrence at prediction', async () => {
    const steps = [{ kind: 'record_id', output: 'rid' }];
    const a = await fitSteps(engine, 'twins', steps, 'label');
    const ids = a.rows.map((r) => r.rid as string);
    expect(new Set(ids).size).toBe(5);
    const again = await fitSteps(engine, 'twins', steps, 'label');
    expect(again.rows.map((r) => r.rid)).toEqual(ids);
    // A record at prediction time has no target: with the features hashed, a record gets the id
    // of the first of the rows equal to it, and exactly one row of the batch has that id.
    const features = await fitSteps(engine, 'twins', [{ kind: 'record_id', output: 'rid', columns: ['age', 'color'] }], 'label');
    const fIds = features.rows.map((r) => r.rid as string);
    expect(new Set(fIds).size).toBe(5);
    const [one] = features.applyRecords([{ age: 30, color: 'a' }]);
    const rid = one!.ok ? one!.row.rid : undefined;
    expect(fIds.filter((id) => id === rid)).toHaveLength(1);
  });

  it('numbers repeated rows in input order, the same with one DuckDB thread or two', async () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const SEP = '\u001f';
    // Every value hashed: rows 1, 2 and 4 are equal, numbered 1, 2, 3 in input order.
    const whole = await fitSteps(engine, 'twins', [{ kind: 'record_id', output: 'rid' }], 'label');
    const key = ['30', 'a', 'no'].join(SEP);
    expect(whole.rows.map((r) => r.rid)).toEqual([
      md5(key),
      md5(`${key}${SEP}#2`),
      md5(['30', 'a', 'yes'].join(SEP)),
      md5(`${key}${SEP}#3`),
      md5(['40', 'b', 'no'].join(SEP)),
    ]);
    // Only age and colour hashed: rows 1-4 share a key and are numbered in the order of all their
    // values (the label: no, no, no, yes), equal rows in input order.
    const some = await fitSteps(engine, 'twins', [{ kind: 'record_id', output: 'rid', columns: ['age', 'color'] }], 'label');
    const k = ['30', 'a'].join(SEP);
    expect(some.rows.map((r) => r.rid)).toEqual([md5(k), md5(`${k}${SEP}#2`), md5(`${k}${SEP}#4`), md5(`${k}${SEP}#3`), md5(['40', 'b'].join(SEP))]);

    // A larger batch with many repeats, on engines of one and of two threads: the ids are those
    // of the definition (the n-th occurrence of a row in input order adds #n), row for row.
    const ids: string[][] = [];
    for (const threads of [1, 2]) {
      const e = await Engine.open({ threads });
      try {
        await e.exec('CREATE TABLE many AS SELECT (i * 7919) % 1000 AS a, ((i * 31) % 7)::VARCHAR AS b FROM range(60000) t(i)');
        const r = await fitSteps(e, 'many', [{ kind: 'record_id', output: 'rid' }]);
        const seen = new Map<string, number>();
        const expected = r.rows.map((row) => {
          const text = `${row.a}${SEP}${row.b}`;
          const n = (seen.get(text) ?? 0) + 1;
          seen.set(text, n);
          return n === 1 ? md5(text) : md5(`${text}${SEP}#${n}`);
        });
        const got = r.rows.map((row) => row.rid as string);
        // Counted, not compared with toEqual: a diff of 60,000 ids would take minutes to print.
        expect(got.filter((id, i) => id !== expected[i]).length).toBe(0);
        ids.push(got);
      } finally {
        e.close();
      }
    }
    expect(ids[1]!.filter((id, i) => id !== ids[0]![i]).length).toBe(0);
  });
});
