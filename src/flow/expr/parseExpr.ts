import { SluiceError } from '../../core/errors.js';
import { FUNCTIONS } from './functions.js';

/**
 * The flow's expression language: one SQL expression (never a statement), parsed into a tree
 * that compiles both to DuckDB SQL and to a JavaScript function. Columns are bare names or
 * "double quoted"; strings are 'single quoted'.
 *
 * Grammar (lowest precedence first):
 *   or      := and (OR and)*
 *   and     := not (AND not)*
 *   not     := NOT not | cmp
 *   cmp     := concat ((= | == | != | <> | < | <= | > | >=) concat
 *                     | IS [NOT] NULL | [NOT] IN (list) | [NOT] BETWEEN concat AND concat
 *                     | [NOT] LIKE concat)?
 *   concat  := add (|| add)*
 *   add     := mul ((+ | -) mul)*
 *   mul     := unary ((* | / | %) unary)*
 *   unary   := - unary | primary
 *   primary := number | string | TRUE | FALSE | NULL | column | fn(args) | CAST(e AS type)
 *            | CASE (WHEN e THEN e)+ [ELSE e] END | ( or )
 */
export type Expr =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'col'; name: string }
  | { t: 'unary'; op: '-' | 'not'; e: Expr }
  | { t: 'bin'; op: BinOp; a: Expr; b: Expr }
  | { t: 'isnull'; e: Expr; not: boolean }
  | { t: 'in'; e: Expr; list: Expr[]; not: boolean }
  | { t: 'between'; e: Expr; lo: Expr; hi: Expr; not: boolean }
  | { t: 'like'; e: Expr; pattern: Expr; not: boolean }
  | { t: 'call'; fn: string; args: Expr[] }
  | { t: 'cast'; e: Expr; to: CastType }
  | { t: 'case'; whens: Array<{ when: Expr; then: Expr }>; else: Expr | undefined };

export type BinOp = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';
export type CastType = 'DOUBLE' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN';

const CAST_TYPES: Record<string, CastType> = {
  DOUBLE: 'DOUBLE',
  FLOAT: 'DOUBLE',
  REAL: 'DOUBLE',
  NUMERIC: 'DOUBLE',
  DECIMAL: 'DOUBLE',
  BIGINT: 'BIGINT',
  INTEGER: 'BIGINT',
  INT: 'BIGINT',
  VARCHAR: 'VARCHAR',
  TEXT: 'VARCHAR',
  STRING: 'VARCHAR',
  BOOLEAN: 'BOOLEAN',
  BOOL: 'BOOLEAN',
};

type Tok = { k: 'num' | 'str' | 'id' | 'qid' | 'op' | 'end'; v: string; pos: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'in', 'between', 'like', 'case', 'when', 'then', 'else', 'end', 'true', 'false', 'cast', 'as']);
const STATEMENT_WORDS = /^(select|insert|update|delete|drop|create|alter|attach|copy|pragma|install|load|call|set|export|import)$/i;

function fail(message: string, pos: number, source: string, hint?: string): never {
  throw new SluiceError('EXPR_SYNTAX', `${message} at position ${pos + 1} of expression ${JSON.stringify(source)}`, {
    location: { column: pos + 1 },
    hint: hint ?? 'expressions are one SQL expression, e.g. `num_medications / (time_in_hospital + 1)`',
  });
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === ';') fail('a statement separator ";" is not allowed', i, src, 'a flow expression is a single expression, not a statement');
    if (c === '-' && src[i + 1] === '-') fail('comments are not allowed', i, src);
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i))!;
      out.push({ k: 'num', v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= src.length) fail(`unclosed ${c === "'" ? 'string' : 'quoted name'}`, i, src);
        if (src[j] === c) {
          if (src[j + 1] === c) {
            v += c;
            j += 2;
            continue;
          }
          break;
        }
        v += src[j];
        j++;
      }
      out.push({ k: c === "'" ? 'str' : 'qid', v, pos: i });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ k: 'id', v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['<=', '>=', '<>', '!=', '==', '||'].includes(two)) {
      out.push({ k: 'op', v: two, pos: i });
      i += 2;
      continue;
    }
    if ('+-*/%=<>(),'.includes(c)) {
      out.push({ k: 'op', v: c, pos: i });
      i++;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`, i, src);
  }
  out.push({ k: 'end', v: '', pos: src.length });
  return out;
}

/**
 * Options for translators from another dialect (the Data Wrangler importer's Spark SQL): with
 * `foreign`, any function name parses (a `call` the translator maps or refuses, arity unchecked)
 * and `CAST(e AS type)` keeps the type's own name as `call` `cast` with a string second argument.
 */
export interface ParseOptions {
  foreign?: boolean;
}

/** Parses one expression; throws an EXPR_SYNTAX SluiceError with the position on error. */
export function parseExpr(source: string, options: ParseOptions = {}): Expr {
  const toks = tokenize(source);
  let p = 0;
  const peek = (): Tok => toks[p]!;
  const kw = (w: string): boolean => peek().k === 'id' && peek().v.toLowerCase() === w;
  const op = (o: string): boolean => peek().k === 'op' && peek().v === o;
  const next = (): Tok => toks[p++]!;
  const expectOp = (o: string): void => {
    if (!op(o)) fail(`expected "${o}"`, peek().pos, source);
    p++;
  };
  const expectKw = (w: string): void => {
    if (!kw(w)) fail(`expected ${w.toUpperCase()}`, peek().pos, source);
    p++;
  };

  const orExpr = (): Expr => {
    let a = andExpr();
    while (kw('or')) {
      p++;
      a = { t: 'bin', op: 'or', a, b: andExpr() };
    }
    return a;
  };
  const andExpr = (): Expr => {
    let a = notExpr();
    while (kw('and')) {
      p++;
      a = { t: 'bin', op: 'and', a, b: notExpr() };
    }
    return a;
  };
  const notExpr = (): Expr => {
    if (kw('not')) {
      p++;
      return { t: 'unary', op: 'not', e: notExpr() };
    }
    return cmpExpr();
  };
  const cmpExpr = (): Expr => {
    const a = concatExpr();
    const t = peek();
    if (t.k === 'op' && ['=', '==', '!=', '<>', '<', '<=', '>', '>='].includes(t.v)) {
      p++;
      const o = t.v === '==' ? '=' : t.v === '<>' ? '!=' : t.v;
      return { t: 'bin', op: o as BinOp, a, b: concatExpr() };
    }
    if (kw('is')) {
      p++;
      const not = kw('not');
      if (not) p++;
      expectKw('null');
      return { t: 'isnull', e: a, not };
    }
    let not = false;
    if (kw('not')) {
      not = true;
      p++;
    }
    if (kw('in')) {
      p++;
      expectOp('(');
      const list: Expr[] = [orExpr()];
      while (op(',')) {
        p++;
        list.push(orExpr());
      }
      expectOp(')');
      return { t: 'in', e: a, list, not };
    }
    if (kw('between')) {
      p++;
      const lo = concatExpr();
      expectKw('and');
      return { t: 'between', e: a, lo, hi: concatExpr(), not };
    }
    if (kw('like')) {
      p++;
      return { t: 'like', e: a, pattern: concatExpr(), not };
    }
    if (not) fail('expected IN, BETWEEN or LIKE after NOT', peek().pos, source);
    return a;
  };
  const concatExpr = (): Expr => {
    let a = addExpr();
    while (op('||')) {
      p++;
      a = { t: 'bin', op: '||', a, b: addExpr() };
    }
    return a;
  };
  const addExpr = (): Expr => {
    let a = mulExpr();
    while (op('+') || op('-')) {
      const o = next().v as BinOp;
      a = { t: 'bin', op: o, a, b: mulExpr() };
    }
    return a;
  };
  const mulExpr = (): Expr => {
    let a = unary();
    while (op('*') || op('/') || op('%')) {
      const o = next().v as BinOp;
      a = { t: 'bin', op: o, a, b: unary() };
    }
    return a;
  };
  const unary = (): Expr => {
    if (op('-')) {
      p++;
      const e = unary();
      if (e.t === 'num') return { t: 'num', v: -e.v };
      return { t: 'unary', op: '-', e };
    }
    if (op('+')) {
      p++;
      return unary();
    }
    return primary();
  };
  const primary = (): Expr => {
    const t = next();
    if (t.k === 'num') return { t: 'num', v: Number(t.v) };
    if (t.k === 'str') return { t: 'str', v: t.v };
    if (t.k === 'qid') return { t: 'col', name: t.v };
    if (t.k === 'op' && t.v === '(') {
      const e = orExpr();
      expectOp(')');
      return e;
    }
    if (t.k === 'id') {
      const w = t.v.toLowerCase();
      if (STATEMENT_WORDS.test(w) && op('(') === false && peek().k !== 'end') {
        fail(`"${t.v}" starts a statement`, t.pos, source, 'a flow expression is a single expression, not a statement');
      }
      if (w === 'true' || w === 'false') return { t: 'bool', v: w === 'true' };
      if (w === 'null') return { t: 'null' };
      if (w === 'case') {
        const whens: Array<{ when: Expr; then: Expr }> = [];
        // CASE x WHEN v THEN ... (a foreign dialect's simple CASE) becomes WHEN x = v THEN ...
        const operand = options.foreign && !kw('when') ? orExpr() : undefined;
        while (kw('when')) {
          p++;
          const value = orExpr();
          const when: Expr = operand ? { t: 'bin', op: '=', a: operand, b: value } : value;
          expectKw('then');
          whens.push({ when, then: orExpr() });
        }
        if (whens.length === 0) fail('CASE needs at least one WHEN', peek().pos, source);
        let otherwise: Expr | undefined;
        if (kw('else')) {
          p++;
          otherwise = orExpr();
        }
        expectKw('end');
        return { t: 'case', whens, else: otherwise };
      }
      if (w === 'cast') {
        expectOp('(');
        const e = orExpr();
        expectKw('as');
        const ty = next();
        if (options.foreign && ty.k === 'id') {
          if (op('(')) {
            // DECIMAL(10, 2): the precision does not matter to the translation
            while (!op(')') && peek().k !== 'end') p++;
            expectOp(')');
          }
          expectOp(')');
          return { t: 'call', fn: 'cast', args: [e, { t: 'str', v: ty.v.toUpperCase() }] };
        }
        const to = CAST_TYPES[ty.v.toUpperCase()];
        if (!to) fail(`unknown type "${ty.v}" in CAST`, ty.pos, source, 'use DOUBLE, BIGINT, VARCHAR or BOOLEAN');
        expectOp(')');
        return { t: 'cast', e, to };
      }
      if (op('(')) {
        p++;
        const fn = options.foreign ? undefined : FUNCTIONS[w];
        if (!fn && !options.foreign) fail(`unknown function "${t.v}"`, t.pos, source, `available functions: ${Object.keys(FUNCTIONS).sort().join(', ')}`);
        const args: Expr[] = [];
        if (!op(')')) {
          args.push(orExpr());
          while (op(',')) {
            p++;
            args.push(orExpr());
          }
        }
        expectOp(')');
        if (fn && (args.length < fn.min || args.length > fn.max)) {
          fail(
            `${w}() takes ${fn.min === fn.max ? fn.min : `${fn.min} to ${fn.max === Infinity ? 'any number of' : fn.max}`} arguments, got ${args.length}`,
            t.pos,
            source,
          );
        }
        return { t: 'call', fn: w, args };
      }
      if (KEYWORDS.has(w)) fail(`unexpected keyword ${t.v.toUpperCase()}`, t.pos, source);
      return { t: 'col', name: t.v };
    }
    if (t.k === 'end') fail('unexpected end of expression', t.pos, source);
    return fail(`unexpected "${t.v}"`, t.pos, source);
  };

  const e = orExpr();
  if (peek().k !== 'end')
    fail(`unexpected "${peek().v}" after the end of the expression`, peek().pos, source, 'a flow expression is a single expression, not a statement');
  return e;
}

/** The column names an expression reads. */
export function exprColumns(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.t) {
    case 'col':
      out.add(e.name);
      break;
    case 'unary':
    case 'isnull':
    case 'cast':
      exprColumns(e.e, out);
      break;
    case 'bin':
      exprColumns(e.a, out);
      exprColumns(e.b, out);
      break;
    case 'in':
      exprColumns(e.e, out);
      e.list.forEach((x) => {
        exprColumns(x, out);
      });
      break;
    case 'between':
      [e.e, e.lo, e.hi].forEach((x) => {
        exprColumns(x, out);
      });
      break;
    case 'like':
      exprColumns(e.e, out);
      exprColumns(e.pattern, out);
      break;
    case 'call':
      e.args.forEach((x) => {
        exprColumns(x, out);
      });
      break;
    case 'case':
      e.whens.forEach((w) => {
        exprColumns(w.when, out);
        exprColumns(w.then, out);
      });
      if (e.else) exprColumns(e.else, out);
      break;
    default:
      break;
  }
  return out;
}
