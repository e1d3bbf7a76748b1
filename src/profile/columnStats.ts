import { isNumericType, type ColumnSchema } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { classifyColumn } from './classifyColumn.js';
import { NUMBER_TEXT, weightedHistogram, weightedMoments, weightedQuantiles } from './frequencyStats.js';
import type { ColumnReport, TopValue } from './reportSchema.js';
import { type JointCounts, jointValueCountsSql } from './jointCounts.js';
import { dbl, finiteOrNull, jsonCell } from './sqlNumbers.js';
import type { Thresholds } from './thresholds.js';

/** Quantile probabilities reported for numeric columns. */
export const QUANTILE_PROBS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/** Columns with at most this many distinct values are summarised from their frequency table. */
export const FREQUENCY_TABLE_MAX = 5000;

interface Freq {
  distinct: number;
  nonMissing: number;
  /** Every value (low-cardinality columns) or only the most frequent ones, by count descending. */
  rows: Array<{ x: number | null; s: string | null; n: number }>;
}

/**
 * Per-column statistics in as few passes as the data allows. Pass 1 groups every column by
 * value (one UNION ALL query): columns with at most {@link FREQUENCY_TABLE_MAX} distinct values
 * (most columns of tabular data) are summarised entirely from that frequency table; for the
 * others pass 1 gives the distinct count and top values, and pass 2 computes moments, quantiles
 * and text checks in SQL, pass 3 their histograms and outliers. Only aggregates leave DuckDB.
 * Statistics follow pandas (std ddof 1, bias-corrected skewness and kurtosis, linear quantiles,
 * numpy.histogram bins) and are tested against it. Given `joint` (the value counts split by the
 * target, `createJointCounts`), pass 1 sums those instead of grouping the rows again.
 */
export async function computeColumnStats(
  engine: Engine,
  view: string,
  schema: ColumnSchema[],
  rows: number,
  t: Thresholds,
  joint?: JointCounts,
): Promise<ColumnReport[]> {
  if (schema.length === 0) return [];
  const v = quoteIdent(view);
  const freqs = await frequencyTables(engine, v, schema, t, joint);
  const reports = schema.map((c, i) => baseReport(c, freqs[i]!, rows, t.topValues));
  const full = (i: number) => freqs[i]!.distinct <= FREQUENCY_TABLE_MAX;

  // Low-cardinality columns: everything from the frequency table.
  schema.forEach((c, i) => {
    if (!full(i)) return;
    const f = freqs[i]!;
    const r = reports[i]!;
    if (isNumericType(c.type)) Object.assign(r, numericFromFrequencies(f, t));
    else if (c.type === 'string') Object.assign(r, textFromFrequencies(f, t));
  });

  // High-cardinality columns, and the range of dates: aggregates in SQL.
  const parts: string[] = [];
  const tokens = `(${t.missingTokens.map(quoteLiteral).join(', ') || "''"})`;
  schema.forEach((c, i) => {
    const q = quoteIdent(c.name);
    if (c.type === 'date' || c.type === 'timestamp') parts.push(`min(${q})::VARCHAR AS c${i}_min`, `max(${q})::VARCHAR AS c${i}_max`);
    if (full(i)) return;
    if (isNumericType(c.type)) {
      const x = `${q}::DOUBLE`;
      parts.push(
        `min(${x}) AS c${i}_min`,
        `max(${x}) AS c${i}_max`,
        `avg(${x}) AS c${i}_mean`,
        `stddev_samp(${x}) AS c${i}_std`,
        `skewness(${x}) AS c${i}_skew`,
        `kurtosis(${x}) AS c${i}_kurt`,
        `count_if(${x} = 0) AS c${i}_zeros`,
        `quantile_cont(${x}, [${QUANTILE_PROBS.join(', ')}]) AS c${i}_q`,
      );
    } else if (c.type === 'string') {
      const s = `lower(trim(${q}::VARCHAR))`;
      parts.push(
        `count_if(${s} IN ${tokens}) AS c${i}_tok`,
        `count_if(${s} NOT IN ${tokens} AND TRY_CAST(trim(${q}::VARCHAR) AS DOUBLE) IS NOT NULL) AS c${i}_num`,
        `avg(length(${q}::VARCHAR)) AS c${i}_len`,
      );
    }
  });
  if (parts.length > 0) {
    const [agg = {}] = await engine.query(`SELECT ${parts.join(', ')} FROM ${v}`);
    schema.forEach((c, i) => {
      const r = reports[i]!;
      if (c.type === 'date' || c.type === 'timestamp') {
        r.min = jsonCell(agg[`c${i}_min`]);
        r.max = jsonCell(agg[`c${i}_max`]);
      }
      if (full(i)) return;
      if (isNumericType(c.type)) {
        const q = (agg[`c${i}_q`] as unknown[] | null) ?? [];
        const std = finiteOrNull(agg[`c${i}_std`]);
        // DuckDB gives NaN for the shape of a constant column; pandas gives 0.
        const shape = (k: string) => finiteOrNull(agg[k]) ?? (std === 0 ? 0 : null);
        Object.assign(r, {
          min: finiteOrNull(agg[`c${i}_min`]),
          max: finiteOrNull(agg[`c${i}_max`]),
          mean: finiteOrNull(agg[`c${i}_mean`]),
          median: finiteOrNull(q[QUANTILE_PROBS.indexOf(0.5)]),
          std,
          skewness: shape(`c${i}_skew`),
          kurtosis: shape(`c${i}_kurt`),
          zeros: Number(agg[`c${i}_zeros`] ?? 0),
          quantiles: Object.fromEntries(QUANTILE_PROBS.map((p, k) => [String(p), finiteOrNull(q[k])])),
        });
      } else if (c.type === 'string') {
        r.disguisedMissing = Number(agg[`c${i}_tok`] ?? 0);
        r.numericShare = f(i) > 0 ? Number(agg[`c${i}_num`] ?? 0) / f(i) : 0;
        r.meanLength = finiteOrNull(agg[`c${i}_len`]);
      }
    });
  }
  function f(i: number): number {
    return freqs[i]!.nonMissing;
  }

  await sqlHistograms(
    engine,
    v,
    schema,
    reports,
    schema.map((_, i) => isNumericType(schema[i]!.type) && !full(i)),
    t,
  );
  for (const r of reports) r.type = classifyColumn(r.storageType as ColumnSchema['type'], r.distinct, rows - r.missing, r.meanLength ?? null);
  return reports;
}

/** Pass 1: value counts of every column; all of them for low-cardinality columns, the top ones otherwise. */
async function frequencyTables(engine: Engine, v: string, schema: ColumnSchema[], t: Thresholds, joint?: JointCounts): Promise<Freq[]> {
  const branches = joint
    ? [jointValueCountsSql(joint)]
    : schema.map((c, i) => {
        const q = quoteIdent(c.name);
        return isNumericType(c.type)
          ? `SELECT ${i} AS i, ${q}::DOUBLE AS x, NULL::VARCHAR AS s, count(*) AS n FROM ${v} WHERE ${q} IS NOT NULL GROUP BY 2`
          : `SELECT ${i} AS i, NULL::DOUBLE AS x, ${q}::VARCHAR AS s, count(*) AS n FROM ${v} WHERE ${q} IS NOT NULL GROUP BY 3`;
      });
  const rows = await engine.query<{ i: number; x: number | null; s: string | null; n: number; d: number; nn: number }>(
    `SELECT i, x, s, n, d, nn FROM (SELECT *, count(*) OVER (PARTITION BY i) AS d, sum(n) OVER (PARTITION BY i) AS nn, row_number() OVER (PARTITION BY i ORDER BY n DESC, x, s) AS rk FROM (${branches.join('\nUNION ALL\n')}))
     WHERE d <= ${FREQUENCY_TABLE_MAX} OR rk <= ${t.topValues} ORDER BY i, n DESC, x, s`,
  );
  const out: Freq[] = schema.map(() => ({ distinct: 0, nonMissing: 0, rows: [] }));
  for (const r of rows) {
    const f = out[r.i]!;
    f.distinct = Number(r.d);
    f.nonMissing = Number(r.nn);
    f.rows.push({ x: r.x === null ? null : Number(r.x), s: r.s, n: Number(r.n) });
  }
  return out;
}

function baseReport(c: ColumnSchema, f: Freq, rows: number, topValues: number): ColumnReport {
  const missing = rows - f.nonMissing;
  const top: TopValue[] = f.rows.slice(0, topValues).map((r) => ({
    value: isNumericType(c.type) ? r.x : c.type === 'boolean' ? r.s === 'true' : r.s,
    count: r.n,
    share: r.n / Math.max(1, f.nonMissing),
  }));
  const report: ColumnReport = {
    name: c.name,
    type: 'categorical',
    storageType: c.type,
    missing,
    missingShare: rows > 0 ? missing / rows : 0,
    distinct: f.distinct,
  };
  return { ...report, topValues: top };
}

function numericFromFrequencies(f: Freq, t: Thresholds): Partial<ColumnReport> {
  const sorted = f.rows.filter((r) => r.x !== null).sort((a, b) => a.x! - b.x!);
  const xs = Float64Array.from(sorted, (r) => r.x!);
  const ns = Float64Array.from(sorted, (r) => r.n);
  if (xs.length === 0) return {};
  const m = weightedMoments(xs, ns);
  const q = weightedQuantiles(xs, ns, QUANTILE_PROBS);
  const min = xs[0]!;
  const max = xs[xs.length - 1]!;
  const q1 = q[QUANTILE_PROBS.indexOf(0.25)]!;
  const q3 = q[QUANTILE_PROBS.indexOf(0.75)]!;
  const lo = q1 - t.outlierIqrFactor * (q3 - q1);
  const hi = q3 + t.outlierIqrFactor * (q3 - q1);
  let outliers = 0;
  let zeros = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! < lo || xs[i]! > hi) outliers += ns[i]!;
    if (xs[i] === 0) zeros += ns[i]!;
  }
  return {
    min,
    max,
    mean: m.mean,
    median: q[QUANTILE_PROBS.indexOf(0.5)] ?? null,
    std: m.std,
    skewness: m.skewness,
    kurtosis: m.kurtosis,
    zeros,
    quantiles: Object.fromEntries(QUANTILE_PROBS.map((p, k) => [String(p), q[k] ?? null])),
    outliers,
    outlierBounds: [lo, hi],
    histogram: weightedHistogram(xs, ns, histogramEdges(min, max, t.histogramBins)),
  };
}

function textFromFrequencies(f: Freq, t: Thresholds): Partial<ColumnReport> {
  const tokens = new Set(t.missingTokens);
  let tok = 0;
  let num = 0;
  let len = 0;
  for (const r of f.rows) {
    const s = r.s ?? '';
    const trimmed = s.trim();
    if (tokens.has(trimmed.toLowerCase())) tok += r.n;
    else if (NUMBER_TEXT.test(trimmed)) num += r.n;
    len += [...s].length * r.n;
  }
  return { disguisedMissing: tok, numericShare: f.nonMissing > 0 ? num / f.nonMissing : 0, meanLength: f.nonMissing > 0 ? len / f.nonMissing : null };
}

/** numpy.histogram's edges: `linspace(min, max, bins + 1)`, widened by 0.5 when min = max. */
export function histogramEdges(min: number, max: number, bins: number): number[] {
  const [lo, hi] = min === max ? [min - 0.5, max + 0.5] : [min, max];
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, k) => k * step + lo);
  edges[bins] = hi;
  return edges;
}

/**
 * SQL for numpy.histogram's bin of `x` over `edges`: the index from the scaled offset, then
 * corrected against the exact edges (numpy's fast path), the last bin closed.
 */
export function binSql(x: string, edges: number[]): string {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const norm = bins / (edges[bins]! - first);
  const list = `[${edges.map(dbl).join(', ')}]`;
  const b0 = `LEAST(floor((${x} - ${dbl(first)}) * ${dbl(norm)})::INT, ${bins - 1})`;
  return `(${b0} - (${x} < ${list}[${b0} + 1])::INT + (${b0} < ${bins - 1} AND ${x} >= ${list}[${b0} + 2])::INT)`;
}

/** Histograms and outlier counts of high-cardinality numeric columns, in one query. */
async function sqlHistograms(engine: Engine, v: string, schema: ColumnSchema[], reports: ColumnReport[], wanted: boolean[], t: Thresholds): Promise<void> {
  const bins = t.histogramBins;
  const branches: string[] = [];
  reports.forEach((r, i) => {
    if (!wanted[i] || typeof r.min !== 'number' || typeof r.max !== 'number') return;
    const edges = histogramEdges(r.min, r.max, bins);
    r.histogram = { edges, counts: new Array<number>(bins).fill(0) };
    r.outliers = 0;
    const q1 = r.quantiles?.['0.25'] ?? r.min;
    const q3 = r.quantiles?.['0.75'] ?? r.max;
    const lo = q1 - t.outlierIqrFactor * (q3 - q1);
    const hi = q3 + t.outlierIqrFactor * (q3 - q1);
    r.outlierBounds = [lo, hi];
    branches.push(`SELECT ${i} AS i, ${binSql('x', edges)} AS b, count(*) AS n, count_if(x < ${dbl(lo)} OR x > ${dbl(hi)}) AS o
      FROM (SELECT ${quoteIdent(schema[i]!.name)}::DOUBLE AS x FROM ${v}) WHERE x IS NOT NULL GROUP BY ALL`);
  });
  if (branches.length === 0) return;
  for (const row of await engine.query<{ i: number; b: number; n: number; o: number }>(branches.join('\nUNION ALL\n'))) {
    const r = reports[row.i]!;
    const b = Math.min(Math.max(Number(row.b), 0), bins - 1);
    r.histogram!.counts[b] = (r.histogram!.counts[b] ?? 0) + Number(row.n);
    r.outliers = (r.outliers ?? 0) + Number(row.o);
  }
}
