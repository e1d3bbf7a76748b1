import { quoteIdent, quoteLiteral } from '../../engine/sql.js';
import { castToBigint, FUNCTIONS } from './functions.js';
import type { Expr } from './parseExpr.js';

/**
 * Compiles a parsed expression to DuckDB SQL. Every column is quoted and every string is a
 * literal, so the SQL can only be the one expression that was parsed.
 */
export function exprToSql(e: Expr): string {
  switch (e.t) {
    case 'num':
      return Number.isInteger(e.v) ? String(e.v) : `${e.v}::DOUBLE`;
    case 'str':
      return quoteLiteral(e.v);
    case 'bool':
      return e.v ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'col':
      return quoteIdent(e.name);
    case 'unary':
      return e.op === '-' ? `(-${exprToSql(e.e)})` : `(NOT ${exprToSql(e.e)})`;
    case 'bin': {
      const a = exprToSql(e.a);
      const b = exprToSql(e.b);
      if (e.op === '/') return `((${a})::DOUBLE / (${b})::DOUBLE)`;
      if (e.op === '%') return `((${a})::DOUBLE % (${b})::DOUBLE)`;
      if (e.op === '||') return `(CAST(${a} AS VARCHAR) || CAST(${b} AS VARCHAR))`;
      return `(${a} ${e.op.toUpperCase()} ${b})`;
    }
    case 'isnull':
      return `(${exprToSql(e.e)} IS ${e.not ? 'NOT ' : ''}NULL)`;
    case 'in':
      return `(${exprToSql(e.e)} ${e.not ? 'NOT ' : ''}IN (${e.list.map(exprToSql).join(', ')}))`;
    case 'between':
      return `(${exprToSql(e.e)} ${e.not ? 'NOT ' : ''}BETWEEN ${exprToSql(e.lo)} AND ${exprToSql(e.hi)})`;
    case 'like':
      return `(${exprToSql(e.e)} ${e.not ? 'NOT ' : ''}LIKE ${exprToSql(e.pattern)})`;
    case 'call':
      return FUNCTIONS[e.fn]!.sql(e.args.map(exprToSql));
    case 'cast':
      return e.to === 'BIGINT' || e.to === 'DOUBLE' ? `TRY_CAST(${exprToSql(e.e)} AS ${e.to})` : `CAST(${exprToSql(e.e)} AS ${e.to})`;
    case 'case':
      return `(CASE ${e.whens.map((w) => `WHEN ${exprToSql(w.when)} THEN ${exprToSql(w.then)}`).join(' ')}${e.else ? ` ELSE ${exprToSql(e.else)}` : ''} END)`;
  }
}

export type Evaluator = (row: Record<string, unknown>) => unknown;

const isNull = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** DuckDB's text for a value cast to VARCHAR (floats keep a `.0`). */
function toText(v: unknown, isFloat = false): string {
  if (typeof v === 'number' && isFloat && Number.isInteger(v) && Math.abs(v) < 1e15) return v.toFixed(1);
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '[\\s\\S]*')
    .replace(/_/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}

/**
 * Compiles a parsed expression to a JavaScript function of a record, with SQL's NULL semantics
 * (three-valued logic, NULL propagation, division by zero gives NULL), for the serving path.
 */
export function exprToJs(e: Expr): Evaluator {
  switch (e.t) {
    case 'num':
    case 'str':
    case 'bool': {
      const v = e.v;
      return () => v;
    }
    case 'null':
      return () => null;
    case 'col': {
      const name = e.name;
      return (r) => {
        const v = r[name];
        return v === undefined ? null : v;
      };
    }
    case 'unary': {
      const f = exprToJs(e.e);
      if (e.op === '-')
        return (r) => {
          const v = f(r);
          return isNull(v) ? null : -(toNumber(v) ?? NaN);
        };
      return (r) => {
        const v = f(r);
        return isNull(v) ? null : !v;
      };
    }
    case 'bin':
      return binary(e.op, exprToJs(e.a), exprToJs(e.b));
    case 'isnull': {
      const f = exprToJs(e.e);
      return e.not ? (r) => !isNull(f(r)) : (r) => isNull(f(r));
    }
    case 'in': {
      const f = exprToJs(e.e);
      const list = e.list.map(exprToJs);
      return (r) => {
        const v = f(r);
        if (isNull(v)) return null;
        const values = list.map((g) => g(r));
        const hit = values.some((x) => !isNull(x) && x === v);
        if (hit) return !e.not;
        return values.some(isNull) ? null : e.not;
      };
    }
    case 'between': {
      const [f, lo, hi] = [exprToJs(e.e), exprToJs(e.lo), exprToJs(e.hi)];
      return (r) => {
        const v = f(r);
        const a = lo(r);
        const b = hi(r);
        if (isNull(v) || isNull(a) || isNull(b)) return null;
        const inside = (v as number) >= (a as number) && (v as number) <= (b as number);
        return e.not ? !inside : inside;
      };
    }
    case 'like': {
      const f = exprToJs(e.e);
      const p = exprToJs(e.pattern);
      const constant = e.pattern.t === 'str' ? likeToRegExp(e.pattern.v) : undefined;
      return (r) => {
        const v = f(r);
        const pat = p(r);
        if (isNull(v) || isNull(pat)) return null;
        const ok = (constant ?? likeToRegExp(String(pat))).test(String(v));
        return e.not ? !ok : ok;
      };
    }
    case 'call': {
      const def = FUNCTIONS[e.fn]!;
      const args = e.args.map(exprToJs);
      return (r) => {
        const vals = args.map((g) => g(r));
        if (!def.nullAware && vals.some(isNull)) return null;
        const out = def.js(...vals);
        return typeof out === 'number' && !Number.isFinite(out) ? null : out;
      };
    }
    case 'cast': {
      const f = exprToJs(e.e);
      const isFloat = e.e.t === 'num' && !Number.isInteger(e.e.v);
      switch (e.to) {
        case 'DOUBLE':
          return (r) => {
            const v = f(r);
            return isNull(v) ? null : toNumber(v);
          };
        case 'BIGINT':
          return (r) => {
            const v = f(r);
            if (isNull(v)) return null;
            const n = toNumber(v);
            return n === null ? null : castToBigint(n);
          };
        case 'BOOLEAN':
          return (r) => {
            const v = f(r);
            if (isNull(v)) return null;
            if (typeof v === 'string') return ['true', 't', '1', 'yes', 'y'].includes(v.toLowerCase());
            return Boolean(v);
          };
        default:
          return (r) => {
            const v = f(r);
            return isNull(v) ? null : toText(v, isFloat);
          };
      }
    }
    case 'case': {
      const whens = e.whens.map((w) => ({ when: exprToJs(w.when), then: exprToJs(w.then) }));
      const otherwise = e.else ? exprToJs(e.else) : () => null;
      return (r) => {
        for (const w of whens) if (w.when(r) === true) return w.then(r);
        return otherwise(r);
      };
    }
  }
}

function binary(op: string, a: Evaluator, b: Evaluator): Evaluator {
  if (op === 'and') {
    return (r) => {
      const x = a(r);
      if (x === false) return false;
      const y = b(r);
      if (y === false) return false;
      return isNull(x) || isNull(y) ? null : true;
    };
  }
  if (op === 'or') {
    return (r) => {
      const x = a(r);
      if (x === true) return true;
      const y = b(r);
      if (y === true) return true;
      return isNull(x) || isNull(y) ? null : false;
    };
  }
  return (r) => {
    const x = a(r);
    const y = b(r);
    if (isNull(x) || isNull(y)) return null;
    switch (op) {
      case '||':
        return String(x) + String(y);
      case '=':
        return x === y;
      case '!=':
        return x !== y;
      case '<':
        return (x as number) < (y as number);
      case '<=':
        return (x as number) <= (y as number);
      case '>':
        return (x as number) > (y as number);
      case '>=':
        return (x as number) >= (y as number);
    }
    const p = toNumber(x);
    const q = toNumber(y);
    if (p === null || q === null) return null;
    switch (op) {
      case '+':
        return p + q;
      case '-':
        return p - q;
      case '*':
        return p * q;
      case '/':
        return q === 0 ? null : p / q;
      case '%':
        return q === 0 ? null : p % q;
    }
    return null;
  };
}
