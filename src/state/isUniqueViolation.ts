/**
 * True when a statement failed because a row with the same primary key or unique value exists,
 * whichever driver ran it (SQLite SQLITE_CONSTRAINT_PRIMARYKEY/UNIQUE, PostgreSQL 23505).
 */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
