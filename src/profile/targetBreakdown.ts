import type { Engine } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { binSql } from './columnStats.js';
import type { ColumnReport, TargetReport } from './reportSchema.js';

/** Classes shown in the breakdown (the most frequent); the others are left out of it. */
const MAX_CLASSES = 8;

/**
 * The distribution of every feature by target class, for the per-feature charts: numeric
 * features over their histogram bins, the others over their top values. Sets
 * `column.byTarget = { classes, counts[class][bin or top value] }`, from one UNION ALL query.
 */
export async function addTargetBreakdown(engine: Engine, view: string, columns: ColumnReport[], target: TargetReport): Promise<void> {
  if (target.problemType !== 'classification' || !target.classes || target.classes.length < 2) return;
  const classes = target.classes.slice(0, MAX_CLASSES).map((c) => String(c.value));
  const tq = quoteIdent(target.column);
  const v = quoteIdent(view);
  const branches: string[] = [];
  columns.forEach((c, i) => {
    if (c.name === target.column) return;
    const q = quoteIdent(c.name);
    if (c.histogram && c.type === 'numeric') {
      branches.push(`SELECT ${i} AS i, t::VARCHAR AS g, b::VARCHAR AS k, n FROM (SELECT ${tq} AS t, ${binSql(`${q}::DOUBLE`, c.histogram.edges)} AS b, count(*) AS n FROM ${v} WHERE ${q} IS NOT NULL AND ${tq} IS NOT NULL GROUP BY ALL)`);
    } else if (c.topValues && c.topValues.length > 0) {
      const values = c.topValues.map((tv) => quoteLiteral(String(tv.value))).join(', ');
      branches.push(`SELECT ${i} AS i, t::VARCHAR AS g, k::VARCHAR AS k, n FROM (SELECT ${tq} AS t, ${q} AS k, count(*) AS n FROM ${v} WHERE ${q}::VARCHAR IN (${values}) AND ${tq} IS NOT NULL GROUP BY ALL)`);
    }
  });
  if (branches.length === 0) return;
  const rows = await engine.query<{ i: number; g: string; k: string; n: number }>(branches.join('\nUNION ALL\n'));
  const tables = new Map<number, number[][]>();
  columns.forEach((c, i) => {
    const width = c.histogram && c.type === 'numeric' ? c.histogram.counts.length : c.topValues?.length ?? 0;
    if (c.name !== target.column && width > 0) tables.set(i, classes.map(() => new Array<number>(width).fill(0)));
  });
  for (const r of rows) {
    const c = columns[r.i]!;
    const table = tables.get(r.i);
    const g = classes.indexOf(r.g);
    if (!table || g < 0) continue;
    const k = c.histogram && c.type === 'numeric' ? Math.min(Math.max(Number(r.k), 0), c.histogram.counts.length - 1) : (c.topValues ?? []).findIndex((tv) => String(tv.value) === r.k);
    if (k >= 0) table[g]![k]! += Number(r.n);
  }
  for (const [i, counts] of tables) columns[i]!.byTarget = { classes, counts };
}
