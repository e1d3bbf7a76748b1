/**
 * Logical column types shared by the flow, the report, the feature store and the models.
 * They are coarser than SQL types on purpose: a user thinks "integer", not "BIGINT vs INTEGER".
 */
export const LOGICAL_TYPES = ['string', 'integer', 'float', 'boolean', 'date', 'timestamp'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

export interface ColumnSchema {
  name: string;
  type: LogicalType;
  /** The engine's own type name, e.g. `BIGINT`, when known. */
  sqlType?: string;
  /**
   * How a date column is written in the raw data when it is not ISO (`mon d yyyy`, `dd/mm/yyyy`:
   * src/core/dateFormats.ts). Recorded in a fitted flow's input so prediction reads the same way.
   */
  format?: string;
}

/** Maps a DuckDB type name to a logical type. */
export function duckTypeToLogical(sqlType: string): LogicalType {
  const t = sqlType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/.test(t)) return 'integer';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL.*|NUMERIC.*)$/.test(t)) return 'float';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  return 'string';
}

/** The DuckDB type a logical type is stored as. */
export function logicalToDuckType(t: LogicalType): string {
  switch (t) {
    case 'integer':
      return 'BIGINT';
    case 'float':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    default:
      return 'VARCHAR';
  }
}

export function isNumericType(t: LogicalType): boolean {
  return t === 'integer' || t === 'float';
}
