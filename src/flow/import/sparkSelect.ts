import type { StepSpec } from '../flowSchema.js';
import { exprColumns, type Expr } from '../expr/parseExpr.js';
import { exprType } from './exprType.js';
import { SparkTranslationError, sparkText, translateSparkText } from './sparkExpr.js';

/**
 * A Data Wrangler custom SQL transform (Spark SQL, one `SELECT ... FROM df`) into Sluice steps,
 * which run in DuckDB and on single records like every other step:
 *
 *   WHERE c          -> filter_rows c
 *   SELECT x AS y    -> compute (an expression), rename_columns (a column), then select_columns
 *   SELECT *, e AS y -> compute (a new column)
 *   DISTINCT         -> drop_duplicates
 *   ORDER BY a DESC  -> sort
 *   LIMIT n          -> sample method: first
 *
 * Expressions go through sparkToSluice. Anything else (joins, GROUP BY, sub-queries, set
 * operations, several statements, a table other than df) throws a SparkTranslationError naming it.
 */
export function sparkSelectToSteps(sql: string): { steps: StepSpec[]; warnings: string[] } {
  const text = sparkText(sql).replace(/;\s*$/, '');
  const mask = masked(text);
  if (mask.includes(';')) refuse('several statements', 'one SELECT ... FROM df per transform');
  for (const [re, what] of [
    [/\bJOIN\b/i, 'JOIN'],
    [/\bGROUP\s+BY\b/i, 'GROUP BY'],
    [/\bHAVING\b/i, 'HAVING'],
    [/\b(UNION|INTERSECT|EXCEPT|MINUS)\b/i, 'set operations (UNION, INTERSECT, EXCEPT)'],
    [/^\s*WITH\b/i, 'WITH (common table expressions)'],
    [/\b(LATERAL|WINDOW|CLUSTER\s+BY|DISTRIBUTE\s+BY|SORT\s+BY|TABLESAMPLE|OFFSET|PIVOT|UNPIVOT)\b/i, 'this clause'],
  ] as const) {
    const m = re.exec(mask);
    if (m)
      refuse(
        what === 'this clause' ? m[0].toUpperCase() : what,
        what === 'JOIN'
          ? 'use a join step with a second flow input'
          : what === 'GROUP BY' || what === 'HAVING'
            ? 'Sluice steps keep one row per record; aggregate before the flow, or use resample for a time series'
            : 'split it into steps',
      );
  }
  const m = /^\s*SELECT\s+(DISTINCT\s+)?(.+?)\s+FROM\s+(.+?)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(.+?))?(?:\s+LIMIT\s+(.+?))?\s*$/dis.exec(mask);
  if (!m) refuse('a statement that is not SELECT ... FROM df [WHERE ...] [ORDER BY ...] [LIMIT n]', 'write it in that form, or with built-in steps');
  const part = (i: number): string | undefined => (m.indices?.[i] ? text.slice(m.indices[i]![0], m.indices[i]![1]) : undefined);
  const from = part(3)!.trim();
  if (!/^("df"|df)$/i.test(from)) refuse(`FROM ${from}`, 'a custom SQL transform reads the table df, the data at this point of the flow');

  const steps: StepSpec[] = [];
  const warnings: string[] = [];
  const where = part(4);
  if (where) steps.push({ kind: 'filter_rows', expression: translateSparkText(where).expression });

  const items = splitTop(part(2)!).map(selectItem);
  const star = items.findIndex((i) => i.star);
  const named = items.filter((i) => !i.star) as Array<Item & { star: false }>;
  const outputs = named.map((i) => i.output);
  const dup = outputs.find((o, k) => outputs.indexOf(o) !== k);
  if (dup) refuse(`two SELECT items named "${dup}"`, 'give each a different name with AS');
  for (const i of named) if (i.warning) warnings.push(i.warning);
  if (star >= 0) {
    if (star !== 0 || items.filter((i) => i.star).length > 1) refuse('* after other SELECT items', 'put * first: SELECT *, expression AS name FROM df');
    for (const i of named) {
      if (i.tree.t === 'col')
        refuse(`SELECT *, ${i.source}`, 'a column is already in *; to copy it, write an expression such as duplicate_column does (kind: duplicate_column)');
      // a new column beside all the others: compute refuses a name that exists, as Spark would make two
      steps.push({ kind: 'compute', output: i.output, expression: i.expression, type: i.type });
    }
  } else {
    // Every SELECT item reads the table as it was: an item may not read a column another replaces.
    for (const i of named) {
      const changes = i.tree.t !== 'col' || i.tree.name !== i.output;
      if (!changes) continue;
      const reader = named.find((j) => j !== i && (j.reads.has(i.output) || (i.tree.t === 'col' && j.reads.has(i.tree.name))));
      if (reader)
        refuse(
          `SELECT items "${i.source}" and "${reader.source}" together (one changes a column the other reads)`,
          'split the SELECT into two transforms, or into steps',
        );
    }
    const renames: Record<string, string> = {};
    for (const i of named) {
      if (i.tree.t === 'col' && i.tree.name !== i.output) renames[i.tree.name] = i.output;
      else if (i.tree.t !== 'col') steps.push({ kind: 'compute', output: i.output, expression: i.expression, type: i.type, replace: true });
    }
    if (Object.keys(renames).length) steps.push({ kind: 'rename_columns', mapping: renames });
    steps.push({ kind: 'select_columns', columns: outputs });
  }
  if (m.indices?.[1]) steps.push({ kind: 'drop_duplicates' });

  const order = part(5);
  if (order) {
    const by = splitTop(order).map((k) => {
      const km = /^\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?\s*$/i.exec(k);
      if (!km) refuse(`ORDER BY ${k.trim()}`, 'sort by columns (an expression can become a compute step first)');
      const column = km[1]!.startsWith('"') ? km[1]!.slice(1, -1).replace(/""/g, '"') : km[1]!;
      const descending = /desc/i.test(km[2] ?? '');
      const nulls = (km[3] ?? (descending ? 'LAST' : 'FIRST')).toUpperCase();
      if (nulls === 'FIRST') warnings.push(`ORDER BY ${column}: Spark puts missing values first here, Sluice's sort puts them last`);
      if (star < 0 && !outputs.includes(column)) refuse(`ORDER BY ${column}, a column the SELECT leaves out`, 'sort by a selected column');
      return descending ? { column, descending: true } : column;
    });
    steps.push({ kind: 'sort', by });
  }
  const limit = part(6);
  if (limit) {
    if (!/^\s*\d+\s*$/.test(limit) || Number(limit) === 0) refuse(`LIMIT ${limit.trim()}`, 'LIMIT takes a whole number of rows above 0');
    steps.push({ kind: 'sample', method: 'first', n: Number(limit) });
  }
  return { steps, warnings };
}

type Item =
  | { star: true }
  | { star: false; source: string; output: string; expression: string; tree: Expr; type: ReturnType<typeof exprType>; reads: Set<string>; warning?: string };

function selectItem(source: string): Item {
  const s = source.trim();
  if (s === '*') return { star: true };
  if (/^[A-Za-z_][A-Za-z0-9_]*\.\*$/.test(s)) refuse(`SELECT ${s}`, 'the table is df; write *');
  const mask = masked(s);
  // `expr AS name`, or `expr name` after something that ends an operand
  const am = /^(.*?)(?:\s+AS\s+|(?<=[A-Za-z0-9_)"'])\s+)("[^"]*"|[A-Za-z_][A-Za-z0-9_]*)\s*$/dis.exec(mask);
  let body = s;
  let alias: string | undefined;
  if (am && !NOT_ALIAS.test(am[2]!) && !/\b(AND|OR|NOT|IS|IN|LIKE|BETWEEN|WHEN|THEN|ELSE|CASE)\s*$/i.test(am[1]!) && am[1]!.trim() !== '') {
    body = s.slice(0, am.indices![1]![1]);
    const raw = s.slice(am.indices![2]![0], am.indices![2]![1]);
    alias = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw;
  }
  const { expression, tree } = translateSparkText(body);
  let output = alias ?? (tree.t === 'col' ? tree.name : undefined);
  let warning: string | undefined;
  if (output === undefined && (tree.t === 'num' || tree.t === 'str')) {
    output = String(tree.v);
    warning = `SELECT item ${body.trim()} is the constant ${JSON.stringify(tree.v)} in Spark SQL, not a column: Data Wrangler made a column "${output}" holding it, and so does the imported flow; to keep a column of that name write it in backticks`;
  }
  if (output === undefined) refuse(`SELECT ${body.trim()} without a name`, 'name it: SELECT expression AS name');
  const type = tree.t === 'num' && Number.isInteger(tree.v) ? 'integer' : exprType(tree);
  return { star: false, source: s, output, expression, tree, type, reads: exprColumns(tree), ...(warning ? { warning } : {}) };
}

/** Words after an expression that are not its alias. */
const NOT_ALIAS = /^(end|null|true|false|and|or|not|is|in|like|between|from|where|asc|desc)$/i;

/** The text with the insides of 'strings', "names" and (parentheses) blanked, same length. */
function masked(text: string): string {
  let out = '';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      out += c === quote ? c : ' ';
      if (c === quote) quote = undefined; // a doubled quote closes and reopens: still blanked alike
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '(') {
      depth++;
      out += c;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      out += c;
    } else out += depth > 0 ? ' ' : c;
  }
  return out;
}

/** Splits at commas outside strings, names and parentheses. */
function splitTop(text: string): string[] {
  const mask = masked(text);
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i <= mask.length; i++) {
    if (i === mask.length || mask[i] === ',') {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  return out;
}

function refuse(what: string, advice: string): never {
  throw new SparkTranslationError(`the custom SQL uses ${what}, which has no translation into Sluice steps (${advice})`, what);
}
