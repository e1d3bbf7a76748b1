import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { quoteIdent } from '../../src/engine/sql.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { fitSteps } from './steps-helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

// Column names that are not identifiers: the record path writes each name into the code it
// compiles (as a JSON string literal), so every one must come out as the same key.
const NAMES = [
  "it's",
  'back\\slash',
  'quote"d',
  'line\nbreak',
  'sep\u2028arator',
  '12',
  '$' + '{x}',
  '`tick`',
  'a b',
  // Names of Object.prototype's members: a lookup in a plain object must not find the member.
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

describe('the record path with column names that are not identifiers', () => {
  it('reads, transforms and returns every column under its own name, as the SQL path does', async () => {
    const cols = NAMES.map((n, i) => `${i % 2 === 0 ? `CAST(${i} + r AS INTEGER)` : `CASE WHEN r % 3 = 0 THEN NULL ELSE 'v' || r END`} AS ${quoteIdent(n)}`);
    await engine.exec(`CREATE OR REPLACE TABLE odd_names AS SELECT ${cols.join(', ')} FROM range(12) t(r)`);
    const ints = NAMES.filter((_, i) => i % 2 === 0);
    const { fitted, applySql } = await fitSteps(engine, 'odd_names', [
      { kind: 'impute', columns: ints.slice(0, 3), strategy: 'median' },
      { kind: 'drop_columns', columns: [NAMES[1]] },
    ]);
    const records = await engine.query(`SELECT * FROM odd_names`);
    // Some integers missing, so the impute step fills them.
    records[1]![NAMES[0]!] = null;
    records[4]![NAMES[2]!] = null;
    const results = compileRecordTransform(fitted)(records);
    const want = fitted.output.map((c) => c.name);
    expect(want).toEqual(NAMES.filter((n) => n !== NAMES[1]));
    const sqlRows = await applySql('odd_names');
    results.forEach((r, i) => {
      if (!r.ok) throw r.error;
      expect(Object.keys(r.row).sort()).toEqual([...want].sort());
      for (const n of want) {
        if ((i === 1 && n === NAMES[0]) || (i === 4 && n === NAMES[2]))
          expect(r.row[n]).toBe((fitted.steps[0]!.fitted as { values: Record<string, unknown> }).values[n]);
        else expect(r.row[n]).toEqual(sqlRows[i]![n]);
      }
    });
  });

  it("renames around columns named after Object.prototype's members, in SQL and on records alike", async () => {
    await engine.exec(`CREATE OR REPLACE TABLE proto_names AS SELECT r::INTEGER AS "constructor", 'v' || r AS "toString", r * 2 AS b FROM range(4) t(r)`);
    const { fitted, rows, applyRecords } = await fitSteps(engine, 'proto_names', [{ kind: 'rename_columns', mapping: { b: 'bee' } }]);
    expect(fitted.output.map((c) => c.name)).toEqual(['constructor', 'toString', 'bee']);
    const [r] = applyRecords([{ constructor: 3, toString: 'v3', b: 6 }]);
    if (!r!.ok) throw r!.error;
    expect(r!.row).toEqual(rows[3]);
  });

  it('ordinal_encode with an order for another column learns the categories of a column named constructor', async () => {
    await engine.exec(
      `CREATE OR REPLACE TABLE proto_cats AS SELECT ['b', 'a', 'c'][r % 3 + 1] AS "constructor", ['lo', 'hi'][r % 2 + 1] AS level FROM range(6) t(r)`,
    );
    const { fitted } = await fitSteps(engine, 'proto_cats', [{ kind: 'ordinal_encode', columns: ['constructor', 'level'], order: { level: ['lo', 'hi'] } }]);
    expect((fitted.steps[0]!.fitted as { categories: Record<string, string[]> }).categories).toEqual({ constructor: ['a', 'b', 'c'], level: ['lo', 'hi'] });
  });

  it('refuses a record without a required field, naming that field', async () => {
    await engine.exec(
      `CREATE OR REPLACE TABLE odd_names2 AS SELECT r::INTEGER AS ${quoteIdent(NAMES[2]!)}, 'a' AS ${quoteIdent(NAMES[3]!)} FROM range(5) t(r)`,
    );
    const { fitted } = await fitSteps(engine, 'odd_names2', [{ kind: 'impute', columns: [NAMES[2]], strategy: 'median' }]);
    const [r] = compileRecordTransform(fitted)([{ [NAMES[3]!]: 'a' }]);
    expect(r!.ok).toBe(false);
    if (!r!.ok) {
      expect(r!.error.code).toBe('RECORD_MISSING_FIELD');
      expect(r!.error.location?.field).toBe(NAMES[2]);
    }
  });
});
