import type { MapContext } from './mapContext.js';
import { cols, isObj, num, str } from './params.js';

/** Data Wrangler's split names to Sluice's three shares. */
function share(name: string): 'train' | 'validation' | 'test' | undefined {
  if (/^train/i.test(name)) return 'train';
  if (/^valid/i.test(name)) return 'validation';
  if (/^test/i.test(name)) return 'test';
  return undefined;
}

/**
 * Split data: randomized or stratified -> split. Data Wrangler makes one output per part and the
 * next node takes one of them; Sluice keeps every row and marks its part in a column.
 */
export function mapSplit(ctx: MapContext): void {
  const stratified = ctx.action === 'Stratified split';
  if (ctx.action !== 'Randomized split' && !stratified) {
    ctx.unsupported();
    return;
  }
  const splits = Array.isArray(ctx.params.splits) ? ctx.params.splits.filter(isObj) : [];
  const fractions: Record<string, number> = { train: 0, validation: 0, test: 0 };
  for (const s of splits) {
    const part = share(str(s, 'name') ?? '');
    const p = num(s, 'percentage');
    if (!part || p === undefined) {
      ctx.unsupported();
      return;
    }
    fractions[part] = (fractions[part] ?? 0) + p;
  }
  const column = cols(ctx.params)[0];
  if (splits.length === 0 || (stratified && !column)) {
    ctx.unsupported();
    return;
  }
  ctx.add({ kind: 'split', fractions, ...(stratified ? { stratify_by: column } : {}) });
  ctx.note(
    'info',
    "Sluice marks each row train, validation or test in a column named split (seeded, so re-runs agree); the rows differ from Data Wrangler's random draw",
  );
  if (ctx.outputTaken && ctx.outputTaken !== 'default') {
    ctx.note(
      'warning',
      `the next node took only the "${ctx.outputTaken}" rows; Sluice keeps every row: add a filter_rows step on the split column if the flow should keep one part`,
    );
  }
}
