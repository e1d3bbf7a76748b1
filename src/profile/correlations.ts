import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import type { ColumnReport, Correlations } from './reportSchema.js';
import { correlationRatio } from './correlationRatio.js';
import { numericCorrelations, type Matrix } from './numericCorrelations.js';
import { contingencyOfCodes, type RowsInMemory } from './rowsInMemory.js';
import { cramersV, denseTable } from './stats.js';
import type { Thresholds } from './thresholds.js';

/** Columns beyond this many numeric (or categorical) ones are left out of the matrices. */
const MAX_MATRIX_COLUMNS = 60;

function square(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : null)));
}

/** Numeric storage, more than one value: these enter Pearson and Spearman (as pandas `df.corr()`). */
function numericColumns(cols: ColumnReport[]): string[] {
  return cols
    .filter((c) => (c.storageType === 'integer' || c.storageType === 'float') && c.distinct > 1)
    .map((c) => c.name)
    .slice(0, MAX_MATRIX_COLUMNS);
}

/** Categorical or binary columns with a manageable number of categories: these enter Cramér's V. */
function categoricalColumns(cols: ColumnReport[], t: Thresholds): string[] {
  return cols
    .filter((c) => (c.type === 'categorical' || c.type === 'binary') && c.distinct > 1 && c.distinct <= t.cramersMaxDistinct)
    .map((c) => c.name)
    .slice(0, MAX_MATRIX_COLUMNS);
}

/**
 * Pearson and Spearman matrices for numeric columns (pairwise complete rows, as pandas; see
 * {@link numericCorrelations}), Cramér's V for categorical pairs, and each feature's association
 * with the target. Contingency tables and per-group moments come from one UNION ALL query each,
 * grouping on the raw values and casting only the groups to text. With the rows in memory
 * (`inMemory`: every row of `view`, in its order), the complete numeric pairs and the
 * contingency tables are counted from them, without a query: the same numbers.
 */
export async function computeCorrelations(
  engine: Engine,
  view: string,
  cols: ColumnReport[],
  target: { column: string; problemType: 'classification' | 'regression' } | undefined,
  t: Thresholds,
  /** Target associations already computed (by `addTargetBreakdown`); not recomputed. */
  precomputed: Correlations['target'] = [],
  inMemory?: RowsInMemory,
): Promise<Correlations> {
  const v = quoteIdent(view);
  const num = numericColumns(cols);
  const cat = categoricalColumns(cols, t);
  const { pearson, spearman } = await numericCorrelations(engine, v, cols, num, inMemory);

  const cramers = square(cat.length);
  const catPairs: Array<[number, number]> = [];
  for (let i = 0; i < cat.length; i++) for (let j = i + 1; j < cat.length; j++) catPairs.push([i, j]);
  if (catPairs.length > 0) {
    const codes = inMemory ? cat.map((c) => inMemory.codes(c)) : [];
    const tables =
      codes.length > 0 && codes.every((c) => c !== undefined)
        ? contingencyOfCodes(catPairs.map(([i, j]) => [codes[i]!, codes[j]!]))
        : await contingencyTables(
            engine,
            v,
            catPairs.map(([i, j]) => [cat[i]!, cat[j]!]),
          );
    catPairs.forEach(([i, j], k) => {
      cramers[i]![j] = cramers[j]![i] = cramersV(tables[k] ?? []);
    });
  }

  const targetAssoc = target ? await targetAssociation(engine, v, cols, target, num, spearman, t, precomputed) : [];
  return { numeric: { columns: num, pearson, spearman }, categorical: { columns: cat, cramersV: cramers }, target: targetAssoc };
}

/** Contingency tables (complete rows only, as pandas crosstab) of column pairs, in one query. */
export async function contingencyTables(engine: Engine, v: string, pairs: Array<[string, string]>): Promise<number[][][]> {
  const branches = pairs.map(([a, b], k) => {
    const qa = quoteIdent(a);
    const qb = quoteIdent(b);
    return `SELECT k, x::VARCHAR AS x, y::VARCHAR AS y, n FROM (SELECT ${k} AS k, ${qa} AS x, ${qb} AS y, count(*) AS n FROM ${v} WHERE ${qa} IS NOT NULL AND ${qb} IS NOT NULL GROUP BY ALL)`;
  });
  const cells = new Map<number, Array<{ x: string; y: string; n: number }>>();
  for (const r of await engine.query<{ k: number; x: string; y: string; n: number }>(branches.join('\nUNION ALL\n'))) {
    const list = cells.get(r.k) ?? [];
    list.push({ x: r.x, y: r.y, n: Number(r.n) });
    cells.set(r.k, list);
  }
  return pairs.map((_, k) => denseTable(cells.get(k) ?? []));
}

async function targetAssociation(
  engine: Engine,
  v: string,
  cols: ColumnReport[],
  target: { column: string; problemType: 'classification' | 'regression' },
  num: string[],
  spearman: Matrix,
  t: Thresholds,
  precomputed: Correlations['target'],
): Promise<Correlations['target']> {
  const out: Correlations['target'] = [...precomputed];
  const done = new Set(precomputed.map((a) => a.feature));
  const tq = quoteIdent(target.column);
  const features = cols.filter((c) => c.name !== target.column && c.type !== 'datetime');
  const isNum = (c: ColumnReport) => c.type === 'numeric';
  const isCat = (c: ColumnReport) => !isNum(c) && c.distinct <= t.cramersMaxDistinct;
  const etaBranches: string[] = [];
  const etaFeatures: Array<{ name: string }> = [];
  const cramerFeatures: string[] = [];
  for (const f of features) {
    if (done.has(f.name)) continue;
    const fq = quoteIdent(f.name);
    if (target.problemType === 'classification') {
      if (isNum(f)) {
        etaBranches.push(
          `SELECT ${etaFeatures.length} AS k, count(*) AS n, avg(${fq}::DOUBLE) AS m, var_pop(${fq}::DOUBLE) AS vp FROM ${v} WHERE ${fq} IS NOT NULL AND ${tq} IS NOT NULL GROUP BY ${tq}`,
        );
        etaFeatures.push({ name: f.name });
      } else if (isCat(f)) cramerFeatures.push(f.name);
      else out.push({ feature: f.name, method: 'cramers_v', value: null });
    } else if (isNum(f)) {
      const i = num.indexOf(f.name);
      const j = num.indexOf(target.column);
      const s = i >= 0 && j >= 0 ? (spearman[i]?.[j] ?? null) : null;
      out.push({ feature: f.name, method: 'spearman_abs', value: s === null ? null : Math.abs(s) });
    } else if (isCat(f)) {
      etaBranches.push(
        `SELECT ${etaFeatures.length} AS k, count(*) AS n, avg(${tq}::DOUBLE) AS m, var_pop(${tq}::DOUBLE) AS vp FROM ${v} WHERE ${fq} IS NOT NULL AND ${tq} IS NOT NULL GROUP BY ${fq}`,
      );
      etaFeatures.push({ name: f.name });
    } else out.push({ feature: f.name, method: 'correlation_ratio', value: null });
  }
  if (etaBranches.length > 0) {
    const groups = new Map<number, Array<{ n: number; mean: number; varPop: number }>>();
    for (const r of await engine.query<{ k: number; n: number; m: number; vp: number }>(etaBranches.join('\nUNION ALL\n'))) {
      const list = groups.get(r.k) ?? [];
      list.push({ n: Number(r.n), mean: Number(r.m), varPop: Number(r.vp ?? 0) });
      groups.set(r.k, list);
    }
    etaFeatures.forEach((f, k) => {
      out.push({ feature: f.name, method: 'correlation_ratio', value: correlationRatio(groups.get(k) ?? []) });
    });
  }
  if (cramerFeatures.length > 0) {
    const tables = await contingencyTables(
      engine,
      v,
      cramerFeatures.map((f) => [f, target.column]),
    );
    cramerFeatures.forEach((f, k) => {
      out.push({ feature: f, method: 'cramers_v', value: cramersV(tables[k] ?? []) });
    });
  }
  const order = new Map(features.map((f, i) => [f.name, i]));
  return out.sort((a, b) => (order.get(a.feature) ?? 0) - (order.get(b.feature) ?? 0));
}
