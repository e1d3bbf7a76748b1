import type { ColumnSchema } from '../core/types.js';
import type { FittedFlow } from '../flow/fittedFlow.js';
import { requiredInputs } from '../flow/planSql.js';
import { pruneForServing } from '../flow/pruneForServing.js';

/**
 * The raw columns (with their types) a model needs at prediction time: those the fitted flow
 * reads to make the model's features, and nothing else. A column the flow drops, or one that only
 * feeds columns the model does not read (a date column AutoML skipped, the record id's hash), is
 * not in it: ignored when present, not required when absent. The manifest's `inputSignature`,
 * what batch prediction and the endpoint require, and what `/ping` lists.
 *
 * @example
 * inputSignature(fitted, model.schema.map((f) => f.name)) // [{ name: 'age', type: 'integer' }, ...]
 */
export function inputSignature(fitted: FittedFlow, features: Iterable<string>): ColumnSchema[] {
  return requiredInputs(pruneForServing(fitted, features), 'serve').map((c) => ({ name: c.name, type: c.type, ...(c.format ? { format: c.format } : {}) }));
}
