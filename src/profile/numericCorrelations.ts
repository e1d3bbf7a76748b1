import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { completePairCorrelations, completePairCorrelationsOf } from './completePairCorrelations.js';
import type { ColumnReport } from './reportSchema.js';
import type { RowsInMemory } from './rowsInMemory.js';
import { finiteOrNull } from './sqlNumbers.js';

export type Matrix = Array<Array<number | null>>;

function square(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : null)));
}

/**
 * Pearson and Spearman of one pair from its joint value counts: rows where both are present
 * (pandas' pairwise deletion), average ranks of each side from the joint table's margins, then
 * count-weighted, mean-centred sums. The mean of average ranks is exactly (N + 1) / 2. The
 * floating sums run over the joint table in the order of (a, b), as windows over the whole
 * table: in the order the table came out of DuckDB's threads, the same rows gave Pearson values
 * differing in their last digits from one run to the next (14 runs of 60 on a 1,000-row
 * sample). The order costs a sort of the joint table: twice the time where it is large (15
 * pairs of continuous columns with missing values at 250,000 rows: 1.5 -> 2.9 s).
 */
function jointPairSql(v: string, a: string, b: string, k: number): string {
  return `SELECT * FROM (WITH j AS (SELECT a, b, count(*)::DOUBLE AS n FROM (SELECT ${a} AS a, ${b} AS b FROM ${v}) WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY ALL),
    rka AS (SELECT a, sum(sum(n)) OVER (ORDER BY a) - (sum(n) - 1) / 2.0 AS ra FROM j GROUP BY a),
    rkb AS (SELECT b, sum(sum(n)) OVER (ORDER BY b) - (sum(n) - 1) / 2.0 AS rb FROM j GROUP BY b),
    w AS (SELECT n, a, b, ra, rb, (sum(n) OVER () + 1) / 2.0 AS mr, sum(n * a) OVER ab / sum(n) OVER () AS ma, sum(n * b) OVER ab / sum(n) OVER () AS mb
      FROM j JOIN rka USING (a) JOIN rkb USING (b) WINDOW ab AS (ORDER BY a, b ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)),
    x AS (SELECT sum(n * (a - ma) * (b - mb)) OVER ab AS sab, sum(n * (a - ma) ^ 2) OVER ab AS saa, sum(n * (b - mb) ^ 2) OVER ab AS sbb,
      sum(n * (ra - mr) * (rb - mr)) OVER ab AS rab, sum(n * (ra - mr) ^ 2) OVER ab AS raa, sum(n * (rb - mr) ^ 2) OVER ab AS rbb
      FROM w WINDOW ab AS (ORDER BY a, b ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
    SELECT ${k} AS k, sab / sqrt(saa * sbb) AS p, rab / sqrt(raa * rbb) AS s FROM x LIMIT 1)`;
}

/**
 * Pearson and Spearman matrices of numeric columns, with pandas' pairwise deletion. Pairs of
 * complete columns are summed in one streamed pass ({@link completePairCorrelations}); where a
 * column holds NaN or an infinity, they use average ranks (a value -> rank map per column, joined
 * back once; far cheaper than a window sort per column) in one aggregate query of `corr` on
 * values and ranks. Pairs with missing values are ranked within their complete rows, from their joint
 * value counts ({@link jointPairSql}), all in one UNION ALL query. With the rows in memory
 * (`inMemory`), the complete pairs are summed from them instead (the same sums, no query).
 */
export async function numericCorrelations(
  engine: Engine,
  v: string,
  cols: ColumnReport[],
  num: string[],
  inMemory?: RowsInMemory,
): Promise<{ pearson: Matrix; spearman: Matrix }> {
  const pearson = square(num.length);
  const spearman = square(num.length);
  const info = new Map(cols.map((c) => [c.name, c]));
  const q = num.map((c) => `${quoteIdent(c)}::DOUBLE`);
  const pairs: Array<{ i: number; j: number; k: number }> = [];
  for (let i = 0; i < num.length; i++) for (let j = i + 1; j < num.length; j++) pairs.push({ i, j, k: pairs.length });
  const hasMissing = (name: string) => (info.get(name)?.missing ?? 0) > 0;
  const joint = pairs.filter(({ i, j }) => hasMissing(num[i]!) || hasMissing(num[j]!));
  const ranked = pairs.filter((p) => !joint.includes(p));
  const set = (i: number, j: number, p: unknown, s: unknown) => {
    pearson[i]![j] = pearson[j]![i] = finiteOrNull(p);
    spearman[i]![j] = spearman[j]![i] = finiteOrNull(s);
  };

  if (joint.length > 0) {
    const rows = await engine.query<{ k: number; p: unknown; s: unknown }>(joint.map(({ i, j, k }) => jointPairSql(v, q[i]!, q[j]!, k)).join('\nUNION ALL\n'));
    for (const r of rows) set(pairs[r.k]!.i, pairs[r.k]!.j, r.p, r.s);
  }
  if (ranked.length > 0) {
    const used = [...new Set(ranked.flatMap(({ i, j }) => [i, j]))];
    const at = new Map(used.map((i, u) => [i, u]));
    const atPairs = ranked.map(({ i, j }) => ({ i: at.get(i)!, j: at.get(j)! }));
    const held = inMemory ? used.map((i) => inMemory.numeric(num[i]!)) : [];
    const fast =
      held.length > 0 && held.every((x) => x !== undefined)
        ? await completePairCorrelationsOf(held as Float64Array[], atPairs)
        : await completePairCorrelations(
            engine,
            v,
            used.map((i) => q[i]!),
            atPairs,
          );
    if (fast) {
      ranked.forEach(({ i, j }, r) => {
        set(i, j, fast[r]!.p, fast[r]!.s);
      });
      return { pearson, spearman };
    }
    // A column holds NaN or an infinity: DuckDB's corr over values and average ranks.
    // Names of our own start with __ so they cannot collide with the data's columns.
    const maps = used.map(
      (i) =>
        `__m${i} AS (SELECT __v, sum(__n) OVER (ORDER BY __v) - (__n - 1) / 2.0 AS __r FROM (SELECT ${q[i]} AS __v, count(*) AS __n FROM ${v} WHERE ${q[i]} IS NOT NULL GROUP BY 1))`,
    );
    const joins = used.map((i) => `LEFT JOIN __m${i} ON __m${i}.__v = ${v}.${q[i]}`).join(' ');
    // One streaming query: the joined values and ranks go straight into the aggregates, never
    // into a table (a temporary table of every row's values and ranks cost more than the sums).
    const [row = {}] = await engine.query(
      `WITH ${maps.join(', ')} SELECT ${ranked.map(({ i, j, k }) => `corr(x${i}, x${j}) AS p${k}, corr(r${i}, r${j}) AS s${k}`).join(', ')} FROM (SELECT ${used.map((i) => `${v}.${q[i]} AS x${i}, __m${i}.__r AS r${i}`).join(', ')} FROM ${v} ${joins})`,
    );
    for (const { i, j, k } of ranked) set(i, j, row[`p${k}`], row[`s${k}`]);
  }
  return { pearson, spearman };
}
