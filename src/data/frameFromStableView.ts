/**
 * {@link frameFromView} without the copy, for a view that gives the same rows in the same order
 * each time it is read (a projection of a table, as the insights report's profile view is).
 * `frameFromView` copies the view into a temporary table first, so a chain of flow steps runs
 * once and the levels and the codes come from the same rows; that copy was most of the report's
 * model frame (83-125 of 144-213 ms CPU at 69,570 rows). Here the levels are counted and the
 * codes read straight from the view, and the order of first appearance is found from the codes
 * in JavaScript: the same frame, level for level and code for code.
 */
import type { Engine } from '../engine/Engine.js';
import type { ColumnReadKind } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import type { Feature } from '../ml/frame.js';
import { type FrameFromViewOptions, frameFromView, MAX_LEVELS, type ViewFrame } from './frameFromView.js';

/**
 * The frame {@link frameFromView} gives, read without copying the view. It falls back to
 * `frameFromView` where that one does more than read: a sample (`maxRows` exceeded), `extra`
 * columns, or a column with more than {@link MAX_LEVELS} values (rare values pooled).
 *
 * Only for views whose rows and order do not change between reads (no sampling or random
 * steps in them): a projection or filter of a table, read in the table's insertion order.
 */
export async function frameFromStableView(engine: Engine, view: string, options: FrameFromViewOptions): Promise<ViewFrame> {
  const { features, target } = options;
  if ((options.extra?.length ?? 0) > 0) return frameFromView(engine, view, options);
  const where = target ? ` WHERE ${quoteIdent(target.column)} IS NOT NULL` : '';
  const [{ n = 0 } = {}] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(view)}${where}`);
  const rows = Number(n);
  if (options.maxRows !== undefined && rows > options.maxRows) return frameFromView(engine, view, options);

  const categorical = features.flatMap((c, i) => (c.kind === 'categorical' ? [{ name: c.name, key: `f${i}` }] : []));
  const texts = [...categorical, ...(target?.cast === 'VARCHAR' ? [{ name: target.column, key: 'y' }] : [])];
  const values = await distinctValues(engine, view, where, texts);
  if ([...values.values()].some((v) => v.length > MAX_LEVELS)) return frameFromView(engine, view, options);

  const text = (c: string) => `${quoteIdent(c)}::VARCHAR`;
  const reads: Array<{ sql: string; kind: ColumnReadKind }> = [
    ...features.map((c, i) =>
      c.kind === 'numeric'
        ? { sql: `${quoteIdent(c.name)}::DOUBLE`, kind: 'double' as const }
        : { sql: enumCodeSql(text(c.name), values.get(`f${i}`)!), kind: 'int32' as const },
    ),
    ...(target
      ? [
          target.cast === 'VARCHAR'
            ? { sql: enumCodeSql(text(target.column), values.get('y')!), kind: 'int32' as const }
            : { sql: `${quoteIdent(target.column)}::DOUBLE`, kind: 'double' as const },
        ]
      : []),
  ];
  // The view's rows in its table's insertion order (DuckDB's preserve_insertion_order, on by default).
  const data =
    reads.length > 0
      ? await engine.readColumns(
          `SELECT ${reads.map((r) => r.sql).join(', ')} FROM ${quoteIdent(view)}${where}`,
          reads.map((r) => r.kind),
        )
      : [];
  const nRows = data.length > 0 ? data[0]!.length : rows;
  const frameFeatures: Feature[] = features.map((c, i) => {
    if (c.kind === 'numeric') return { name: c.name, kind: 'numeric', values: data[i] as Float64Array };
    const { codes, levels } = inFirstAppearance(data[i] as Int32Array, values.get(`f${i}`)!);
    return { name: c.name, kind: 'categorical', codes, levels };
  });
  let targetValues: Array<string | number> | undefined;
  if (target) {
    const y = data[features.length]!;
    if (target.cast === 'VARCHAR') {
      const names = values.get('y')!;
      targetValues = Array.from(y as Int32Array, (code) => names[code]!);
    } else targetValues = Array.from(y as Float64Array);
  }
  return { frame: { nRows, features: frameFeatures }, ...(targetValues ? { targetValues } : {}), extra: [], rows, sampled: false };
}

/** Each column's distinct present values (as text), in no particular order: one query for all columns. */
async function distinctValues(engine: Engine, view: string, where: string, columns: Array<{ name: string; key: string }>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(columns.map((c) => [c.key, []]));
  if (columns.length === 0) return out;
  const v = quoteIdent(view);
  const parts = columns.map((c, i) => {
    const t = `${quoteIdent(c.name)}::VARCHAR`;
    return `SELECT DISTINCT ${i} AS c, ${t} AS v FROM ${v}${where}${where ? ' AND' : ' WHERE'} ${t} IS NOT NULL`;
  });
  const rows = await engine.query<{ c: number; v: string }>(parts.join(' UNION ALL '));
  for (const r of rows) out.get(columns[Number(r.c)]!.key)!.push(r.v);
  return out;
}

/** SQL: the 0-based position of text `c` among `values` (an ENUM lookup), -1 when missing. */
function enumCodeSql(c: string, values: readonly string[]): string {
  if (values.length === 0) return '(-1)::INTEGER';
  return `coalesce(enum_code(TRY_CAST(${c} AS ENUM(${values.map(quoteLiteral).join(', ')})))::INTEGER, -1)`;
}

/**
 * Codes into `values` renumbered in order of first appearance, and the levels in that order
 * (what `frameFromView` gives: levels by their first row). Missing stays -1.
 */
function inFirstAppearance(codes: Int32Array, values: readonly string[]): { codes: Int32Array; levels: string[] } {
  const rank = new Int32Array(values.length).fill(-1);
  const levels: string[] = [];
  for (let r = 0; r < codes.length && levels.length < values.length; r++) {
    const c = codes[r]!;
    if (c >= 0 && rank[c] === -1) {
      rank[c] = levels.length;
      levels.push(values[c]!);
    }
  }
  const out = new Int32Array(codes.length);
  for (let r = 0; r < codes.length; r++) {
    const c = codes[r]!;
    out[r] = c < 0 ? -1 : rank[c]!;
  }
  return { codes: out, levels };
}
