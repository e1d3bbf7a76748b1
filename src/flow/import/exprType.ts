import type { Expr } from '../expr/parseExpr.js';

const TEXT_FNS = new Set(['lower', 'upper', 'trim', 'substr', 'replace', 'concat']);
const BOOL_FNS = new Set(['contains', 'starts_with']);
const INT_FNS = new Set(['length', 'year', 'quarter', 'month', 'day', 'dayofweek', 'dayofyear', 'weekofyear', 'hour', 'minute', 'second', 'datediff']);
const DATE_FNS = new Set(['to_date', 'date_add', 'add_months', 'last_day']);
const isWhole = (e: Expr): boolean => (e.t === 'num' ? Number.isInteger(e.v) : exprType(e) === 'integer');

/** The result type of an expression, as far as its shape tells; numbers default to float. */
export function exprType(e: Expr): 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'timestamp' {
  switch (e.t) {
    case 'str':
      return 'string';
    case 'bool':
    case 'isnull':
    case 'in':
    case 'between':
    case 'like':
      return 'boolean';
    case 'unary':
      return e.op === 'not' ? 'boolean' : exprType(e.e);
    case 'bin':
      if (e.op === '||') return 'string';
      if (['=', '!=', '<', '<=', '>', '>=', 'and', 'or'].includes(e.op)) return 'boolean';
      // whole numbers stay whole (Spark's dayofweek(x) + 1), unless a side is a column or a fraction
      if (['+', '-', '*', '%'].includes(e.op) && isWhole(e.a) && isWhole(e.b) && (e.a.t !== 'num' || e.b.t !== 'num')) return 'integer';
      return 'float';
    case 'cast':
      return e.to === 'VARCHAR' ? 'string' : e.to === 'BIGINT' ? 'integer' : e.to === 'BOOLEAN' ? 'boolean' : 'float';
    case 'call':
      if (TEXT_FNS.has(e.fn.toLowerCase())) return 'string';
      if (BOOL_FNS.has(e.fn.toLowerCase())) return 'boolean';
      if (INT_FNS.has(e.fn.toLowerCase())) return 'integer';
      if (DATE_FNS.has(e.fn.toLowerCase())) return 'date';
      if (e.fn.toLowerCase() === 'to_timestamp') return 'timestamp';
      if (['coalesce', 'nullif', 'least', 'greatest'].includes(e.fn.toLowerCase()) && e.args[0]) return exprType(e.args[0]);
      return 'float';
    case 'case': {
      const first = e.whens[0]?.then ?? e.else;
      return first ? exprType(first) : 'float';
    }
    default:
      return 'float';
  }
}
