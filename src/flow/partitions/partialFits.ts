import { SluiceError } from '../../core/errors.js';
import { isNumericType } from '../../core/types.js';
import { quoteIdent } from '../../engine/sql.js';
import type { FitContext, StepContext } from '../step.js';
import { categoryCodec, assertCategorical } from '../steps/categories.js';
import { MAD_TO_STD } from '../steps/clipOutliers.js';
import { missingSql, ownEntry, typeOf, valueOrNullSql } from '../steps/common.js';
import { typeCounts, typesFromCounts, type TypeCounts } from '../steps/inferTypes.js';
import { assertNumeric, presentSql } from '../steps/numeric.js';
import { chooseVocabulary, tokenStats, type TokenStats } from '../steps/vectorizeText.js';
import { distributionOf, extremesOf, mergeExtremes, mergeMoments, momentsOf, valueCounts, type DistributionOptions, type Moments } from './columnSummaries.js';
import { mergeDistributions, quantile, type Distribution } from './Distribution.js';
import { divide, fromText, scale as scaleBy, mul, sub } from './ExactSum.js';

/**
 * Runs `summarise` on the data entering the step in every partition and merges the results
 * pairwise (src/flow/partitions/mergeAll.ts): one map-reduce round over the batch.
 */
export type Scan = <T>(summarise: (ctx: FitContext) => Promise<T>, merge: (a: T, b: T) => T) => Promise<T>;

export interface PartialFitContext {
  /** The step's context (columns, target, index), the same for every partition. */
  ctx: StepContext;
  scan: Scan;
  /** Says something the fitted flow should keep (a quantile from a sketch, with its error). */
  note(message: string): void;
  distribution: DistributionOptions;
}

/** Fits a step from mergeable summaries of the partitions, as its `fit` does on one relation. */
// biome-ignore lint/suspicious/noExplicitAny: each entry reads its own step's spec (checked by the step's schema)
export type PartialFit = (spec: any, p: PartialFitContext) => Promise<unknown>;

// ---------- statistics from summaries ----------

const momentsScan = (p: PartialFitContext, c: string) => p.scan((ctx) => momentsOf(ctx, c), mergeMoments);

function mean(m: Moments): number | null {
  return m.n === 0 ? null : divide(fromText(m.sum), BigInt(m.n));
}

/** Σ(x - mean)² times n, exactly: n Σx² - (Σx)². */
function spreadTimesN(m: Moments) {
  return sub(scaleBy(fromText(m.sumSq), BigInt(m.n)), mul(fromText(m.sum), fromText(m.sum)));
}

/** Population (ddof 0) or sample (ddof 1) standard deviation, each rounded once before the root. */
function std(m: Moments, ddof: 0 | 1): number | null {
  if (m.n - ddof <= 0) return null;
  return Math.sqrt(divide(spreadTimesN(m), BigInt(m.n) * BigInt(m.n - ddof)));
}

async function distributionScan(p: PartialFitContext, expr: (ctx: FitContext) => string): Promise<Distribution> {
  const o = p.distribution;
  return p.scan(
    (ctx) => distributionOf(ctx, expr(ctx), o),
    (a, b) => mergeDistributions(a, b, o.exactLimit, o.sketchSize),
  );
}

/** The q-quantiles of a distribution; a note for those that come from a sketch. */
function quantiles(p: PartialFitContext, d: Distribution, qs: number[], what: string): Array<number | null> {
  return qs.map((q) => {
    const r = quantile(d, q);
    if (r.rankError > 0)
      p.note(
        `the ${q === 0.5 ? 'median' : `${q} quantile`} of ${what} comes from a quantile sketch of ${d.n} values: each value it interpolates is within ${Math.ceil(r.rankError)} ranks (${((100 * r.rankError) / d.n).toPrecision(2)}% of the values) of the exact one`,
      );
    return r.value;
  });
}

const present = (c: string) => (ctx: FitContext) => `CASE WHEN ${presentSql(ctx, c)} THEN ${quoteIdent(c)}::DOUBLE END`;

// ---------- value counts, ordered as DuckDB orders values ----------

type Counted = Array<{ key: string; v: unknown; c: number }>;

function mergeCounted(a: Counted, b: Counted): Counted {
  const all = new Map<string, { key: string; v: unknown; c: number }>();
  for (const e of [...a, ...b]) {
    const seen = all.get(e.key);
    all.set(e.key, seen ? { ...seen, c: seen.c + e.c } : { ...e });
  }
  return [...all.values()];
}

/** Code point order (DuckDB compares text byte by byte in UTF-8, which orders code points). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** DuckDB's ORDER BY of one column's values: numbers (NaN last), text by code point, false before true. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
    return a - b;
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as bigint);
    const y = BigInt(b as bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return byCodePoint(String(a), String(b));
}

const keyOf = (v: unknown): string => `${typeof v}:${v instanceof Date ? v.toISOString() : String(v)}`;

// ---------- the steps ----------

const impute: PartialFit = async (s, p) => {
  const values: Record<string, unknown> = {};
  if (s.strategy === 'constant') {
    for (const c of s.columns) values[c] = s.value ?? null;
    return { values };
  }
  for (const c of s.columns as string[]) {
    const t = typeOf(p.ctx, c);
    if (s.strategy !== 'mode' && !isNumericType(t))
      throw new SluiceError('FLOW_TYPE', `step ${p.ctx.index + 1} (impute ${s.strategy}) needs a numeric column, but "${c}" is ${t}`, {
        location: { step: p.ctx.index, field: c },
        hint: 'use strategy mode or constant for text columns, or cast the column first',
      });
  }
  for (const c of s.columns as string[]) {
    if (s.strategy === 'mode') {
      const counted = await p.scan(
        async (ctx) => (await valueCounts(ctx, quoteIdent(c), `NOT ${missingSql(ctx, c)}`)).map((r) => ({ key: keyOf(r.v), v: r.v, c: r.c })),
        mergeCounted,
      );
      counted.sort((a, b) => b.c - a.c || compareValues(a.v, b.v));
      values[c] = counted[0]?.v ?? null;
    } else if (s.strategy === 'mean') {
      values[c] = mean(await momentsScan(p, c));
    } else {
      const d = await distributionScan(p, (ctx) => valueOrNullSql(ctx, c));
      values[c] = quantiles(p, d, [0.5], `"${c}"`)[0] ?? null;
    }
  }
  return { values };
};

const inferTypes: PartialFit = async (s, p) => {
  const counts = await p.scan(
    (ctx) => typeCounts(s, ctx),
    (a: TypeCounts, b: TypeCounts): TypeCounts =>
      Object.fromEntries(
        Object.entries(a).map(([c, x]) => {
          const y = b[c] ?? { present: 0, read: {} };
          return [c, { present: x.present + y.present, read: Object.fromEntries(Object.entries(x.read).map(([t, n]) => [t, n + (y.read[t] ?? 0)])) }];
        }),
      ),
  );
  return { types: typesFromCounts(counts) };
};

const vectorizeText: PartialFit = async (s, p) => {
  const stats = await p.scan(
    (ctx) => tokenStats(s, ctx),
    (a: TokenStats, b: TokenStats): TokenStats => {
      const tokens = new Map(Object.entries(a.tokens).map(([t, r]) => [t, { ...r }]));
      for (const [t, r] of Object.entries(b.tokens)) {
        const seen = tokens.get(t);
        tokens.set(t, seen ? { tf: seen.tf + r.tf, df: seen.df + r.df } : { ...r });
      }
      return { documents: a.documents + b.documents, tokens: Object.fromEntries(tokens) };
    },
  );
  return chooseVocabulary(s, p.ctx, stats);
};

const oneHot: PartialFit = async (s, p) => {
  const columns: Record<string, { categories: string[]; seen?: string[] }> = {};
  for (const c of s.columns as string[]) {
    assertCategorical(p.ctx, c, 'one_hot', true);
    const codec = categoryCodec(p.ctx, c);
    const counted = await p.scan(
      async (ctx) => (await valueCounts(ctx, codec.sql, `${quoteIdent(c)} IS NOT NULL`)).map((r) => ({ key: codec.key(r.v), v: r.v, c: r.c })),
      mergeCounted,
    );
    counted.sort((a, b) => b.c - a.c || compareValues(a.v, b.v));
    const all = counted.map((e) => e.key);
    columns[c] = {
      categories: all.slice(0, s.top_k),
      ...((s.unseen === 'error' || (s.unseen === 'missing' && s.other)) && all.length > s.top_k ? { seen: all } : {}),
    };
  }
  return { columns };
};

const ordinalEncode: PartialFit = async (s, p) => {
  const categories: Record<string, string[]> = {};
  for (const c of s.columns as string[]) {
    assertCategorical(p.ctx, c, 'ordinal_encode');
    const explicit = s.order ? (ownEntry(s.order as Record<string, unknown>, c) as unknown[] | undefined) : undefined;
    if (explicit) {
      categories[c] = explicit.map(String);
      continue;
    }
    const counted = await p.scan(
      async (ctx) => (await valueCounts(ctx, quoteIdent(c), `${quoteIdent(c)} IS NOT NULL`)).map((r) => ({ key: String(r.v), v: r.v, c: r.c })),
      mergeCounted,
    );
    categories[c] = counted.sort((a, b) => compareValues(a.v, b.v)).map((e) => e.key);
  }
  return { categories };
};

const scale: PartialFit = async (s, p) => {
  assertNumeric(p.ctx, 'scale', s.columns);
  const params: Record<string, { center: number; scale: number }> = {};
  for (const c of s.columns as string[]) {
    let center: number | null = null;
    let spread: number | null = null;
    if (s.method === 'standard') {
      const m = await momentsScan(p, c);
      center = mean(m);
      spread = std(m, 0);
    } else if (s.method === 'robust') {
      const [q2, q3, q1] = quantiles(p, await distributionScan(p, present(c)), [0.5, 0.75, 0.25], `"${c}"`);
      center = q2 ?? null;
      spread = q3 === null || q1 === null || q3 === undefined || q1 === undefined ? null : q3 - q1;
    } else {
      const e = await p.scan((ctx) => extremesOf(ctx, c), mergeExtremes);
      if (s.method === 'minmax') {
        center = e.min;
        spread = e.min === null || e.max === null ? null : e.max - e.min;
      } else {
        center = 0;
        spread = e.min === null || e.max === null ? null : Math.max(Math.abs(e.min), Math.abs(e.max));
      }
    }
    params[c] = { center: center ?? 0, scale: spread === null || spread === 0 ? 1 : spread };
  }
  return { params };
};

const clipOutliers: PartialFit = async (s, p) => {
  assertNumeric(p.ctx, 'clip_outliers', s.columns);
  const bounds: Record<string, { lower: number | null; upper: number | null }> = {};
  for (const c of s.columns as string[]) {
    if (s.method === 'quantile') {
      const [lower, upper] = quantiles(p, await distributionScan(p, present(c)), [s.lower_quantile, s.upper_quantile], `"${c}"`);
      bounds[c] = { lower: lower ?? null, upper: upper ?? null };
      continue;
    }
    let center: number | null;
    let sd: number;
    if (s.method === 'stdev') {
      const m = await momentsScan(p, c);
      center = mean(m);
      sd = std(m, 1) ?? 0;
    } else {
      center = quantiles(p, await distributionScan(p, present(c)), [0.5], `"${c}"`)[0] ?? null;
      if (center === null) {
        bounds[c] = { lower: null, upper: null };
        continue;
      }
      // A second round: the median absolute deviation from the merged median.
      const med = `CAST('${String(center)}' AS DOUBLE)`;
      const deviations = await distributionScan(p, (ctx) => `abs(${present(c)(ctx)} - ${med})`);
      const mad = quantiles(p, deviations, [0.5], `the absolute deviations of "${c}"`)[0];
      sd = mad === null || mad === undefined ? 0 : mad * MAD_TO_STD;
    }
    bounds[c] = center === null ? { lower: null, upper: null } : { lower: center - s.k * sd, upper: center + s.k * sd };
  }
  return { bounds };
};

const bin: PartialFit = async (s, p) => {
  assertNumeric(p.ctx, 'bin', [s.column]);
  if (s.method === 'edges') return { edges: s.edges };
  if (s.method === 'equal_width') {
    const { min: lo, max: hi } = await p.scan((ctx) => extremesOf(ctx, s.column), mergeExtremes);
    if (lo === null || hi === null) return { edges: [] };
    if (lo === hi) return { edges: [lo, hi] };
    return { edges: Array.from({ length: s.bins + 1 }, (_, i) => (i === s.bins ? hi : lo + (i * (hi - lo)) / s.bins)) };
  }
  const qs = Array.from({ length: s.bins + 1 }, (_, i) => i / s.bins);
  const q = quantiles(p, await distributionScan(p, present(s.column)), qs, `"${s.column}"`).filter((v): v is number => v !== null);
  const edges = q.filter((v, i) => i === 0 || v > q[i - 1]!);
  return { edges: edges.length === 1 ? [edges[0]!, edges[0]!] : edges };
};

/** The steps that learn from the whole batch, each fitted from mergeable summaries of its partitions. */
export const PARTIAL_FITS: Readonly<Record<string, PartialFit>> = {
  impute,
  infer_types: inferTypes,
  vectorize_text: vectorizeText,
  one_hot: oneHot,
  ordinal_encode: ordinalEncode,
  scale,
  clip_outliers: clipOutliers,
  bin,
};

/**
 * Steps whose `fit` reads no rows of the batch (a type check, the other input of a join): fitted
 * once, on the first partition.
 */
export const FITS_WITHOUT_ROWS: ReadonlySet<string> = new Set(['filter_rows', 'join']);
