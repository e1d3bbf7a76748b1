import { isNumericType, type ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { classifyColumn } from './classifyColumn.js';
import type { ColumnReport, Histogram, TopValue } from './reportSchema.js';
import { dbl, finiteOrNull, jsonCell } from './sqlNumbers.js';
import type { Thresholds } from './thresholds.js';

/** Quantile probabilities reported for numeric columns. */
export const QUANTILE_PROBS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/**
 * Per-column statistics in three aggregate passes over the profile view: (1) counts, moments,
 * quantiles and text checks for every column in one query; (2) histograms and outlier counts of
 * numeric columns in one query; (3) top values of every column in one query. Only aggregates
 * leave DuckDB. Statistics follow pandas' conventions (std ddof=1, bias-corrected skew and
 * kurtosis, linear quantiles, numpy.histogram bins) so they can be checked against pandas.
 */
export async function computeColumnStats(engine: Engine, view: string, schema: ColumnSchema[], rows: number, t: Thresholds): Promise<ColumnReport[]> {
  if (schema.length === 0) return [];
  const v = quoteIdent(view);
  const tokens = `(${t.missingTokens.map(quoteLiteral).join(', ') || "''"})`;
  const parts: string[] = [];
  schema.forEach((c, i) => {
    const q = quoteIdent(c.name);
    parts.push(`count(${q}) AS c${i}_nn`, `count(DISTINCT ${q}) AS c${i}_d`);
    if (isNumericType(c.type)) {
      const x = `${q}::DOUBLE`;
      parts.push(
        `min(${x}) AS c${i}_min`, `max(${x}) AS c${i}_max`, `avg(${x}) AS c${i}_mean`, `stddev_samp(${x}) AS c${i}_std`,
        `skewness(${x}) AS c${i}_skew`, `kurtosis(${x}) AS c${i}_kurt`, `count_if(${x} = 0) AS c${i}_zeros`,
        `quantile_cont(${x}, [${QUANTILE_PROBS.join(', ')}]) AS c${i}_q`,
      );
    } else if (c.type === 'string') {
      const s = `lower(trim(${q}::VARCHAR))`;
      parts.push(
        `count_if(${s} IN ${tokens}) AS c${i}_tok`,
        `count_if(${s} NOT IN ${tokens} AND TRY_CAST(trim(${q}::VARCHAR) AS DOUBLE) IS NOT NULL) AS c${i}_num`,
        `avg(length(${q}::VARCHAR)) AS c${i}_len`,
      );
    } else if (c.type === 'date' || c.type === 'timestamp') {
      parts.push(`min(${q})::VARCHAR AS c${i}_min`, `max(${q})::VARCHAR AS c${i}_max`);
    }
  });
  const [agg = {}] = await engine.query(`SELECT ${parts.join(', ')} FROM ${v}`);

  const reports: ColumnReport[] = schema.map((c, i) => {
    const nonMissing = Number(agg[`c${i}_nn`] ?? 0);
    const distinct = Number(agg[`c${i}_d`] ?? 0);
    const missing = rows - nonMissing;
    const base: ColumnReport = {
      name: c.name,
      type: 'categorical',
      storageType: c.type,
      missing,
      missingShare: rows > 0 ? missing / rows : 0,
      distinct,
    };
    if (isNumericType(c.type)) {
      const q = (agg[`c${i}_q`] as unknown[] | null) ?? [];
      Object.assign(base, {
        min: finiteOrNull(agg[`c${i}_min`]),
        max: finiteOrNull(agg[`c${i}_max`]),
        mean: finiteOrNull(agg[`c${i}_mean`]),
        median: finiteOrNull(q[QUANTILE_PROBS.indexOf(0.5)]),
        std: finiteOrNull(agg[`c${i}_std`]),
        skewness: finiteOrNull(agg[`c${i}_skew`]),
        kurtosis: finiteOrNull(agg[`c${i}_kurt`]),
        zeros: Number(agg[`c${i}_zeros`] ?? 0),
        quantiles: Object.fromEntries(QUANTILE_PROBS.map((p, k) => [String(p), finiteOrNull(q[k])])),
      });
    } else if (c.type === 'string') {
      const tok = Number(agg[`c${i}_tok`] ?? 0);
      base.disguisedMissing = tok;
      base.numericShare = nonMissing > 0 ? Number(agg[`c${i}_num`] ?? 0) / nonMissing : 0;
      base.meanLength = finiteOrNull(agg[`c${i}_len`]);
    } else if (c.type === 'date' || c.type === 'timestamp') {
      base.min = jsonCell(agg[`c${i}_min`]);
      base.max = jsonCell(agg[`c${i}_max`]);
    }
    base.type = classifyColumn(c.type, distinct, nonMissing, base.meanLength ?? null);
    return base;
  });

  await addHistograms(engine, v, schema, reports, t);
  await addTopValues(engine, v, schema, reports, rows, t);
  return reports;
}

/** numpy.histogram's edges: `linspace(min, max, bins + 1)`, widened by 0.5 when min = max. */
export function histogramEdges(min: number, max: number, bins: number): number[] {
  const [lo, hi] = min === max ? [min - 0.5, max + 0.5] : [min, max];
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => k * step + lo);
  edges[bins] = hi;
  return edges;
}

async function addHistograms(engine: Engine, v: string, schema: ColumnSchema[], reports: ColumnReport[], t: Thresholds): Promise<void> {
  const bins = t.histogramBins;
  const branches: string[] = [];
  const edgesOf = new Map<number, number[]>();
  reports.forEach((r, i) => {
    const c = schema[i]!;
    if (!isNumericType(c.type) || typeof r.min !== 'number' || typeof r.max !== 'number') return;
    const edges = histogramEdges(r.min, r.max, bins);
    edgesOf.set(i, edges);
    const q1 = r.quantiles?.['0.25'] ?? r.min;
    const q3 = r.quantiles?.['0.75'] ?? r.max;
    const iqr = q3 - q1;
    const lo = q1 - t.outlierIqrFactor * iqr;
    const hi = q3 + t.outlierIqrFactor * iqr;
    r.outlierBounds = [lo, hi];
    const first = edges[0]!;
    const norm = bins / (edges[bins]! - first);
    const list = `[${edges.map(dbl).join(', ')}]`;
    // numpy's fast path: index from the scaled offset, then corrected against the exact edges.
    branches.push(`SELECT ${i} AS i, b0 - (x < ${list}[b0 + 1])::INT + (b0 < ${bins - 1} AND x >= ${list}[b0 + 2])::INT AS b, count(*) AS n, count_if(x < ${dbl(lo)} OR x > ${dbl(hi)}) AS o
      FROM (SELECT x, LEAST(floor((x - ${dbl(first)}) * ${dbl(norm)})::INT, ${bins - 1}) AS b0 FROM (SELECT ${quoteIdent(c.name)}::DOUBLE AS x FROM ${v}) WHERE x IS NOT NULL) GROUP BY ALL`);
  });
  if (branches.length === 0) return;
  const rowsOut = await engine.query<{ i: number; b: number; n: number; o: number }>(branches.join('\nUNION ALL\n'));
  const hist = new Map<number, Histogram>();
  for (const [i, edges] of edgesOf) hist.set(i, { edges, counts: new Array<number>(bins).fill(0) });
  const outliers = new Map<number, number>();
  for (const row of rowsOut) {
    const h = hist.get(row.i)!;
    const b = Math.min(Math.max(Number(row.b), 0), bins - 1);
    h.counts[b] = (h.counts[b] ?? 0) + Number(row.n);
    outliers.set(row.i, (outliers.get(row.i) ?? 0) + Number(row.o));
  }
  for (const [i, h] of hist) {
    reports[i]!.histogram = h;
    reports[i]!.outliers = outliers.get(i) ?? 0;
  }
}

async function addTopValues(engine: Engine, v: string, schema: ColumnSchema[], reports: ColumnReport[], rows: number, t: Thresholds): Promise<void> {
  const branches = schema.map((c, i) => {
    const q = quoteIdent(c.name);
    return `SELECT ${i} AS i, ${q}::VARCHAR AS v, count(*) AS n FROM ${v} WHERE ${q} IS NOT NULL GROUP BY ${q}`;
  });
  const rowsOut = await engine.query<{ i: number; v: string; n: number }>(
    `SELECT i, v, n FROM (${branches.join('\nUNION ALL\n')}) QUALIFY row_number() OVER (PARTITION BY i ORDER BY n DESC, v) <= ${t.topValues} ORDER BY i, n DESC, v`,
  );
  const tops = new Map<number, TopValue[]>();
  for (const row of rowsOut) {
    const c = schema[row.i]!;
    const r = reports[row.i]!;
    const value = isNumericType(c.type) ? Number(row.v) : c.type === 'boolean' ? row.v === 'true' : row.v;
    const list = tops.get(row.i) ?? [];
    list.push({ value, count: Number(row.n), share: Number(row.n) / Math.max(1, rows - r.missing) });
    tops.set(row.i, list);
  }
  for (const [i, list] of tops) reports[i]!.topValues = list;
}

