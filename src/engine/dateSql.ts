import { ISO_DATE, MONTH_SPELLINGS, type DateFormat } from '../core/dateFormats.js';
import { quoteLiteral } from './sql.js';

/** SQL: the text expression `expr` as a DATE in `format`, NULL when it is not one. */
export function dateFromTextSql(expr: string, format: DateFormat): string {
  const t = `trim(${expr}, ' ')`;
  const re = quoteLiteral(format.re);
  const group = (k: number): string => `regexp_extract(${t}, ${re}, ${k})`;
  const spellings = `[${MONTH_SPELLINGS.map(quoteLiteral).join(', ')}]`;
  const pos = `list_position(${spellings}, lower(${group(format.m)}))`;
  const month = format.id.includes('mon') ? `CASE WHEN ${pos} = 25 THEN 9 ELSE (${pos} - 1) % 12 + 1 END` : `TRY_CAST(${group(format.m)} AS INTEGER)`;
  const iso = `printf('%04d-%02d-%02d', TRY_CAST(${group(format.y)} AS INTEGER), ${month}, TRY_CAST(${group(format.d)} AS INTEGER))`;
  return `CASE WHEN regexp_full_match(${t}, ${re}) THEN TRY_CAST(${iso} AS DATE) END`;
}

/** SQL: the text expression `expr` as a DATE in `format`, else as an ISO date, else NULL. */
export function readDateSql(expr: string, format: DateFormat): string {
  return `coalesce(${dateFromTextSql(expr, format)}, ${dateFromTextSql(expr, ISO_DATE)})`;
}
