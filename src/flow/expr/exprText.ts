import type { Expr } from './parseExpr.js';

/** Binding strength of each form, as parseExpr's grammar has it (higher binds tighter). */
const OR = 1;
const AND = 2;
const NOT = 3;
const CMP = 4;
const CONCAT = 5;
const ADD = 6;
const MUL = 7;
const PRIMARY = 9;

const BIN_PREC: Record<string, number> = { or: OR, and: AND, '||': CONCAT, '+': ADD, '-': ADD, '*': MUL, '/': MUL, '%': MUL };

const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'in', 'between', 'like', 'case', 'when', 'then', 'else', 'end', 'true', 'false', 'cast', 'as']);
const STATEMENT_WORDS = /^(select|insert|update|delete|drop|create|alter|attach|copy|pragma|install|load|call|set|export|import)$/i;

/** A column name as the expression language reads it: bare when it can be, else "double quoted". */
export function nameText(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toLowerCase()) && !STATEMENT_WORDS.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * Writes a parsed expression back as expression-language text, with parentheses only where the
 * grammar needs them: `parseExpr(exprText(e))` gives `e` again (tests check it). Translators from
 * other dialects build a tree and write it with this.
 */
export function exprText(e: Expr): string {
  return text(e, 0);
}

function wrap(s: string, prec: number, min: number): string {
  return prec < min ? `(${s})` : s;
}

function text(e: Expr, min: number): string {
  switch (e.t) {
    case 'num':
      // a negative number is a unary minus to the parser: parenthesised, so `a - -1` never reads as a comment
      return e.v < 0 || Object.is(e.v, -0) ? `(-${String(Math.abs(e.v))})` : String(e.v);
    case 'str':
      return `'${e.v.replace(/'/g, "''")}'`;
    case 'bool':
      return e.v ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'col':
      return nameText(e.name);
    case 'unary':
      return e.op === 'not' ? wrap(`NOT ${text(e.e, NOT)}`, NOT, min) : `(-${text(e.e, PRIMARY)})`;
    case 'bin': {
      if (!(e.op in BIN_PREC)) return wrap(`${text(e.a, CONCAT)} ${e.op} ${text(e.b, CONCAT)}`, CMP, min);
      const prec = BIN_PREC[e.op]!;
      return wrap(`${text(e.a, prec)} ${e.op.toUpperCase()} ${text(e.b, prec + 1)}`, prec, min);
    }
    case 'isnull':
      return wrap(`${text(e.e, CONCAT)} IS ${e.not ? 'NOT ' : ''}NULL`, CMP, min);
    case 'in':
      return wrap(`${text(e.e, CONCAT)} ${e.not ? 'NOT ' : ''}IN (${e.list.map((x) => text(x, 0)).join(', ')})`, CMP, min);
    case 'between':
      return wrap(`${text(e.e, CONCAT)} ${e.not ? 'NOT ' : ''}BETWEEN ${text(e.lo, CONCAT)} AND ${text(e.hi, CONCAT)}`, CMP, min);
    case 'like':
      return wrap(`${text(e.e, CONCAT)} ${e.not ? 'NOT ' : ''}LIKE ${text(e.pattern, CONCAT)}`, CMP, min);
    case 'call':
      return `${e.fn}(${e.args.map((x) => text(x, 0)).join(', ')})`;
    case 'cast':
      return `CAST(${text(e.e, 0)} AS ${e.to})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${text(w.when, 0)} THEN ${text(w.then, 0)}`).join(' ')}${e.else ? ` ELSE ${text(e.else, 0)}` : ''} END`;
  }
}
