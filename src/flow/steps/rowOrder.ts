import { quoteIdent } from '../../engine/sql.js';

/**
 * Row steps need the order rows arrive in (the file order), to keep "the first" duplicate, to
 * break sort ties, and to seed sampling. DuckDB numbers rows in scan order with insertion order
 * preserved (its default), so the same input gives the same numbers on every run.
 */
export const ROW_NUMBER = '__sluice_row';

/** `(SELECT *, row_number() OVER () AS __sluice_row FROM input)`. */
export function numbered(input: string): string {
  return `(SELECT *, row_number() OVER () AS ${quoteIdent(ROW_NUMBER)} FROM ${input})`;
}

/**
 * `projection` (for example `*, lag(x, 1) OVER (...) AS x_lag_1`) evaluated over the numbered
 * input, then the rows put back in file order without the row number: for steps whose window
 * functions order rows their own way (the time-series steps).
 */
export function inFileOrder(input: string, projection: string): string {
  const rn = quoteIdent(ROW_NUMBER);
  return `SELECT * EXCLUDE (${rn}) FROM (SELECT ${projection} FROM ${numbered(input)}) ORDER BY ${rn}`;
}

/**
 * A row's random rank for a seed: md5 of `<row number>:<seed>` read as a little-endian number.
 * md5 rather than DuckDB's hash(): its values are fixed by the standard, so a split or sample
 * stays the same across DuckDB versions and can be reproduced in any language.
 */
export function seededRank(seed: number): string {
  return `md5_number(${quoteIdent(ROW_NUMBER)}::VARCHAR || ':' || ${Math.trunc(seed)})`;
}
