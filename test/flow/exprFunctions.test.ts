import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { exprToJs, exprToSql } from '../../src/flow/expr/compileExpr.js';
import { FUNCTIONS } from '../../src/flow/expr/functions.js';
import { parseExpr } from '../../src/flow/expr/parseExpr.js';

/**
 * Every expression function is defined twice (DuckDB SQL for batches, JavaScript for single
 * records at the endpoint). Each case below runs through both and must give the same value: a
 * function whose two definitions drift apart scores a record differently from its batch.
 * A function added to FUNCTIONS without cases here fails the first test.
 */
const CASES: Record<string, string[]> = {
  abs: ['abs(-2.5)', 'abs(3)', 'abs(null)'],
  round: [
    'round(2.5)',
    'round(-2.5)',
    'round(1.005, 2)',
    'round(123.456, 1)',
    'round(0.5)',
    'round(2.675, 2)',
    'round(1234.5, -2)',
    'round(-0.45, 1)',
    'round(null)',
  ],
  floor: ['floor(-1.5)', 'floor(2.7)', 'floor(null)'],
  ceil: ['ceil(-1.5)', 'ceil(2.1)', 'ceil(null)'],
  sqrt: ['sqrt(16)', 'sqrt(2)', 'sqrt(-1)', 'sqrt(0)', 'sqrt(null)'],
  ln: ['ln(1)', 'ln(10)', 'ln(0)', 'ln(-3)', 'ln(null)'],
  log10: ['log10(1000)', 'log10(0)', 'log10(null)'],
  log1p: ['log1p(0)', 'log1p(1e-10)', 'log1p(-1)', 'log1p(null)'],
  exp: ['exp(0)', 'exp(1)', 'exp(-2)', 'exp(null)'],
  power: ['power(2, 10)', 'power(9, 0.5)', 'power(2, -1)', 'power(null, 2)'],
  least: ['least(3, 1, 2)', 'least(null, 5, 4)', 'least(null)'],
  greatest: ['greatest(3, 1, 2)', 'greatest(null, 5, 4)', 'greatest(null)'],
  coalesce: ["coalesce(null, 'b', 'c')", 'coalesce(null, null)', 'coalesce(1)'],
  nullif: ['nullif(1, 1)', 'nullif(1, 2)', "nullif('a', 'b')", 'nullif(null, 1)'],
  lower: ["lower('AbC É')", 'lower(null)'],
  upper: ["upper('aBc é')", 'upper(null)'],
  trim: ["trim('  a b  ')", "trim('')", 'trim(null)'],
  length: ["length('héllo')", "length('')", 'length(null)'],
  substr: ["substr('abcdef', 2)", "substr('abcdef', 2, 3)", "substr('abc', 5)", "substr('abc', 1, 0)", 'substr(null, 1)'],
  replace: ["replace('a.b.c', '.', '-')", "replace('aaa', 'a', '')", "replace(null, 'a', 'b')"],
  contains: ["contains('haystack', 'st')", "contains('haystack', 'x')", "contains('abc', '')", "contains(null, 'a')"],
  starts_with: ["starts_with('haystack', 'hay')", "starts_with('haystack', 'st')", "starts_with(null, 'a')"],
  concat: ["concat('a', null, 'b')", "concat('x')", 'concat(null, null)', "concat('n', 1)"],
  lpad: ["lpad('7', 3, '0')", "lpad('abcd', 2)", "lpad('a', 4)", "lpad(null, 3, 'x')"],
  rpad: ["rpad('7', 3, '0')", "rpad('abcd', 2)", "rpad('a', 4)", "rpad(null, 3, 'x')"],
  center: ["center('ab', 6, '*')", "center('abc', 6)", "center('a', 4, '-')", "center('abcd', 2)", 'center(null, 4)'],
  swapcase: ["swapcase('Hello World 1')", "swapcase('')", 'swapcase(null)'],
  remove_symbols: ["remove_symbols('a-b_c! d#1')", "remove_symbols('é, ü.')", 'remove_symbols(null)'],
};

/** A DOUBLE cast to BIGINT rounds half to even in DuckDB; the record path must too. */
const CASTS = [
  'cast(2.5 as bigint)',
  'cast(3.5 as bigint)',
  'cast(-2.5 as bigint)',
  'cast(-3.5 as bigint)',
  'cast(0.5 as bigint)',
  'cast(1.4999 as bigint)',
  "cast('7' as double)",
  'cast(null as bigint)',
];

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(async () => {
  await engine?.close();
});

/** Both paths' values in one comparable form: numbers as doubles, bigint as number, the rest as is. */
function normal(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  return v === undefined ? null : v;
}

describe('expression functions: the SQL and the JavaScript definition agree', () => {
  it('every function has cases, and every case names a known function', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    for (const [name, cases] of Object.entries(CASES)) for (const c of cases) expect(c.startsWith(`${name}(`), c).toBe(true);
  });

  it.each([...Object.entries(CASES), ['casts', CASTS] as [string, string[]]])('%s', async (_name, cases) => {
    for (const text of cases) {
      const expr = parseExpr(text);
      const [row] = await engine.query(`SELECT ${exprToSql(expr)} AS v`);
      const sql = normal(row!.v);
      const js = normal(exprToJs(expr)({}));
      if (typeof sql === 'number' && typeof js === 'number') {
        if (Number.isNaN(sql) || Number.isNaN(js)) expect([text, js], text).toEqual([text, sql]);
        else expect(js, text).toBeCloseTo(sql, 12);
      } else {
        expect(js, `${text}: JavaScript gives ${JSON.stringify(js)}, SQL ${JSON.stringify(sql)}`).toEqual(sql);
      }
    }
  });
});
