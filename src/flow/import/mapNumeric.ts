import type { MapContext } from './mapNode.js';
import { actionParams, cols, num, str } from './params.js';

/** Encode categorical: one-hot, ordinal. */
export function mapEncodeCategorical(ctx: MapContext): void {
  const columns = cols(ctx.params);
  if (columns.length === 0) return ctx.unsupported();
  const invalid = str(ctx.params, 'invalid_handling_strategy');
  switch (ctx.action) {
    case 'One-hot encode': {
      if (str(ctx.params, 'output_style') === 'Vector') ctx.note('info', 'Data Wrangler wrote one vector column; Sluice writes one 0/1 column per category');
      if (ctx.params.drop_last === true) ctx.note('warning', 'Data Wrangler dropped the last category column (drop_last); Sluice keeps every category column');
      if (invalid) ctx.note('info', `Data Wrangler handled unseen categories with "${invalid}"; check the one_hot step's setting for unseen categories`);
      return ctx.add({ kind: 'one_hot', columns });
    }
    case 'Ordinal encode':
      if (invalid) ctx.note('info', `Data Wrangler handled unseen categories with "${invalid}"; check the ordinal_encode step's setting for unseen categories`);
      return ctx.add({ kind: 'ordinal_encode', columns });
    default:
      return ctx.unsupported();
  }
}

const SCALERS: Record<string, string> = {
  'Standard scaler': 'standard',
  'Robust scaler': 'robust',
  'Min-max scaler': 'min_max',
  'Max absolute scaler': 'max_abs',
};

/** Process numeric: scale values. */
export function mapProcessNumeric(ctx: MapContext): void {
  if (ctx.action !== 'Scale values') return ctx.unsupported();
  const scaler = str(ctx.params, 'scaler') ?? '';
  const method = SCALERS[scaler];
  const sub = actionParams(ctx.params, scaler);
  const columns = cols(sub).length ? cols(sub) : cols(ctx.params);
  if (!method || columns.length === 0) return ctx.unsupported();
  if (method === 'min_max') {
    const lo = num(sub, 'min') ?? 0;
    const hi = num(sub, 'max') ?? 1;
    if (lo !== 0 || hi !== 1) ctx.note('warning', `Data Wrangler scaled to [${lo}, ${hi}]; Sluice's min-max scaling gives [0, 1]`);
  }
  ctx.add({ kind: 'scale', columns, method });
}

const OUTLIERS: Record<string, string> = {
  'Standard deviation numeric outliers': 'stdev',
  'Robust standard deviation numeric outliers': 'robust_stdev',
  'Quantile numeric outliers': 'quantile',
};

/** Handle outliers: standard deviation, robust standard deviation and quantile clipping. */
export function mapHandleOutliers(ctx: MapContext): void {
  const method = OUTLIERS[ctx.action ?? ''];
  const columns = cols(ctx.params);
  if (!method || columns.length === 0) return ctx.unsupported();
  const fix = str(ctx.params, 'fix_method') ?? 'Clip';
  if (!/clip/i.test(fix)) ctx.note('warning', `Data Wrangler's fix method was "${fix}"; Sluice clips outliers to the bounds instead`);
  const stdevs = num(ctx.params, 'standard_deviations');
  const lower = num(ctx.params, 'lower_quantile');
  const upper = num(ctx.params, 'upper_quantile');
  ctx.add({
    kind: 'clip_outliers',
    columns,
    method,
    ...(method !== 'quantile' && stdevs !== undefined ? { stdevs } : {}),
    ...(method !== 'stdev' && lower !== undefined ? { lower_quantile: lower } : {}),
    ...(method !== 'stdev' && upper !== undefined ? { upper_quantile: upper } : {}),
  });
}
