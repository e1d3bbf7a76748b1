import type { StepSpec } from '../flowSchema.js';
import type { MapContext } from './mapContext.js';
import { num, obj, paramsKey, str } from './params.js';

/** Balance data: random oversample, random undersample or SMOTE of the target's classes. */
export function mapBalanceData(ctx: MapContext): void {
  const p = ctx.node.parameters;
  const action = ctx.action ?? '';
  const method = /smote/i.test(action) ? 'smote' : /oversample/i.test(action) ? 'oversample' : /undersample/i.test(action) ? 'undersample' : undefined;
  const column = str(p, 'target_column') ?? str(ctx.params, 'target_column');
  const ratio = num(p, 'ratio') ?? num(ctx.params, 'ratio') ?? 1;
  const k = num(ctx.params, 'num_neighbors') ?? num(ctx.params, 'k') ?? num(p, 'num_neighbors');
  if (!method || !column || !(ratio > 0 && ratio <= 1) || (k !== undefined && !(Number.isInteger(k) && k > 0))) {
    ctx.unsupported();
    return;
  }
  ctx.note(
    'info',
    `Sluice balances training batches only, with seed 0 (Data Wrangler drew other ${method === 'smote' ? 'synthetic rows' : 'rows'}); change seed to draw others`,
  );
  ctx.add({ kind: 'balance', column, method, ratio, ...(method === 'smote' && k !== undefined ? { k } : {}), seed: 0 } as StepSpec);
}

/** Sampling: random (seeded), stratified, first K. */
export function mapSampling(ctx: MapContext): void {
  const method = str(ctx.node.parameters, 'sampling_method') ?? '';
  const q = obj(ctx.node.parameters, paramsKey(method));
  const n = num(q, 'sample_size') ?? num(q, 'size') ?? num(q, 'k') ?? num(q, 'limit');
  const seed = num(q, 'seed') ?? 0;
  if (!n || !Number.isInteger(n) || n < 1 || !Number.isInteger(seed) || seed < 0) {
    ctx.unsupported();
    return;
  }
  if (/^random$/i.test(method)) {
    ctx.add({ kind: 'sample', n, seed });
    return;
  }
  if (/first|limit|head/i.test(method)) {
    ctx.add({ kind: 'sample', n, method: 'first' } as StepSpec);
    return;
  }
  if (/stratif/i.test(method)) {
    const column = str(q, 'stratify_column') ?? str(q, 'input_column') ?? str(q, 'column');
    if (!column) {
      ctx.unsupported();
      return;
    }
    ctx.add({ kind: 'sample', n, stratify_by: column, seed } as StepSpec);
    return;
  }
  ctx.unsupported();
}
