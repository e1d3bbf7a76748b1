import { SluiceError } from '../../core/errors.js';
import { parseExpr, type Expr } from '../expr/parseExpr.js';
import { ident } from './mapColumns.js';
import type { MapContext } from './mapNode.js';
import { isObj, obj, str } from './params.js';

/** Custom code sub-operators: where the code is kept, and the language the placeholder names. */
const CODE_KINDS: Array<{ action: RegExp; key: string; field: string; language: string }> = [
  { action: /pandas/i, key: 'pandas_parameters', field: 'code', language: 'python-pandas' },
  { action: /pyspark\)|^python \(pyspark/i, key: 'pyspark_parameters', field: 'code', language: 'pyspark' },
  { action: /sql/i, key: 'sql_parameters', field: 'sql', language: 'spark-sql' },
  { action: /user-defined|udf/i, key: 'udf_parameters', field: 'code', language: 'python-udf' },
];

/**
 * Custom code (Python with pandas, PySpark, Spark SQL, a UDF) cannot run in Sluice: it becomes a
 * `todo_custom_code` placeholder holding the code, and a note that shows it.
 */
export function mapCustomCode(ctx: MapContext): void {
  const p = ctx.node.parameters;
  const action = ctx.action ?? '';
  // The node keeps the code of every language tab the user opened; the sub-operator picks one.
  let kind = CODE_KINDS.find((k) => k.action.test(action));
  if (!kind) kind = CODE_KINDS.find((k) => str(obj(p, k.key), k.field) !== undefined);
  let code = kind ? str(obj(p, kind.key), kind.field) : undefined;
  // Older single-language operators (custom_pyspark_0.1, custom_sql_0.1) keep it at the top.
  code ??= str(p, 'code') ?? str(p, 'sql');
  const language = kind?.language ?? (/sql/.test(ctx.node.operator) ? 'spark-sql' : /pandas/.test(ctx.node.operator) ? 'python-pandas' : 'pyspark');
  if (code === undefined) {
    code = JSON.stringify(isObj(p) ? p : {}, null, 2);
  }
  const name = str(p, 'name');
  ctx.placeholder(
    language,
    code,
    `custom ${action || language} code${name ? ` "${name}"` : ''} cannot run in Sluice; the flow holds a placeholder, and flow validate rejects it until you replace it with built-in steps that do the same`,
  );
}

/**
 * Custom formula (one Spark SQL expression) -> compute, when the expression is in Sluice's
 * expression language; otherwise a placeholder that shows it.
 */
export function mapCustomFormula(ctx: MapContext): void {
  const formula = str(ctx.node.parameters, 'formula');
  const output = str(ctx.node.parameters, 'output_column');
  if (!formula || !output) return ctx.unsupported();
  const expression = fromSparkSql(formula);
  let tree: Expr;
  try {
    tree = parseExpr(expression);
  } catch (e) {
    const why = e instanceof SluiceError ? e.message : String(e);
    return ctx.placeholder('spark-sql', `${output} = ${formula}`, `the Spark SQL formula for "${output}" is not in Sluice's expression language (${why}); rewrite it as a compute step`);
  }
  const type = exprType(tree);
  ctx.note('info', `the formula's result type was inferred as ${type}; check the compute step's type`);
  // Spark's withColumn replaces a column of the same name, so replace: true keeps that meaning.
  ctx.add({ kind: 'compute', output, expression, type, replace: true });
}

/** Spark SQL quotes names with backticks; the expression language uses double quotes. */
export function fromSparkSql(formula: string): string {
  let out = '';
  let quote: "'" | '`' | undefined;
  let name = '';
  for (let i = 0; i < formula.length; i++) {
    const c = formula[i]!;
    if (quote === "'") {
      out += c;
      if (c === "'") quote = undefined;
    } else if (quote === '`') {
      if (c === '`' && formula[i + 1] === '`') {
        name += '`'; // Spark doubles a backtick inside a quoted name
        i++;
      } else if (c === '`') {
        out += ident(name);
        name = '';
        quote = undefined;
      } else name += c;
    } else if (c === "'" || c === '`') {
      quote = c;
      if (c === "'") out += c;
    } else out += c;
  }
  // An unclosed name is left as it was, for parseExpr to report.
  return (quote === '`' ? `${out}\`${name}` : out).trim();
}

const TEXT_FNS = new Set(['lower', 'upper', 'trim', 'substr', 'replace', 'concat']);
const BOOL_FNS = new Set(['contains', 'starts_with']);
const INT_FNS = new Set(['length']);

/** The result type of an expression, as far as its shape tells; numbers default to float. */
export function exprType(e: Expr): 'string' | 'integer' | 'float' | 'boolean' {
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
      return 'float';
    case 'cast':
      return e.to === 'VARCHAR' ? 'string' : e.to === 'BIGINT' ? 'integer' : e.to === 'BOOLEAN' ? 'boolean' : 'float';
    case 'call':
      if (TEXT_FNS.has(e.fn.toLowerCase())) return 'string';
      if (BOOL_FNS.has(e.fn.toLowerCase())) return 'boolean';
      if (INT_FNS.has(e.fn.toLowerCase())) return 'integer';
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
