/** The seed of the report's sample: the same data gives the same sample. */
export const REPORT_SAMPLE_SEED = 42;

/**
 * SQL: whether the row numbered `rowExpr` is in a sample of about `size` of `rows` rows. Each row
 * is kept when a seeded 64-bit hash of its number falls below size / rows of the hash's range:
 * independently of the others, with probability size / rows (Bernoulli sampling), the same rows
 * for the same table whatever the number of DuckDB's threads, and in a filter every thread runs
 * (DuckDB's own Bernoulli sampling with a seed runs on one thread: 2.2 s at 10M rows).
 */
export function sampledRowSql(rowExpr: string, size: number, rows: number): string {
  const below = (BigInt(size) << 64n) / BigInt(rows);
  return `hash(${rowExpr}, ${REPORT_SAMPLE_SEED}) < ${below}::UBIGINT`;
}
