/**
 * Lenient readers for Data Wrangler parameters. Data Wrangler has changed its parameter shapes
 * between versions (a column is sometimes a string, sometimes a list), so the mappers read through
 * these instead of trusting one shape.
 */

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `key`, or an empty object. */
export function obj(o: unknown, key: string): Obj {
  const v = isObj(o) ? o[key] : undefined;
  return isObj(v) ? v : {};
}

/** The text at `key` (numbers are turned into text), or undefined. */
export function str(o: unknown, key: string): string | undefined {
  const v = isObj(o) ? o[key] : undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function num(o: unknown, key: string): number | undefined {
  const v = isObj(o) ? o[key] : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Column names at `key`: a list, a single name, or a comma-free string; empty names are dropped. */
export function cols(o: unknown, key = 'input_column'): string[] {
  const v = isObj(o) ? o[key] : undefined;
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((c): c is string => typeof c === 'string' && c.length > 0);
}

/** `Find and replace substring` -> `find_and_replace_substring_parameters`, Data Wrangler's naming rule. */
export function paramsKey(action: string): string {
  return `${action
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}_parameters`;
}

/** The parameters block of a sub-operator: `parameters[<snake case action>_parameters]`. */
export function actionParams(parameters: Obj, action: string): Obj {
  return obj(parameters, paramsKey(action));
}

/**
 * `table[key]` for the table's own keys only: names come from the file, and a name such as
 * `constructor` must not find Object's.
 */
export function lookup<T>(table: Record<string, T>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** `sagemaker.spark.manage_columns_0.1` -> `sagemaker.spark.manage_columns`. */
export function operatorBase(operator: string): string {
  return operator.replace(/_\d+(\.\d+)*$/, '');
}
