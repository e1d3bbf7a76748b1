/**
 * Types from data, not from one value (docs/data.md, "Types from data"). The readers leave text
 * as text except where every value of a column says otherwise:
 *
 * - **boolean** when every value is `true`/`false` (any case), or every value is `yes`/`no` and
 *   both occur. A column whose only value is `no` stays text; `0`/`1` stay integers.
 * - **date** when every value is a date written in one of {@link DATE_FORMATS} (`Jun 12 1998`,
 *   `12 June 1998`, `1998/06/12`; `12/06/1998` only with a stated day/month order). ISO dates
 *   and timestamps are typed by the CSV reader itself.
 *
 * "Every value" means every value that is not missing, over the whole column: a column with one
 * value that does not fit stays text, so no value is ever turned into a missing one by a guess.
 */
import { dateFormatsFor, type DateFormat, type DateOrder } from '../core/dateFormats.js';
import { dateFromTextSql } from './dateSql.js';
import type { Engine } from './Engine.js';
import { quoteIdent } from './sql.js';

export interface RecogniseOptions {
  /** The stated day/month order of numeric dates (`12/06/1998`); without it they stay text. */
  dateOrder?: DateOrder;
}

export type Recognised = { type: 'boolean' } | { type: 'date'; format: DateFormat };

/** Values of the first rows tested before a whole column is: most text columns end here. */
const PROBE_ROWS = 2000;

/**
 * Which of the text columns `names` of `relation` hold booleans or dates, by the rules above.
 * Two passes: the first rows rule most columns out; the survivors are checked on every row.
 */
export async function recogniseTypes(
  engine: Engine,
  relation: string,
  names: readonly string[],
  options: RecogniseOptions = {},
): Promise<Map<string, Recognised>> {
  const found = new Map<string, Recognised>();
  if (names.length === 0) return found;
  const formats = dateFormatsFor(options.dateOrder);
  const all = names.map((name) => ({ name, checks: ['bool', ...formats.map((f) => f.id)] }));
  const probe = await survivors(engine, `(SELECT ${names.map(quoteIdent).join(', ')} FROM ${relation} LIMIT ${PROBE_ROWS})`, all, formats);
  if (probe.length === 0) return found;
  for (const s of await survivors(engine, relation, probe, formats)) {
    const check = s.checks[0]!;
    if (check === 'bool') found.set(s.name, { type: 'boolean' });
    else found.set(s.name, { type: 'date', format: formats.find((f) => f.id === check)! });
  }
  return found;
}

/** SQL: a recognised text column `expr` in its type. */
export function recognisedSql(expr: string, r: Recognised): string {
  if (r.type === 'date') return dateFromTextSql(expr, r.format);
  const v = `lower(trim(${expr}, ' '))`;
  return `CASE WHEN ${v} IN ('true', 'yes') THEN true WHEN ${v} IN ('false', 'no') THEN false END`;
}

/** The columns, each with the checks every one of its present values passes (none: left out). */
async function survivors(
  engine: Engine,
  source: string,
  columns: Array<{ name: string; checks: string[] }>,
  formats: DateFormat[],
): Promise<Array<{ name: string; checks: string[] }>> {
  const aggs = columns.flatMap((c, i) => {
    const q = quoteIdent(c.name);
    const v = `lower(trim(${q}, ' '))`;
    return [
      `count(${q}) AS n${i}`,
      ...c.checks.flatMap((check, j) =>
        check === 'bool'
          ? [
              `count(*) FILTER (WHERE ${v} IN ('true', 'false')) AS tf${i}`,
              `count(*) FILTER (WHERE ${v} = 'yes') AS y${i}`,
              `count(*) FILTER (WHERE ${v} = 'no') AS no${i}`,
            ]
          : [`count(${dateFromTextSql(q, formats.find((f) => f.id === check)!)}) AS f${i}_${j}`],
      ),
    ];
  });
  const [row = {}] = await engine.query(`SELECT ${aggs.join(', ')} FROM ${source}`);
  const num = (k: string): number => Number(row[k] ?? 0);
  const out: Array<{ name: string; checks: string[] }> = [];
  columns.forEach((c, i) => {
    const n = num(`n${i}`);
    if (n === 0) return;
    const pass = c.checks.filter((check, j) =>
      check === 'bool' ? num(`tf${i}`) === n || (num(`y${i}`) > 0 && num(`no${i}`) > 0 && num(`y${i}`) + num(`no${i}`) === n) : num(`f${i}_${j}`) === n,
    );
    if (pass.length > 0) out.push({ name: c.name, checks: pass });
  });
  return out;
}
