import { quoteIdent } from '../../engine/sql.js';
import type { FitContext } from '../step.js';
import { typeOf, valueOrNullSql } from '../steps/common.js';
import { add, exact, fromText, toText, ZERO, type ExactSum } from './ExactSum.js';
import { EXACT_LIMIT, type Distribution } from './Distribution.js';
import { SKETCH_SIZE, sketchAtRanks, sketchRanks } from './QuantileSketch.js';

/**
 * Per-partition summaries of one column, each computed in DuckDB over the data entering a step,
 * and each mergeable: the counts and exact sums of two partitions add up, their extremes combine,
 * their distributions merge (src/flow/partitions/Distribution.ts).
 */

/** n, Σx and Σx² of the present values, exactly (text, see ExactSum). */
export interface Moments {
  n: number;
  sum: string;
  sumSq: string;
}

export const NO_MOMENTS: Moments = { n: 0, sum: toText(ZERO), sumSq: toText(ZERO) };

export function mergeMoments(a: Moments, b: Moments): Moments {
  return { n: a.n + b.n, sum: toText(add(fromText(a.sum), fromText(b.sum))), sumSq: toText(add(fromText(a.sumSq), fromText(b.sumSq))) };
}

const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(String(v)));
const LOW_BITS = 134_217_727; // 2^27 - 1

/**
 * Σx and Σx² without rounding. An integer column sums in HUGEINT. A float x is m · 2^k with an
 * integer m below 2^53 (k from its binary exponent), so DuckDB sums the m of each k exactly in
 * HUGEINT, and m² as hi² · 2^54 + hi·lo · 2^28 + lo² (m = hi · 2^27 + lo) so no product overflows.
 */
export async function momentsOf(ctx: FitContext, column: string): Promise<Moments> {
  const x = valueOrNullSql(ctx, column);
  const rel = quoteIdent(ctx.relation);
  if (typeOf(ctx, column) === 'integer') {
    const [r] = await ctx.engine.query(
      `SELECT count(v) AS n, sum(v::HUGEINT)::VARCHAR AS s, sum(v::HUGEINT * v::HUGEINT)::VARCHAR AS q FROM (SELECT ${x} AS v FROM ${rel})`,
    );
    return { n: Number(r?.n ?? 0), sum: toText(exact(big(r?.s))), sumSq: toText(exact(big(r?.q))) };
  }
  const rows = await ctx.engine.query(
    `WITH v AS (SELECT (${x})::DOUBLE AS x FROM ${rel}),
     nz AS (SELECT x, CAST(floor(log2(abs(x))) AS INTEGER) AS e0 FROM v WHERE x IS NOT NULL AND x <> 0),
     e AS (SELECT x, e0 + CASE WHEN abs(x) >= pow(2.0, e0 + 1) THEN 1 WHEN abs(x) < pow(2.0, e0) THEN -1 ELSE 0 END AS e FROM nz),
     k AS (SELECT x, greatest(e - 52, -1074) AS k FROM e),
     m AS (SELECT k, CAST(x * pow(2.0, -(k // 2)) * pow(2.0, -(k - k // 2)) AS HUGEINT) AS m FROM k),
     hl AS (SELECT k, m, abs(m) >> 27 AS hi, abs(m) & ${LOW_BITS} AS lo FROM m)
     SELECT k, count(*) AS n, sum(m)::VARCHAR AS s, sum(hi * hi)::VARCHAR AS hh, sum(hi * lo)::VARCHAR AS hl, sum(lo * lo)::VARCHAR AS ll FROM hl GROUP BY k
     UNION ALL SELECT NULL, count(*), NULL, NULL, NULL, NULL FROM v WHERE x = 0`,
  );
  let n = 0;
  let sum: ExactSum = ZERO;
  let sumSq: ExactSum = ZERO;
  for (const r of rows) {
    n += Number(r.n ?? 0);
    if (r.k === null || r.k === undefined) continue;
    const k = Number(r.k);
    sum = add(sum, exact(big(r.s), k));
    const sq = (big(r.hh) << 54n) + (big(r.hl) << 28n) + big(r.ll);
    sumSq = add(sumSq, exact(sq, 2 * k));
  }
  return { n, sum: toText(sum), sumSq: toText(sumSq) };
}

/** The least and greatest present value (as DOUBLE), null when none. */
export interface Extremes {
  min: number | null;
  max: number | null;
}

export async function extremesOf(ctx: FitContext, column: string): Promise<Extremes> {
  const x = `(${valueOrNullSql(ctx, column)})::DOUBLE`;
  const [r] = await ctx.engine.query(`SELECT min(${x}) AS lo, max(${x}) AS hi FROM ${quoteIdent(ctx.relation)}`);
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return { min: num(r?.lo), max: num(r?.hi) };
}

export function mergeExtremes(a: Extremes, b: Extremes): Extremes {
  const pick = (x: number | null, y: number | null, f: (p: number, q: number) => number) => (x === null ? y : y === null ? x : f(x, y));
  return { min: pick(a.min, b.min, Math.min), max: pick(a.max, b.max, Math.max) };
}

export interface DistributionOptions {
  /** Distinct values kept exactly (default {@link EXACT_LIMIT}). */
  exactLimit?: number;
  /** Sketch entries (default {@link SKETCH_SIZE}). */
  sketchSize?: number;
}

/**
 * The distribution of a DOUBLE expression over the present rows: exact counts when it has at
 * most `exactLimit` distinct values, else the values at B + 1 exact ranks (DuckDB sorts, spilling
 * to disk when it must).
 */
export async function distributionOf(ctx: FitContext, expr: string, options: DistributionOptions = {}): Promise<Distribution> {
  const limit = options.exactLimit ?? EXACT_LIMIT;
  const rel = quoteIdent(ctx.relation);
  const values = `SELECT (${expr})::DOUBLE AS v FROM ${rel}`;
  const counts = await ctx.engine.query<{ v: number; c: number | bigint }>(
    `SELECT v, count(*) AS c FROM (${values}) WHERE v IS NOT NULL GROUP BY v ORDER BY v LIMIT ${limit + 1}`,
  );
  if (counts.length <= limit) {
    const list = counts.map((r) => [r.v, Number(r.c)] as [number, number]);
    return { n: list.reduce((t, [, c]) => t + c, 0), counts: list };
  }
  const [{ n }] = (await ctx.engine.query<{ n: number | bigint }>(`SELECT count(v) AS n FROM (${values})`)) as [{ n: number | bigint }];
  const ranks = sketchRanks(Number(n), options.sketchSize ?? SKETCH_SIZE);
  const at = await ctx.engine.query<{ r: number | bigint; v: number }>(
    `SELECT r, v FROM (SELECT v, row_number() OVER (ORDER BY v) AS r FROM (${values}) WHERE v IS NOT NULL) WHERE r IN (${ranks.join(', ')}) ORDER BY r`,
  );
  return {
    n: Number(n),
    sketch: sketchAtRanks(
      Number(n),
      at.map((r) => [Number(r.r), r.v]),
    ),
  };
}

/** The present values of a column (SQL, the column's own type) with their counts, keyed by `key`. */
export async function valueCounts(ctx: FitContext, valueSql: string, where: string): Promise<Array<{ v: unknown; c: number }>> {
  const rows = await ctx.engine.query<{ v: unknown; c: number | bigint }>(
    `SELECT ${valueSql} AS v, count(*) AS c FROM ${quoteIdent(ctx.relation)} WHERE ${where} GROUP BY 1`,
  );
  return rows.map((r) => ({ v: r.v, c: Number(r.c) }));
}
