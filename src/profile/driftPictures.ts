import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import type { DriftColumn } from './reportSchema.js';
import { dbl, finiteOrNull } from './sqlNumbers.js';

/** Columns that get a picture (the drifted ones, strongest first); the rest are listed without. */
export const MAX_DRIFT_PICTURES = 24;
const BINS = 16;
const TOP_CATEGORIES = 8;

/**
 * Adds to each drifted column the two distributions its drift picture draws, as shares of each
 * side's non-missing values: numbers over {@link BINS} common bins spanning the 1st to 99th
 * percentile of both sides together (values beyond fall in the outer bins), categories over the
 * most frequent values of both sides with the rest pooled as "other". `cv` and `bv` are the
 * quoted current and baseline views.
 */
export async function addDriftPictures(engine: Engine, cv: string, bv: string, drifted: DriftColumn[]): Promise<void> {
  const chosen = [...drifted].sort((a, b) => Number(b.strong ?? false) - Number(a.strong ?? false)).slice(0, MAX_DRIFT_PICTURES);
  for (const c of chosen) {
    const x = quoteIdent(c.name);
    if (c.kind === 'numeric') {
      const both = `SELECT ${x}::DOUBLE AS __x, 1 AS __side FROM ${bv} UNION ALL SELECT ${x}::DOUBLE, 0 FROM ${cv}`;
      const [r = {}] = await engine.query(
        `SELECT quantile_cont(__x, 0.01) AS lo, quantile_cont(__x, 0.99) AS hi, min(__x) AS mn, max(__x) AS mx FROM (${both}) WHERE __x IS NOT NULL`,
      );
      let lo = finiteOrNull(r.lo);
      let hi = finiteOrNull(r.hi);
      if (lo === null || hi === null) continue;
      if (hi <= lo) [lo, hi] = [finiteOrNull(r.mn) ?? lo, finiteOrNull(r.mx) ?? hi];
      if (hi <= lo) hi = lo + 1;
      const width = (hi - lo) / BINS;
      const bin = `least(${BINS - 1}, greatest(0, floor((__x - ${dbl(lo)}) / ${dbl(width)})))::INT`;
      const rows = await engine.query<{ s: number; b: number; n: unknown }>(
        `SELECT __side AS s, ${bin} AS b, count(*) AS n FROM (${both}) WHERE __x IS NOT NULL GROUP BY ALL`,
      );
      const counts = { 1: new Array<number>(BINS).fill(0), 0: new Array<number>(BINS).fill(0) };
      for (const row of rows) counts[row.s === 1 ? 1 : 0][row.b] = Number(row.n);
      c.picture = {
        kind: 'histogram',
        edges: Array.from({ length: BINS + 1 }, (_, i) => lo + i * width),
        baseline: shares(counts[1]),
        current: shares(counts[0]),
      };
    } else {
      const rows = await engine.query<{ v: string; nb: unknown; nc: unknown }>(
        `SELECT v, sum(nb) AS nb, sum(nc) AS nc FROM (SELECT ${x}::VARCHAR AS v, count(*) AS nb, 0 AS nc FROM ${bv} WHERE ${x} IS NOT NULL GROUP BY ${x} UNION ALL SELECT ${x}::VARCHAR, 0, count(*) FROM ${cv} WHERE ${x} IS NOT NULL GROUP BY ${x}) GROUP BY v`,
      );
      const nb = rows.reduce((a, r) => a + Number(r.nb), 0);
      const nc = rows.reduce((a, r) => a + Number(r.nc), 0);
      const share = (r: { nb: unknown; nc: unknown }): number => (nb > 0 ? Number(r.nb) / nb : 0) + (nc > 0 ? Number(r.nc) / nc : 0);
      const sorted = rows.sort((a, b) => share(b) - share(a) || a.v.localeCompare(b.v));
      const top = sorted.slice(0, TOP_CATEGORIES);
      const rest = sorted.slice(TOP_CATEGORIES);
      const labels = top.map((r) => r.v);
      const base = top.map((r) => Number(r.nb));
      const cur = top.map((r) => Number(r.nc));
      if (rest.length > 0) {
        labels.push(`other (${rest.length})`);
        base.push(rest.reduce((a, r) => a + Number(r.nb), 0));
        cur.push(rest.reduce((a, r) => a + Number(r.nc), 0));
      }
      c.picture = { kind: 'categories', labels, baseline: shares(base), current: shares(cur) };
    }
  }
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((n) => (total > 0 ? n / total : 0));
}
