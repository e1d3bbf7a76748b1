import type { MapContext } from './mapNode.js';
import { cols, isObj, lookup, obj, str } from './params.js';

/** Data Wrangler's numeric impute strategies to Sluice's. */
const STRATEGIES: Record<string, 'mean' | 'median' | 'mode'> = {
  mean: 'mean',
  'approximate median': 'median',
  median: 'median',
  mode: 'mode',
  'most frequent': 'mode',
};

/** Handle missing: impute, fill missing, add indicator for missing, drop missing. */
export function mapHandleMissing(ctx: MapContext): void {
  const p = ctx.params;
  switch (ctx.action) {
    case 'Impute':
      return mapImpute(ctx);
    case 'Fill missing': {
      const columns = cols(p);
      const raw = isObj(p) ? p.fill_value : undefined;
      const value = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? raw : undefined;
      if (columns.length === 0 || value === undefined) return ctx.unsupported();
      return ctx.add({ kind: 'impute', columns, strategy: 'constant', value });
    }
    case 'Add indicator for missing': {
      const columns = cols(p);
      return columns.length ? ctx.add({ kind: 'missing_indicator', columns }) : ctx.unsupported();
    }
    case 'Drop missing': {
      // Newer flows nest the columns under drop_rows_parameters; no columns means every column.
      const columns = cols(p).length ? cols(p) : cols(obj(p, 'drop_rows_parameters'));
      const dimension = str(p, 'dimension');
      if (dimension && !/row/i.test(dimension)) return ctx.unsupported();
      return ctx.add(columns.length ? { kind: 'drop_missing', columns } : { kind: 'drop_missing' });
    }
    default:
      return ctx.unsupported();
  }
}

/**
 * Data Wrangler's transforms may write to a new column (`output_column`) and keep the input; the
 * Sluice steps edit in place, so the input is first copied to the new name (duplicate_column) and
 * the step works on the copy. Returns the columns the step should work on.
 */
export function intoOutputColumn(ctx: MapContext, columns: string[], params: unknown): string[] {
  const output = str(params, 'output_column');
  if (!output || columns.length !== 1 || output === columns[0]) return columns;
  ctx.add({ kind: 'duplicate_column', column: columns[0]!, output });
  return [output];
}

function mapImpute(ctx: MapContext): void {
  const columnType = str(ctx.params, 'column_type') ?? 'Numeric';
  const numeric = /numeric/i.test(columnType);
  const sub = obj(ctx.params, numeric ? 'numeric_parameters' : 'categorical_parameters');
  if (cols(sub).length === 0) return ctx.unsupported();
  if (numeric && !lookup(STRATEGIES, (str(sub, 'strategy') ?? 'Approximate Median').toLowerCase())) return ctx.unsupported();
  const columns = intoOutputColumn(ctx, cols(sub), sub);
  let strategy: 'mean' | 'median' | 'mode' = 'mode';
  if (numeric) {
    const named = (str(sub, 'strategy') ?? 'Approximate Median').toLowerCase();
    const s = lookup(STRATEGIES, named);
    if (!s) return ctx.unsupported();
    strategy = s;
    if (named === 'approximate median') ctx.note('info', "Data Wrangler's approximate median becomes an exact median in Sluice");
  }
  const learned = learnedValues(ctx.node.trained_parameters, numeric ? 'numeric_parameters' : 'categorical_parameters', columns);
  const description = learned.length ? `Data Wrangler learned ${learned.join(', ')}; Sluice learns the fill values again when the flow is fitted.` : undefined;
  ctx.add({ kind: 'impute', columns, strategy, ...(description ? { description } : {}) });
  if (learned.length)
    ctx.note(
      'info',
      `Data Wrangler's trained fill values were ${learned.join(', ')}; Sluice refits them on each batch it fits, so they are kept as the step's description only`,
    );
}

/**
 * The fill values in trained_parameters: a list of {input_column, impute_value} (one per column)
 * in current flows, a single {impute_value} in older single-column ones.
 */
function learnedValues(trained: unknown, key: string, columns: string[]): string[] {
  const raw = obj(trained, 'impute_parameters')[key];
  const list = Array.isArray(raw) ? raw : isObj(raw) ? [raw] : [];
  return list.filter(isObj).flatMap((t) => {
    const value = t.impute_value;
    if (value === undefined) return [];
    const column = str(t, 'input_column') ?? (columns.length === 1 ? columns[0] : undefined);
    return [`${column ?? '(column)'}=${JSON.stringify(value)}`];
  });
}
