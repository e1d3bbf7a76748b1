/**
 * SQL text helpers. Identifiers from specs and data are always quoted with {@link quoteIdent},
 * literals with {@link quoteLiteral}: nothing from a user is ever spliced into SQL unquoted.
 */

/** Quotes an identifier: `a"b` becomes `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal: `it's` becomes `'it''s'`. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Renders a JavaScript value as a SQL literal (strings quoted, numbers finite, null as NULL). */
export function sqlValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "'NaN'::DOUBLE" : value > 0 ? "'Infinity'::DOUBLE" : "'-Infinity'::DOUBLE";
    return Number.isInteger(value) ? String(value) : `${value}::DOUBLE`;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `TIMESTAMP ${quoteLiteral(value.toISOString().replace('T', ' ').replace('Z', ''))}`;
  return quoteLiteral(String(value));
}

/** A comma-separated list of quoted identifiers. */
export function identList(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}
