import type { ColumnSchema } from '../core/types.js';
import { isNumericType } from '../core/types.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { addDriftPictures } from './driftPictures.js';
import type { DriftColumn, DriftReport } from './reportSchema.js';
import { dbl, finiteOrNull } from './sqlNumbers.js';
import { chiSquare, chiSquarePValue, jensenShannon, ksPValue, shares } from './stats.js';
import type { Thresholds } from './thresholds.js';

/** Share given to an empty PSI bin so the logarithm stays finite (the usual convention). */
const PSI_EPSILON = 1e-4;
/** Categories beyond this many (most frequent first) are pooled for chi-square and JS. */
const MAX_CATEGORIES = 1000;

interface Side {
  view: string;
  schema: ColumnSchema[];
  rows: number;
}

/** Population stability index of two count vectors over the same bins. */
export function psi(baseline: number[], current: number[]): number {
  const b = shares(baseline).map((x) => Math.max(x, PSI_EPSILON));
  const c = shares(current).map((x) => Math.max(x, PSI_EPSILON));
  return b.reduce((s, bi, i) => s + (c[i]! - bi) * Math.log(c[i]! / bi), 0);
}

export interface DriftOptions {
  /** Columns left out (the flow's own: record id, event time, split). */
  exclude?: readonly string[];
  /** The champion's feature importance, shown next to each drifted column. */
  importance?: Readonly<Record<string, number>>;
}

/**
 * Drift of the current data against a baseline (e.g. the last approved batch), column by column:
 * numeric columns get PSI over the baseline's deciles and the two-sample Kolmogorov-Smirnov
 * statistic (with its asymptotic p-value); categorical ones chi-square (2 x k table) and
 * Jensen-Shannon divergence (base 2) plus new and vanished categories; every column the change
 * in missing share. A column drifts when PSI >= `driftPsi` or JS >= `driftJs`, or when its
 * missing share moves by `driftMissingChange` or new categories take `driftNewCategoryShare`
 * of its rows. It drifts strongly when PSI >= `driftPsiStrong` or JS >= `driftJsStrong` or on
 * either of the last two. The data set drifts when the share of drifted columns reaches
 * `driftShare` or any column drifts strongly: one column that moved a lot cannot hide among
 * many that did not.
 */
export async function computeDrift(engine: Engine, current: Side, baseline: Side, t: Thresholds, options: DriftOptions = {}): Promise<DriftReport> {
  const excluded = new Set(options.exclude ?? []);
  const baseCols = new Map(baseline.schema.map((c) => [c.name, c]));
  const curCols = new Map(current.schema.map((c) => [c.name, c]));
  const common = current.schema.filter((c) => baseCols.has(c.name) && !excluded.has(c.name));
  const cv = quoteIdent(current.view);
  const bv = quoteIdent(baseline.view);

  // Missing counts of both sides in two aggregate queries.
  const missing = async (v: string) =>
    common.length === 0
      ? {}
      : ((await engine.query(`SELECT ${common.map((c, i) => `count_if(${quoteIdent(c.name)} IS NULL) AS m${i}`).join(', ')} FROM ${v}`))[0] ?? {});
  const mc = await missing(cv);
  const mb = await missing(bv);

  const numeric = common.filter((c) => isNumericType(c.type) && isNumericType(baseCols.get(c.name)!.type));
  const categorical = common.filter((c) => !numeric.includes(c));
  const out = new Map<string, DriftColumn>();
  common.forEach((c, i) => {
    const bShare = baseline.rows > 0 ? Number(mb[`m${i}`] ?? 0) / baseline.rows : 0;
    const cShare = current.rows > 0 ? Number(mc[`m${i}`] ?? 0) / current.rows : 0;
    out.set(c.name, {
      name: c.name,
      kind: numeric.includes(c) ? 'numeric' : 'categorical',
      missingShareBaseline: bShare,
      missingShareCurrent: cShare,
      missingShareChange: cShare - bShare,
      drifted: false,
    });
  });

  if (numeric.length > 0) await numericDrift(engine, cv, bv, numeric, out);
  if (categorical.length > 0) await categoricalDrift(engine, cv, bv, categorical, out);

  const columns = common.map((c) => out.get(c.name)!);
  for (const c of columns) {
    judgeColumn(c, t);
    // Own keys only: a column named `constructor` must not find Object.prototype's member.
    if (options.importance) c.championImportance = Object.hasOwn(options.importance, c.name) ? (options.importance[c.name] ?? null) : null;
  }
  await addDriftPictures(
    engine,
    cv,
    bv,
    columns.filter((c) => c.drifted),
  );
  const driftedColumns = columns.filter((c) => c.drifted).map((c) => c.name);
  const strongColumns = columns.filter((c) => c.strong).map((c) => c.name);
  const driftedShare = columns.length > 0 ? driftedColumns.length / columns.length : 0;
  const verdict = columns.length > 0 && (driftedShare >= t.driftShare || strongColumns.length > 0) ? 'drift' : 'no_drift';
  return {
    baselineRows: baseline.rows,
    columns,
    newColumns: current.schema.filter((c) => !baseCols.has(c.name) && !excluded.has(c.name)).map((c) => c.name),
    missingColumns: baseline.schema.filter((c) => !curCols.has(c.name) && !excluded.has(c.name)).map((c) => c.name),
    driftedColumns,
    driftedShare,
    strongColumns,
    excludedColumns: [...excluded].filter((n) => curCols.has(n) || baseCols.has(n)),
    verdict,
    summary: driftSummary(columns, verdict, driftedShare, t),
  };
}

const f3 = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Sets `drifted`, `strong` and `reasons` of a measured column from the thresholds. */
function judgeColumn(c: DriftColumn, t: Thresholds): void {
  const reasons: string[] = [];
  let drifted = false;
  let strong = false;
  const test = (value: number | null | undefined, name: string, limit: number, strongLimit: number): void => {
    if (value === null || value === undefined || value < limit) return;
    drifted = true;
    if (value >= strongLimit) strong = true;
    reasons.push(`${name} ${f3(value)} >= ${value >= strongLimit ? strongLimit : limit}`);
  };
  test(c.psi, 'PSI', t.driftPsi, t.driftPsiStrong);
  if (c.kind === 'categorical') test(c.jensenShannon, 'Jensen-Shannon', t.driftJs, t.driftJsStrong);
  if (Math.abs(c.missingShareChange) >= t.driftMissingChange - 1e-12) {
    drifted = strong = true;
    reasons.push(`missing ${pct(c.missingShareBaseline)} -> ${pct(c.missingShareCurrent)}`);
  }
  if ((c.newCategoryShare ?? 0) >= t.driftNewCategoryShare) {
    drifted = strong = true;
    reasons.push(
      `new categories in ${pct(c.newCategoryShare!)} of rows (${(c.newCategories ?? [])
        .slice(0, 3)
        .map((v) => `"${v}"`)
        .join(', ')})`,
    );
  }
  c.drifted = drifted;
  c.strong = strong;
  c.reasons = reasons;
}

/** The verdict in one line that names the columns. */
function driftSummary(columns: DriftColumn[], verdict: 'drift' | 'no_drift', share: number, t: Thresholds): string {
  const drifted = columns.filter((c) => c.drifted).sort((a, b) => Number(b.strong) - Number(a.strong));
  const named =
    drifted
      .slice(0, 6)
      .map((c) => `${c.name} (${(c.reasons ?? []).join('; ')})`)
      .join(', ') + (drifted.length > 6 ? `, and ${drifted.length - 6} more` : '');
  if (verdict === 'drift') return `drift in ${drifted.length} of ${columns.length} columns: ${named}`;
  if (drifted.length === 0) return `no drift in ${columns.length} columns`;
  return `no drift: ${drifted.length} of ${columns.length} columns (${pct(share)}, below ${pct(t.driftShare)}) drifted mildly: ${named}`;
}

async function numericDrift(engine: Engine, cv: string, bv: string, cols: ColumnSchema[], out: Map<string, DriftColumn>): Promise<void> {
  const probs = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const [q = {}] = await engine.query(
    `SELECT ${cols.map((c, i) => `quantile_cont(${quoteIdent(c.name)}::DOUBLE, [${probs.join(', ')}]) AS q${i}`).join(', ')} FROM ${bv}`,
  );
  const branches: string[] = [];
  const edgesOf: number[][] = [];
  cols.forEach((c, i) => {
    const edges = [...new Set(((q[`q${i}`] as unknown[] | null) ?? []).map(finiteOrNull).filter((x): x is number => x !== null))].sort((a, b) => a - b);
    edgesOf.push(edges);
    const x = `${quoteIdent(c.name)}::DOUBLE`;
    const bin = edges.length === 0 ? '0' : `(${edges.map((e) => `(__x > ${dbl(e)})::INT`).join(' + ')})`;
    branches.push(
      `SELECT ${i} AS k, __side AS s, ${bin} AS b, count(*) AS n FROM (SELECT ${x} AS __x, 1 AS __side FROM ${bv} UNION ALL SELECT ${x}, 0 FROM ${cv}) WHERE __x IS NOT NULL GROUP BY ALL`,
    );
  });
  const binCounts = cols.map((_, i) => ({ b: new Array<number>(edgesOf[i]!.length + 1).fill(0), c: new Array<number>(edgesOf[i]!.length + 1).fill(0) }));
  for (const r of await engine.query<{ k: number; s: number; b: number; n: number }>(branches.join('\nUNION ALL\n'))) {
    const bc = binCounts[r.k]!;
    (r.s === 1 ? bc.b : bc.c)[r.b] = Number(r.n);
  }
  const ks = cols.map((c, i) => {
    const x = `${quoteIdent(c.name)}::DOUBLE`;
    return `SELECT ${i} AS k, max(abs(fb - fc)) AS d, any_value(nb_t) AS nb, any_value(nc_t) AS nc FROM (
      SELECT sum(nb) OVER w / sum(nb) OVER () AS fb, sum(nc) OVER w / sum(nc) OVER () AS fc, sum(nb) OVER () AS nb_t, sum(nc) OVER () AS nc_t
      FROM (SELECT __x, count_if(__side = 1) AS nb, count_if(__side = 0) AS nc FROM (SELECT ${x} AS __x, 1 AS __side FROM ${bv} UNION ALL SELECT ${x}, 0 FROM ${cv}) WHERE __x IS NOT NULL GROUP BY __x)
      WINDOW w AS (ORDER BY __x ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))`;
  });
  const ksRows = await engine.query<{ k: number; d: unknown; nb: unknown; nc: unknown }>(ks.join('\nUNION ALL\n'));
  cols.forEach((c, i) => {
    const d = out.get(c.name)!;
    const { b, c: cur } = binCounts[i]!;
    const hasBoth = b.some((x) => x > 0) && cur.some((x) => x > 0);
    d.psi = hasBoth ? psi(b, cur) : null;
    const k = ksRows.find((r) => r.k === i);
    d.ks = finiteOrNull(k?.d);
    d.ksPValue = d.ks === null ? null : ksPValue(d.ks, Number(k?.nb ?? 0), Number(k?.nc ?? 0));
  });
}

async function categoricalDrift(engine: Engine, cv: string, bv: string, cols: ColumnSchema[], out: Map<string, DriftColumn>): Promise<void> {
  const branches = cols.map((c, i) => {
    const x = quoteIdent(c.name);
    // Group each side on its raw values first; only the groups are cast to text.
    return `SELECT ${i} AS k, v, sum(nb) AS nb, sum(nc) AS nc FROM (SELECT ${x}::VARCHAR AS v, count(*) AS nb, 0 AS nc FROM ${bv} WHERE ${x} IS NOT NULL GROUP BY ${x} UNION ALL SELECT ${x}::VARCHAR, 0, count(*) FROM ${cv} WHERE ${x} IS NOT NULL GROUP BY ${x}) GROUP BY v`;
  });
  const cats = new Map<number, Array<{ v: string; nb: number; nc: number }>>();
  for (const r of await engine.query<{ k: number; v: string; nb: number; nc: number }>(branches.join('\nUNION ALL\n'))) {
    const list = cats.get(r.k) ?? [];
    list.push({ v: r.v, nb: Number(r.nb), nc: Number(r.nc) });
    cats.set(r.k, list);
  }
  cols.forEach((c, i) => {
    const d = out.get(c.name)!;
    const list = (cats.get(i) ?? []).sort((a, b) => b.nb + b.nc - (a.nb + a.nc));
    const kept = list.slice(0, MAX_CATEGORIES);
    const rest = list.slice(MAX_CATEGORIES);
    const nb = kept.map((x) => x.nb);
    const nc = kept.map((x) => x.nc);
    if (rest.length > 0) {
      nb.push(rest.reduce((a, x) => a + x.nb, 0));
      nc.push(rest.reduce((a, x) => a + x.nc, 0));
    }
    const hasBoth = nb.some((x) => x > 0) && nc.some((x) => x > 0);
    if (hasBoth) {
      const { chi2, dof } = chiSquare([nb, nc]);
      d.chiSquare = chi2;
      d.chiSquarePValue = chiSquarePValue(chi2, dof);
      d.jensenShannon = jensenShannon(shares(nb), shares(nc));
      // PSI is defined on any binning; over categories it makes `drift.psi` gates see
      // categorical drift too (a column whose values all changed scores far above 0.2).
      d.psi = psi(nb, nc);
    } else {
      d.chiSquare = d.chiSquarePValue = d.jensenShannon = d.psi = null;
    }
    const fresh = list.filter((x) => x.nb === 0 && x.nc > 0);
    const currentTotal = list.reduce((a, x) => a + x.nc, 0);
    d.newCategories = fresh.map((x) => x.v).slice(0, 50);
    d.vanishedCategories = list
      .filter((x) => x.nc === 0 && x.nb > 0)
      .map((x) => x.v)
      .slice(0, 50);
    // Only meaningful when the baseline had values at all.
    d.newCategoryShare = currentTotal > 0 && list.some((x) => x.nb > 0) ? fresh.reduce((a, x) => a + x.nc, 0) / currentTotal : 0;
  });
}
