import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { exprToJs, exprToSql } from '../../src/flow/expr/compileExpr.js';
import { FUNCTIONS } from '../../src/flow/expr/functions.js';
import { parseExpr } from '../../src/flow/expr/parseExpr.js';
import { fitSteps } from './steps-helpers.js';

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
  // dates: text YYYY-MM-DD[ HH:MM[:SS[.f]]] (a date column reads as its text: see the test below)
  year: [
    "year('2024-02-29')",
    "year('1999-12-31 23:59:59')",
    "year('2024-1-5')",
    "year('2023-02-29')",
    "year('29/02/2024')",
    "year(' 2024-01-01')",
    'year(2024)',
    'year(null)',
  ],
  quarter: ["quarter('2024-01-01')", "quarter('2024-06-30')", "quarter('2024-07-01')", "quarter('2024-12-31 10:00')"],
  month: ["month('2024-02-29')", "month('2024-12-01T08:30:00')", "month('2024-13-01')", 'month(null)'],
  day: ["day('2024-02-29')", "day('2024-03-01 00:00:01')", "day('2024-04-31')"],
  dayofweek: ["dayofweek('2024-01-07')", "dayofweek('2024-01-08')", "dayofweek('2024-01-13 23:00')", "dayofweek('1970-01-01')", "dayofweek('1969-12-31')"],
  dayofyear: ["dayofyear('2024-01-01')", "dayofyear('2024-12-31')", "dayofyear('2023-12-31')", "dayofyear('2024-03-01 12:00')"],
  weekofyear: [
    "weekofyear('2024-01-01')",
    "weekofyear('2021-01-03')",
    "weekofyear('2020-12-31')",
    "weekofyear('2026-12-31')",
    "weekofyear('2027-01-01')",
    "weekofyear('2015-12-31')",
    "weekofyear('2016-01-03')",
  ],
  hour: ["hour('2024-01-01 13:45:10')", "hour('2024-01-01')", "hour('2024-01-01T07:05')", "hour('2024-01-01 25:00:00')"],
  minute: ["minute('2024-01-01 13:45:10')", "minute('2024-01-01 13:60:10')", 'minute(null)'],
  second: ["second('2024-01-01 13:45:10.75')", "second('2024-01-01 13:45')", "second('2024-01-01 13:45:61')"],
  to_date: ["to_date('2024-02-29 23:59:59')", "to_date('2024-2-9')", "to_date('2024-02-30')", "to_date('yesterday')", 'to_date(null)'],
  to_timestamp: [
    "to_timestamp('2024-02-29')",
    "to_timestamp('2024-02-29 07:08')",
    "to_timestamp('2024-02-29T07:08:09.500')",
    "to_timestamp('2024-02-29 07:08:09.123456')",
    "to_timestamp('2024-02-29 7:08:09')",
    "to_timestamp('2024-02-29 07:08:09+02')",
  ],
  last_day: ["last_day('2024-02-10')", "last_day('2023-02-10 10:00')", "last_day('2024-12-31')", "last_day('x')"],
  datediff: [
    "datediff('2024-03-01', '2024-02-01')",
    "datediff('2024-02-01', '2024-03-01')",
    "datediff('2024-01-02 00:00:01', '2024-01-01 23:59:59')",
    "datediff('1969-12-31', '1970-01-02')",
    "datediff('2024-01-01', null)",
    "datediff('2024-01-01', 'soon')",
  ],
  date_add: [
    "date_add('2024-02-28', 1)",
    "date_add('2024-02-28 22:00', 2)",
    "date_add('2024-01-01', -1)",
    "date_add('2024-01-01', 2.5)",
    "date_add('2024-01-01', null)",
    "date_add('no', 1)",
  ],
  add_months: [
    "add_months('2024-01-31', 1)",
    "add_months('2023-01-31', 1)",
    "add_months('2024-03-31', -1)",
    "add_months('2024-11-15', 3)",
    "add_months('2024-01-15', -13)",
    "add_months('2024-01-15 10:00', 0)",
    'add_months(null, 1)',
  ],
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
      const [row] = await engine.query(`SELECT ${exprToSql(expr)} AS v, CAST(${exprToSql(expr)} AS VARCHAR) AS text`);
      // a DATE or TIMESTAMP (a Date here) is text on the record path: compare DuckDB's text of it
      const sql = row!.v instanceof Date ? row!.text : normal(row!.v);
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

describe('date functions on date and timestamp columns: batch and record path agree', () => {
  const EXPRESSIONS: Array<[string, string]> = [
    ['year(d)', 'integer'],
    ['month(t)', 'integer'],
    ['dayofweek(d)', 'integer'],
    ['weekofyear(t)', 'integer'],
    ['hour(t)', 'integer'],
    ['datediff(t, d)', 'integer'],
    ['datediff(d, s)', 'integer'],
    ['date_add(d, n)', 'date'],
    ['add_months(t, n)', 'date'],
    ['last_day(s)', 'date'],
    ['to_timestamp(s)', 'timestamp'],
    ['to_date(t)', 'string'],
    ["CASE WHEN d > to_date('2024-06-01') THEN 'late' ELSE 'early' END", 'string'],
  ];
  const RAW = [
    ['2024-02-29', '2024-03-10 08:30:00', '2024-01-31', 1],
    ['2023-12-31', '2024-01-01 00:00:00', '2024-02-10 23:59:59', -2],
    ['2024-07-04', '2024-07-04 23:59:59', 'not a date', 12],
    [null, '2020-12-31 12:00:00', null, null],
  ] as const;

  it('each expression gives the same values on a batch (DATE, TIMESTAMP columns) and on records (their text)', async () => {
    await engine.exec(
      `CREATE OR REPLACE TABLE dates AS SELECT * FROM (VALUES ${RAW.map(([d, t, s, n]) => `(${d ? `DATE '${d}'` : 'NULL::DATE'}, TIMESTAMP '${t}', ${s ? `'${s}'` : 'NULL'}, ${n ?? 'NULL'})`).join(', ')}) v(d, t, s, n)`,
    );
    const steps = EXPRESSIONS.map(([expression, type], i) => ({ kind: 'compute', output: `e${i}`, expression, type }));
    const r = await fitSteps(engine, 'dates', steps);
    const records = r.applyRecords(RAW.map(([d, t, s, n]) => ({ d, t, s, n })));
    // the record path's text of a date (YYYY-MM-DD) and of a timestamp (YYYY-MM-DD HH:MM:SS.sss)
    const text = (v: unknown, type = 'timestamp'): unknown =>
      v instanceof Date
        ? v
            .toISOString()
            .replace('T', ' ')
            .replace('Z', '')
            .slice(0, type === 'date' ? 10 : undefined)
        : typeof v === 'bigint'
          ? Number(v)
          : v;
    EXPRESSIONS.forEach(([expression, type], i) => {
      const batch = r.rows.map((row) => text(row[`e${i}`], type));
      const served = records.map((x) => (x.ok ? text(x.row[`e${i}`]) : x));
      expect(served, expression).toEqual(batch);
    });
    // what the values are, so that a shared mistake on both paths shows too
    expect(r.rows.map((row) => text(row.e5))).toEqual([10, 1, 0, null]);
    expect(r.rows.map((row) => text(row.e7, 'date'))).toEqual(['2024-03-01', '2023-12-29', '2024-07-16', null]);
    expect(r.rows.map((row) => text(row.e8, 'date'))).toEqual(['2024-04-10', '2023-11-01', '2025-07-04', null]);
    expect(r.rows.map((row) => row.e12)).toEqual(['early', 'early', 'late', 'early']); // NULL > x is not true
  });
});
