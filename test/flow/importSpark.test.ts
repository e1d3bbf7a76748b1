import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { exprText } from '../../src/flow/expr/exprText.js';
import { parseExpr } from '../../src/flow/expr/parseExpr.js';
import { importWranglerFlow } from '../../src/flow/import/importWranglerFlow.js';
import { sparkToSluice } from '../../src/flow/import/sparkExpr.js';
import { sparkSelectToSteps } from '../../src/flow/import/sparkSelect.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { fitSteps } from './steps-helpers.js';

type Node = { node_id: string; type: string; operator: string; parameters: Record<string, unknown>; inputs: Array<{ node_id: string }> };

/** A source, one transform, a destination. */
function oneNode(operator: string, parameters: Record<string, unknown>): { nodes: Node[] } {
  return {
    nodes: [
      { node_id: 's', type: 'SOURCE', operator: 'sagemaker.s3_source_0.1', parameters: {}, inputs: [] },
      { node_id: 'n1', type: 'TRANSFORM', operator: `sagemaker.spark.${operator}_0.1`, parameters, inputs: [{ node_id: 's' }] },
      { node_id: 'd', type: 'DESTINATION', operator: 'sagemaker.spark.s3_destination_0.1', parameters: {}, inputs: [{ node_id: 'n1' }] },
    ],
  };
}

const formulaNodes = (file: string): Array<{ node_id: string; formula: string; output: string }> =>
  (
    JSON.parse(readFileSync(`test/fixtures/wrangler/${file}`, 'utf8')) as {
      nodes: Array<{ node_id: string; operator: string; parameters: { formula?: string; output_column?: string } }>;
    }
  ).nodes
    .filter((n) => n.operator.startsWith('sagemaker.spark.custom_formula'))
    .map((n) => ({ node_id: n.node_id, formula: n.parameters.formula!, output: n.parameters.output_column! }));

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await engine.exec(`CREATE TABLE t AS SELECT * FROM (VALUES
    (3.7, 'abcdef', 'M', 2, NULL::VARCHAR, 0.5, 0.2, 0.9),
    (-3.7, 'ab', 'F', -2, 'x', 0.1, 0.3, 0.4),
    (NULL, NULL, NULL, 0, 'y', NULL, 0.0, 1.0)) AS t(x, s, g, k, opt, valence, liveness, energy)`);
});
afterAll(() => engine.close());

/**
 * Spark SQL formulas and what Spark 3 gives on the three rows of `t` (Spark's documented
 * semantics: a cast to INT truncates, substring counts a start of 0 as 1, lpad cuts a longer
 * text, concat is NULL when an argument is, log(b, x) is the base-b logarithm, ...).
 */
const SPARK: Array<[string, unknown[]]> = [
  ['CAST(x AS INT)', [3, -3, null]],
  ['int(x) + 1', [4, -2, null]],
  ['substring(s, 0, 3)', ['abc', 'ab', null]],
  ['substr(s, 2)', ['bcdef', 'b', null]],
  ["lpad(s, 4, '*')", ['abcd', '**ab', null]],
  ["rpad(s, 3, '-')", ['abc', 'ab-', null]],
  ["concat(s, '-', opt)", [null, 'ab-x', null]],
  ["nvl(opt, 'none')", ['none', 'x', 'y']],
  ['if(k > 0, 1, 0)', [1, 0, 0]],
  ['log(2, 8) + k', [5, 1, 3]],
  ['signum(k)', [1, -1, 0]],
  ["CASE g WHEN \"M\" THEN 'male' WHEN 'F' THEN 'female' ELSE 'other' END", ['male', 'female', 'other']],
  ['isnull(opt)', [true, false, false]],
  ['mod(k, 3)', [2, -2, 0]],
  ['pow(k, 2)', [4, 4, 0]],
  ['ceiling(x)', [4, -3, null]],
  ['`valence` * 10', [5, 1, null]],
  ['upper(s) == "ABCDEF"', [true, false, null]],
  // dates: the examples of Spark SQL's function reference (https://spark.apache.org/docs/latest/api/sql/)
  ["datediff('2009-07-31', '2009-07-30')", [1, 1, 1]],
  ["datediff('2009-07-30', '2009-07-31')", [-1, -1, -1]],
  ["dayofweek('2009-07-30')", [5, 5, 5]],
  ["weekday('2009-07-30')", [3, 3, 3]],
  ["date_add('2016-07-30', 1)", ['2016-07-31', '2016-07-31', '2016-07-31']],
  ["date_sub('2016-07-30', 1)", ['2016-07-29', '2016-07-29', '2016-07-29']],
  ["add_months('2016-08-31', 1)", ['2016-09-30', '2016-09-30', '2016-09-30']],
  ["last_day('2009-01-12')", ['2009-01-31', '2009-01-31', '2009-01-31']],
  ["dayofyear('2016-04-09')", [100, 100, 100]],
  ["weekofyear('2008-02-20')", [8, 8, 8]],
  ["quarter('2016-08-31')", [3, 3, 3]],
  ["hour('2009-07-30 12:58:59') * 10000 + minute('2009-07-30 12:58:59') * 100 + second('2009-07-30 12:58:59')", [125859, 125859, 125859]],
  ["to_date('2009-07-30 04:17:52')", ['2009-07-30', '2009-07-30', '2009-07-30']],
  ["to_date('2016-12-31', 'yyyy-MM-dd')", ['2016-12-31', '2016-12-31', '2016-12-31']],
  ["to_timestamp('2016-12-31 00:12:00')", ['2016-12-31 00:12:00', '2016-12-31 00:12:00', '2016-12-31 00:12:00']],
  ["year('2016-07-30') * 100 + month('2016-07-30')", [201607, 201607, 201607]],
  ["dayofmonth('2009-07-30') + day('2009-07-30')", [60, 60, 60]],
  ["CAST('2024-02-29 10:00:00' AS DATE)", ['2024-02-29', '2024-02-29', '2024-02-29']],
  ['year(opt)', [null, null, null]], // NULL, and text that is not a date
];

describe('Spark SQL formulas become expression-language steps that compute what Spark computes', () => {
  it('the formulas of the real and test fixtures translate (or are refused) as expected', () => {
    const music = formulaNodes('corpus/music-join.flow');
    expect(music.map((n) => sparkToSluice(n.formula).expression)).toEqual(['0.3 * valence + 0.1 * liveness + 0.1 * energy']);
    const ops = formulaNodes('operators.flow');
    expect(sparkToSluice(ops[0]!.formula).expression).toBe('num_medications / (time_in_hospital + 1)');
    // datediff translates; current_date() does not, as its value depends on the day the flow runs
    expect(() => sparkToSluice(ops[1]!.formula)).toThrow(/Spark SQL function current_date\(\) has no translation.*depends on when the flow runs/);
  });

  it.each(SPARK)("%s: the SQL path and the record path give Spark's values", async (formula, want) => {
    const { expression, tree } = sparkToSluice(formula);
    expect(parseExpr(expression)).toEqual(tree); // the text written reads back as the same tree
    const type = typeof want.find((v) => v !== null);
    const r = await fitSteps(engine, 't', [
      { kind: 'compute', output: 'out', expression, type: type === 'string' ? 'string' : type === 'boolean' ? 'boolean' : 'float' },
    ]);
    const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);
    expect(r.rows.map((row) => norm(row.out))).toEqual(want);
    const records = await engine.query('SELECT * FROM t');
    expect(r.applyRecords(records).map((x) => (x.ok ? norm(x.row.out) : x.error.message))).toEqual(want);
  });

  it("music-join's formula imports as a compute step that runs", async () => {
    const { flow } = importWranglerFlow(oneNode('custom_formula', { output_column: 'score', formula: formulaNodes('corpus/music-join.flow')[0]!.formula }));
    expect(flow.steps).toEqual([
      { kind: 'compute', output: 'score', expression: '0.3 * valence + 0.1 * liveness + 0.1 * energy', type: 'float', replace: true },
    ]);
    const r = await fitSteps(engine, 't', flow.steps as Array<Record<string, unknown>>);
    expect(r.rows.map((row) => (row.score === null ? null : Math.round((row.score as number) * 1000) / 1000))).toEqual([0.26, 0.1, null]);
  });

  // Every refusal names what has no translation; the importer's note names the node too.
  it.each([
    ['datediff(current_date(), admit_date)', 'current_date()', 'depends on when the flow runs'],
    ['months_between(a, b)', 'months_between()', 'datediff(end, start) / 31'],
    ["to_date(s, 'dd/MM/yyyy')", 'to_date()', "'dd/MM/yyyy' is another: read the column with a cast step"],
    ["date_format(d, 'y')", 'date_format()', 'datetime_features'],
    ['unix_timestamp(d)', 'unix_timestamp()', 'time zone'],
    ['d + INTERVAL 1 DAY', 'INTERVAL', 'date_add(d, n)'],
    ['avg(x)', 'avg()', 'aggregate'],
    ["regexp_replace(s, 'a', 'b')", 'regexp_replace()', 'find_replace'],
    ['rand() > 0.5', 'rand()', 'not reproducible'],
    ['initcap(s)', 'initcap()', 'change_case'],
    ['reverse(s)', 'reverse()', 'docs/flows.md'],
    ["s RLIKE '^a'", 'RLIKE', 'regex_extract'],
    ['a <=> b', 'null-safe equality <=>', 'a IS NULL'],
    ['!flag', '! (NOT)', 'NOT'],
    ['arr[0]', 'array and map subscripts', 'no translation'],
    ['substring(s, -2)', 'substring()', 'negative start'],
    ['pow(x)', 'pow() is called with 1 argument', '2'],
    ['x +', 'does not parse', 'unexpected end'],
    ['`unclosed', 'unclosed', 'quoted name'],
  ])('refuses %s, naming %s', (formula, named, why) => {
    expect(() => sparkToSluice(formula)).toThrow(named);
    expect(() => sparkToSluice(formula)).toThrow(why);
    const r = importWranglerFlow(oneNode('custom_formula', { output_column: 'out', formula }));
    expect(r.flow.steps).toEqual([
      { kind: 'todo_custom_code', node: 'n1', language: 'spark-sql', code: `out = ${formula}`, name: 'sagemaker.spark.custom_formula_0.1' },
    ]);
    const note = r.notes.find((n) => n.level === 'placeholder')!;
    expect(note.message).toContain('node n1 (sagemaker.spark.custom_formula_0.1)');
    expect(note.message).toContain(named);
  });

  it('writes names and precedence back so that they read as the same tree', () => {
    for (const src of ['a - (b - c)', '(a + b) * c', 'NOT (a AND b)', '"select" || "my col"', 'a - (-3)', "x IN (1, 2) AND y NOT LIKE 'a%'", '(a = b) = c']) {
      expect(parseExpr(exprText(parseExpr(src)))).toEqual(parseExpr(src));
    }
  });
});

describe('custom SQL (SELECT ... FROM df) becomes steps', () => {
  it("the Titanic tutorial's SELECT keeps its columns; its bare 1, 2, 3 are constants in Spark, and a warning says so", () => {
    const sql = 'SELECT survived, age, fare, 1, 2, 3, female, male, C, Q, S\nFROM df;';
    const r = importWranglerFlow(oneNode('custom_code', { operator: 'SQL (PySpark SQL)', sql_parameters: { sql } }));
    expect(r.flow.steps).toEqual([
      { kind: 'compute', output: '1', expression: '1', type: 'integer', replace: true },
      { kind: 'compute', output: '2', expression: '2', type: 'integer', replace: true },
      { kind: 'compute', output: '3', expression: '3', type: 'integer', replace: true },
      { kind: 'select_columns', columns: ['survived', 'age', 'fare', '1', '2', '3', 'female', 'male', 'C', 'Q', 'S'] },
    ]);
    expect(r.notes.filter((n) => n.level === 'warning').map((n) => n.message)).toEqual(
      [1, 2, 3].map((k) => expect.stringContaining(`SELECT item ${k} is the constant ${k} in Spark SQL`)),
    );
    expect(r.notes.filter((n) => n.level === 'placeholder')).toEqual([]);
    expect(parseFlow(JSON.stringify(r.flow), 'titanic.json').steps).toHaveLength(4);
  });

  it('WHERE, expressions, renames, DISTINCT, ORDER BY and LIMIT run in DuckDB as Spark would', async () => {
    const { steps, warnings } = sparkSelectToSteps('select distinct k, s AS text, x * 2 doubled from `df` where k >= 0 or g = "F" order by k desc limit 2');
    expect(steps).toEqual([
      { kind: 'filter_rows', expression: "k >= 0 OR g = 'F'" },
      { kind: 'compute', output: 'doubled', expression: 'x * 2', type: 'float', replace: true },
      { kind: 'rename_columns', mapping: { s: 'text' } },
      { kind: 'select_columns', columns: ['k', 'text', 'doubled'] },
      { kind: 'drop_duplicates' },
      { kind: 'sort', by: [{ column: 'k', descending: true }] },
      { kind: 'sample', method: 'first', n: 2 },
    ]);
    expect(warnings).toEqual([]);
    const r = await fitSteps(engine, 't', steps as Array<Record<string, unknown>>);
    expect(r.rows).toEqual([
      { k: 2, text: 'abcdef', doubled: 7.4 },
      { k: 0, text: null, doubled: null },
    ]);
  });

  it('SELECT *, expression AS name adds a column; ascending ORDER BY warns about where missing values go', () => {
    const { steps, warnings } = sparkSelectToSteps('SELECT *, `x` + 1 AS x1 FROM df ORDER BY x');
    expect(steps).toEqual([
      { kind: 'compute', output: 'x1', expression: 'x + 1', type: 'float' },
      { kind: 'sort', by: ['x'] },
    ]);
    expect(warnings).toEqual(["ORDER BY x: Spark puts missing values first here, Sluice's sort puts them last"]);
  });

  it.each([
    ['SELECT a, count(*) AS n FROM df GROUP BY a', 'GROUP BY'],
    ['SELECT * FROM df JOIN other ON df.id = other.id', 'JOIN'],
    ['SELECT * FROM df UNION SELECT * FROM df', 'set operations'],
    ['SELECT * FROM other', 'FROM other'],
    ['SELECT a + 1 FROM df', 'without a name'],
    ['SELECT a AS b, b AS a FROM df', 'one changes a column the other reads'],
    ['SELECT a, a FROM df', 'two SELECT items named "a"'],
    ['SELECT a, * FROM df', '* after other SELECT items'],
    ['SELECT * FROM df LIMIT 0', 'LIMIT 0'],
    ['SELECT a FROM df ORDER BY b', 'ORDER BY b, a column the SELECT leaves out'],
    ['SELECT a FROM df ORDER BY a + 1', 'ORDER BY a + 1'],
    ['SELECT * FROM df WHERE datediff(current_date(), d) > 3', 'current_date()'],
    ['SELECT * FROM df; DROP TABLE df', 'several statements'],
    ['UPDATE df SET a = 1', 'not SELECT ... FROM df'],
    ['SELECT * FROM df WHERE a IN (SELECT b FROM df)', 'sub-query'],
    ['WITH x AS (SELECT * FROM df) SELECT * FROM x', 'WITH'],
  ])('refuses %s, naming %s', (sql, named) => {
    expect(() => sparkSelectToSteps(sql)).toThrow(named);
    const r = importWranglerFlow(oneNode('custom_code', { operator: 'SQL (PySpark SQL)', sql_parameters: { sql } }));
    expect(r.flow.steps).toEqual([expect.objectContaining({ kind: 'todo_custom_code', node: 'n1', language: 'spark-sql', code: sql })]);
    const note = r.notes.find((n) => n.level === 'placeholder')!;
    expect(note.message).toContain('node n1 (sagemaker.spark.custom_code_0.1: SQL (PySpark SQL))');
    expect(note.message).toContain(named);
  });
});
