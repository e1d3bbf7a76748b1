import { dateFormat } from '../core/dateFormats.js';
import { readDateSql } from '../engine/dateSql.js';
import { logicalToDuckType, type ColumnSchema } from '../core/types.js';

/** The words a text value may use for a boolean at prediction time (as src/core/coerceValue.ts). */
const TRUE_WORDS = "'true', 't', 'yes', 'y', '1'";
const FALSE_WORDS = "'false', 'f', 'no', 'n', '0'";

/**
 * SQL: a raw column `expr` of type `got` read as the fitted flow's input column `want`, the batch
 * twin of src/core/coerceValue.ts: a date as text in the format recorded at training, a boolean
 * from its words, anything else by cast. A value that is not the type becomes NULL (missing).
 *
 * @example
 * conformSql('"admitted"', 'string', { name: 'admitted', type: 'date', format: 'mon d yyyy' })
 */
export function conformSql(expr: string, got: ColumnSchema['type'], want: ColumnSchema): string {
  const format = want.format ? dateFormat(want.format) : undefined;
  if (got === 'string' && want.type === 'date' && format) return readDateSql(expr, format);
  if (got === 'string' && want.type === 'boolean') {
    const v = `lower(trim(${expr}, ' '))`;
    return `CASE WHEN ${v} IN (${TRUE_WORDS}) THEN true WHEN ${v} IN (${FALSE_WORDS}) THEN false END`;
  }
  return `TRY_CAST(${expr} AS ${logicalToDuckType(want.type)})`;
}
