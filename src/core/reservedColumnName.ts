/**
 * The one name a column cannot have: a JavaScript object (a record on the prediction path, a
 * step's fitted values, a flow's maps) cannot hold `__proto__` as its own key by assignment, so a
 * column of that name would lose its values without a word. The readers refuse such a column
 * (DATA_COLUMN_NAME), a flow cannot name one (FLOW_INVALID) and no step may make one
 * (FLOW_COLUMN_NAME). Other names of Object.prototype's members (`constructor`, `toString`) are
 * ordinary column names: every lookup by a column name reads own keys only.
 */
export const RESERVED_COLUMN_NAME = '__proto__';

/** Why the name is refused, for messages. */
export const RESERVED_COLUMN_REASON = 'a JavaScript object cannot hold it as its own key, so its values would be lost';

/**
 * The path of every `__proto__` key in a parsed document (YAML and JSON parsers keep it as an own
 * key, but zod's records and every object built from them drop it without a word, or take its
 * value as the object's prototype), so that a flow or a pipeline can refuse each with its place.
 */
export function reservedKeyPaths(doc: unknown): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  const walk = (v: unknown, path: Array<string | number>): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, [...path, i]);
    } else if (typeof v === 'object' && v !== null)
      for (const key of Object.keys(v)) {
        if (key === RESERVED_COLUMN_NAME) found.push([...path, key]);
        else walk((v as Record<string, unknown>)[key], [...path, key]);
      }
  };
  walk(doc, []);
  return found;
}
