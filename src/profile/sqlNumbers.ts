/**
 * Number literals for generated SQL. DuckDB reads `0.1` as a DECIMAL, which loses digits for
 * long fractions; a quoted string cast to DOUBLE round-trips every JavaScript double exactly.
 */
export function dbl(x: number): string {
  if (Number.isNaN(x)) return "'NaN'::DOUBLE";
  if (!Number.isFinite(x)) return x > 0 ? "'Infinity'::DOUBLE" : "'-Infinity'::DOUBLE";
  return `'${x}'::DOUBLE`;
}

/** A finite number or null (DuckDB returns NaN for statistics of constant columns). */
export function finiteOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A JSON-safe cell: dates become ISO text, big integers text, everything else as is. */
export function jsonCell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  return String(v);
}
