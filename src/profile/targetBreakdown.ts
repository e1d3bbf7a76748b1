import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { binSql, FREQUENCY_TABLE_MAX } from './columnStats.js';
import { correlationRatio } from './correlationRatio.js';
import { histogramBin } from './frequencyStats.js';
import type { JointCounts } from './jointCounts.js';
import type { ColumnReport, Correlations, TargetReport } from './reportSchema.js';
import { cramersV, denseTable } from './stats.js';
import type { Thresholds } from './thresholds.js';

/** Classes shown in the breakdown (the most frequent); the others are left out of it. */
const MAX_CLASSES = 8;

type Assoc = Correlations['target'][number];

/**
 * For a classification target: every feature's distribution by target class (for the
 * per-feature charts: numeric features over their histogram bins, the others over their top
 * values; `column.byTarget = { classes, counts[class][bin or top value] }`), and, from the same
 * counts, the feature's association with the target (Cramér's V, or the correlation ratio for
 * numeric features). Low-cardinality features come from one query of (target, value) counts;
 * high-cardinality numeric features are binned in SQL and their association is left to
 * `computeCorrelations`. Returns the associations it computed. Given `joint` (the value counts
 * split by this target, from which the column statistics were summed), the counts are read from
 * it instead of grouping the rows again: the same cells.
 */
export async function addTargetBreakdown(
  engine: Engine,
  view: string,
  columns: ColumnReport[],
  target: TargetReport,
  t: Thresholds,
  joint?: JointCounts,
): Promise<Assoc[]> {
  if (target.problemType !== 'classification' || !target.classes || target.classes.length < 2) return [];
  const classes = target.classes.slice(0, MAX_CLASSES).map((c) => String(c.value));
  const tq = quoteIdent(target.column);
  const v = quoteIdent(view);
  const isNum = (c: ColumnReport) => c.storageType === 'integer' || c.storageType === 'float';
  const features = columns.map((c, i) => ({ c, i })).filter(({ c }) => c.name !== target.column && c.type !== 'datetime');
  const jointFeatures = features.filter(({ c }) => c.distinct <= FREQUENCY_TABLE_MAX);
  const binned = features.filter(({ c }) => c.distinct > FREQUENCY_TABLE_MAX && c.histogram && c.type === 'numeric');

  const fromJoint = joint?.target === target.column ? quoteIdent(joint.table) : undefined;
  const branches = fromJoint
    ? jointFeatures.length > 0
      ? [`SELECT i, g::VARCHAR AS g, x, s, n FROM ${fromJoint} WHERE g IS NOT NULL AND i IN (${jointFeatures.map(({ i }) => i).join(', ')})`]
      : []
    : jointFeatures.map(({ c, i }) => {
        const q = quoteIdent(c.name);
        const x = isNum(c) ? 'f::DOUBLE' : 'NULL::DOUBLE';
        const s = isNum(c) ? 'NULL::VARCHAR' : 'f::VARCHAR';
        return `SELECT ${i} AS i, t::VARCHAR AS g, ${x} AS x, ${s} AS s, n FROM (SELECT ${tq} AS t, ${q} AS f, count(*) AS n FROM ${v} WHERE ${q} IS NOT NULL AND ${tq} IS NOT NULL GROUP BY ALL)`;
      });
  for (const { c, i } of binned) {
    const q = quoteIdent(c.name);
    if (fromJoint && isNum(c)) {
      // The joint table holds the value as DOUBLE (x), as the query below bins it.
      branches.push(
        `SELECT i, g::VARCHAR AS g, b::DOUBLE AS x, NULL::VARCHAR AS s, n FROM (SELECT i, g, ${binSql('x', c.histogram!.edges)} AS b, sum(n)::BIGINT AS n FROM ${fromJoint} WHERE i = ${i} AND g IS NOT NULL GROUP BY ALL)`,
      );
      continue;
    }
    branches.push(
      `SELECT ${i} AS i, t::VARCHAR AS g, b::DOUBLE AS x, NULL::VARCHAR AS s, n FROM (SELECT ${tq} AS t, ${binSql(`${q}::DOUBLE`, c.histogram!.edges)} AS b, count(*) AS n FROM ${v} WHERE ${q} IS NOT NULL AND ${tq} IS NOT NULL GROUP BY ALL)`,
    );
  }
  if (branches.length === 0) return [];
  const cells = new Map<number, Array<{ g: string; x: number | null; s: string | null; n: number }>>();
  for (const r of await engine.query<{ i: number; g: string; x: number | null; s: string | null; n: number }>(
    // Ordered: the associations sum the cells in this order, so the same data gives the same digits.
    `${branches.join('\nUNION ALL\n')}${fromJoint ? '\nORDER BY i, g, x, s' : ''}`,
  )) {
    const list = cells.get(r.i) ?? [];
    list.push({ g: r.g, x: r.x === null ? null : Number(r.x), s: r.s, n: Number(r.n) });
    cells.set(r.i, list);
  }

  const out: Assoc[] = [];
  const isBinned = new Set(binned.map(({ i }) => i));
  for (const { c, i } of features) {
    const list = cells.get(i) ?? [];
    const numericChart = c.type === 'numeric' && c.histogram;
    const width = numericChart ? c.histogram!.counts.length : (c.topValues?.length ?? 0);
    if (width > 0 && (jointFeatures.some((f) => f.i === i) || isBinned.has(i))) {
      const counts = classes.map(() => new Array<number>(width).fill(0));
      for (const cell of list) {
        const g = classes.indexOf(cell.g);
        if (g < 0) continue;
        let k: number;
        if (isBinned.has(i)) k = Math.min(Math.max(cell.x ?? 0, 0), width - 1);
        else if (numericChart) k = histogramBin(cell.x!, c.histogram!.edges);
        else k = (c.topValues ?? []).findIndex((tv) => (cell.x !== null ? tv.value === cell.x : String(tv.value) === cell.s));
        if (k >= 0) counts[g]![k]! += cell.n;
      }
      c.byTarget = { classes, counts };
    }
    if (isBinned.has(i) || !jointFeatures.some((f) => f.i === i)) continue;
    if (c.type === 'numeric') {
      const byClass = new Map<string, { n: number; sum: number; xs: Array<[number, number]> }>();
      for (const cell of list) {
        const e = byClass.get(cell.g) ?? { n: 0, sum: 0, xs: [] };
        e.n += cell.n;
        e.sum += cell.n * cell.x!;
        e.xs.push([cell.x!, cell.n]);
        byClass.set(cell.g, e);
      }
      const groups = [...byClass.values()].map((e) => {
        const mean = e.sum / e.n;
        const m2 = e.xs.reduce((a, [x, n]) => a + n * (x - mean) ** 2, 0);
        return { n: e.n, mean, varPop: m2 / e.n };
      });
      out.push({ feature: c.name, method: 'correlation_ratio', value: correlationRatio(groups) });
    } else if (c.distinct <= t.cramersMaxDistinct) {
      out.push({
        feature: c.name,
        method: 'cramers_v',
        value: cramersV(denseTable(list.map((cell) => ({ x: cell.s ?? String(cell.x), y: cell.g, n: cell.n })))),
      });
    } else out.push({ feature: c.name, method: 'cramers_v', value: null });
  }
  return out;
}
