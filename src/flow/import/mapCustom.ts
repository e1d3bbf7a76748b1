import { SluiceError } from '../../core/errors.js';
import type { Expr } from '../expr/parseExpr.js';
import type { MapContext } from './mapNode.js';
import { isObj, lookup, obj, str } from './params.js';
import { sparkToSluice } from './sparkExpr.js';
import { sparkSelectToSteps } from './sparkSelect.js';
import { suggestSteps } from './suggestSteps.js';

/** Custom code sub-operators: where the code is kept, and the language the placeholder names. */
const CODE_KINDS: Array<{ action: RegExp; key: string; field: string; language: string }> = [
  { action: /pandas/i, key: 'pandas_parameters', field: 'code', language: 'python-pandas' },
  { action: /pyspark\)|^python \(pyspark/i, key: 'pyspark_parameters', field: 'code', language: 'pyspark' },
  { action: /sql/i, key: 'sql_parameters', field: 'sql', language: 'spark-sql' },
  { action: /user-defined|udf/i, key: 'udf_parameters', field: 'code', language: 'python-udf' },
];

/**
 * Custom code: pandas code and Python user-defined functions become `python` steps holding the
 * code as it is; Spark SQL is translated into steps when it can be (sparkSelect.ts); PySpark (and
 * SQL that does not translate) becomes a `todo_custom_code` placeholder holding the code, with a
 * note that shows it and names the built-in steps its calls match.
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
  if (language === 'spark-sql' && kind?.language !== 'pyspark') {
    try {
      const { steps, warnings } = sparkSelectToSteps(code);
      ctx.note('info', `the custom SQL${name ? ` "${name}"` : ''} became ${steps.map((s) => s.kind).join(', ')}: ${code.replace(/\s+/g, ' ').trim()}`);
      for (const w of warnings) ctx.note('warning', w);
      for (const s of steps) ctx.add(s);
      return;
    } catch (e) {
      if (!(e instanceof SluiceError)) throw e;
      return ctx.placeholder(
        language,
        code,
        `custom SQL${name ? ` "${name}"` : ''} cannot be imported: ${e.message}; replace the placeholder with built-in steps that do the same`,
      );
    }
  }
  if (language === 'python-pandas') {
    // Data Wrangler's pandas transform runs as it is, in a python step (pandas in a subprocess).
    ctx.add({ kind: 'python', code, ...(name ? { name } : {}) });
    ctx.note(
      'info',
      `the custom pandas code${name ? ` "${name}"` : ''} runs as it is in a python step (python3 with pandas, on batches); a model whose flow has it cannot serve single records unless you add \`serve: skip\` to the step (when it only adds ids or timestamps, or removes rows)`,
    );
    return;
  }
  if (language === 'python-udf') return mapUdf(ctx, name);
  const like = suggestSteps(code);
  ctx.placeholder(
    language,
    code,
    `custom ${action || language} code${name ? ` "${name}"` : ''} cannot run in Sluice (PySpark needs Spark); the flow holds a placeholder, and flow validate rejects it until you replace it with built-in steps that do the same${like.length ? ` (the code's calls match ${like.join(', ')})` : ''}, or with a python step holding the same transform in pandas`,
  );
}

/** Data Wrangler's return types of a user-defined function, as Sluice types. */
const UDF_TYPES: Record<string, 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'timestamp'> = {
  string: 'string',
  long: 'integer',
  int: 'integer',
  integer: 'integer',
  float: 'float',
  double: 'float',
  bool: 'boolean',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  datetime: 'timestamp',
};

/**
 * "Python (User-Defined Function)": `custom_func` applied to `input_col`, its result in
 * `output_col` (Pandas mode: a Series per batch; Python mode: one value at a time) -> a python
 * step in mode series or value, with the code as it is.
 */
function mapUdf(ctx: MapContext, name: string | undefined): void {
  const p = obj(ctx.node.parameters, 'udf_parameters');
  const column = str(p, 'input_col');
  const series = !/^python$/i.test(str(p, 'udf_mode') ?? 'Pandas');
  const code = series ? (str(p, 'pandas_code') ?? str(p, 'code')) : (str(p, 'python_code') ?? str(p, 'code'));
  if (!column || !code)
    return ctx.placeholder(
      'python-udf',
      JSON.stringify(p, null, 2),
      'a Python user-defined function without its input column or code; replace the placeholder with a python step',
    );
  const output = str(p, 'output_col');
  const returnType = str(p, 'return_type');
  const type = returnType ? lookup(UDF_TYPES, returnType.toLowerCase()) : undefined;
  if (returnType && !type)
    ctx.note('warning', `the function's return type "${returnType}" has no Sluice type; the step takes the type of the values it returns`);
  ctx.add({
    kind: 'python',
    mode: series ? 'series' : 'value',
    column,
    ...(output && output !== column ? { output } : {}),
    ...(type ? { type } : {}),
    code,
    ...(name ? { name } : {}),
  });
  ctx.note(
    'info',
    `the Python user-defined function${name ? ` "${name}"` : ''} runs as it is in a python step (mode ${series ? 'series' : 'value'}, on batches); a model whose flow has it cannot serve single records unless the step has \`serve: skip\``,
  );
}

/**
 * Custom formula (one Spark SQL expression) -> compute, translated into Sluice's expression
 * language (sparkExpr.ts); a Spark function or construct without a faithful translation keeps
 * the formula as a placeholder whose note names it.
 */
export function mapCustomFormula(ctx: MapContext): void {
  const formula = str(ctx.node.parameters, 'formula');
  const output = str(ctx.node.parameters, 'output_column');
  if (!formula || !output) return ctx.unsupported();
  let translated: ReturnType<typeof sparkToSluice>;
  try {
    translated = sparkToSluice(formula);
  } catch (e) {
    if (!(e instanceof SluiceError)) throw e;
    return ctx.placeholder(
      'spark-sql',
      `${output} = ${formula}`,
      `the Spark SQL formula for "${output}" cannot be imported: ${e.message}; replace the placeholder with a compute step (or the built-in step that does the same)`,
    );
  }
  const type = exprType(translated.tree);
  ctx.note('info', `the formula's result type was inferred as ${type}; check the compute step's type`);
  // Spark's withColumn replaces a column of the same name, so replace: true keeps that meaning.
  ctx.add({ kind: 'compute', output, expression: translated.expression, type, replace: true });
}

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
