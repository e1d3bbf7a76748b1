import { ident } from './mapColumns.js';
import { intoOutputColumn } from './mapMissing.js';
import type { MapContext } from './mapContext.js';
import { actionParams, cols, lookup, num, str } from './params.js';

/** Data Wrangler's handling of categories unseen at fit time, per Sluice step. */
const ONE_HOT_UNSEEN: Record<string, { unseen: string; other?: boolean }> = {
  Error: { unseen: 'error' },
  Keep: { unseen: 'other', other: true },
  'Replace with NaN': { unseen: 'missing' },
};
const ORDINAL_UNSEEN: Record<string, string> = { Error: 'error', Keep: 'value', 'Replace with NaN': 'missing' };

/** Encode categorical: one-hot, ordinal. */
export function mapEncodeCategorical(ctx: MapContext): void {
  const columns = cols(ctx.params);
  if (columns.length === 0) {
    ctx.unsupported();
    return;
  }
  const invalid = str(ctx.params, 'invalid_handling_strategy');
  switch (ctx.action) {
    case 'One-hot encode': {
      if (str(ctx.params, 'output_style') === 'Vector') ctx.note('info', 'Data Wrangler wrote one vector column; Sluice writes one 0/1 column per category');
      if (ctx.params.drop_last === true) ctx.note('warning', 'Data Wrangler dropped the last category column (drop_last); Sluice keeps every category column');
      ctx.note('info', 'Data Wrangler made a column for every category; Sluice makes one for each of the 20 most frequent (raise top_k for more)');
      const unseen = lookup(ONE_HOT_UNSEEN, invalid);
      if (invalid && !unseen) ctx.note('warning', `Data Wrangler handled unseen categories with "${invalid}"; Sluice gives them all zeros (unseen: missing)`);
      // With an output column Data Wrangler keeps the encoded column (flows drop it in a later step).
      const output = str(ctx.params, 'output_column');
      if (output)
        ctx.note(
          'info',
          `Data Wrangler prefixed the indicator columns with "${output}"; Sluice names them <column>_<category> and keeps the encoded column, as Data Wrangler does`,
        );
      ctx.add({ kind: 'one_hot', columns, ...(unseen ?? {}), ...(output ? { drop_original: false } : {}) });
      return;
    }
    case 'Ordinal encode': {
      const unseen = lookup(ORDINAL_UNSEEN, invalid);
      if (invalid && !unseen) ctx.note('warning', `Data Wrangler handled unseen categories with "${invalid}"; Sluice gives them the code -1 (unseen: value)`);
      ctx.add({ kind: 'ordinal_encode', columns, ...(unseen ? { unseen } : {}) });
      return;
    }
    default:
      ctx.unsupported();
      return;
  }
}

const SCALERS: Record<string, string> = {
  'Standard scaler': 'standard',
  'Robust scaler': 'robust',
  'Min-max scaler': 'minmax',
  'Max absolute scaler': 'maxabs',
};

/** Process numeric: scale values. */
export function mapProcessNumeric(ctx: MapContext): void {
  if (ctx.action !== 'Scale values') {
    ctx.unsupported();
    return;
  }
  const scaler = str(ctx.params, 'scaler') ?? '';
  const method = lookup(SCALERS, scaler);
  const sub = actionParams(ctx.params, scaler);
  const given = cols(sub).length ? cols(sub) : cols(ctx.params);
  if (!method || given.length === 0) {
    ctx.unsupported();
    return;
  }
  const columns = intoOutputColumn(ctx, given, cols(sub).length ? sub : ctx.params);
  if (method === 'minmax') {
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

/**
 * Handle outliers: standard deviation, robust standard deviation and quantile bounds ->
 * clip_outliers; fixed (min-max) bounds -> compute. Data Wrangler's defaults are written out where
 * they differ from Sluice's (4 standard deviations, where Sluice's k defaults to 3).
 */
export function mapHandleOutliers(ctx: MapContext): void {
  const columns = cols(ctx.params);
  if (columns.length === 0) {
    ctx.unsupported();
    return;
  }
  const fix = str(ctx.params, 'fix_method') ?? 'Clip';
  if (!/clip/i.test(fix))
    ctx.note(
      'warning',
      `Data Wrangler's fix method was "${fix}" (${/remove/i.test(fix) ? 'rows outside the bounds were removed' : 'values outside the bounds became missing'}); Sluice clips outliers to the bounds instead`,
    );
  if (ctx.action === 'Min-max numeric outliers') {
    clipFixed(ctx, columns);
    return;
  }
  const method = lookup(OUTLIERS, ctx.action);
  if (!method) {
    ctx.unsupported();
    return;
  }
  const k = num(ctx.params, 'standard_deviations') ?? 4;
  const lower = num(ctx.params, 'lower_quantile');
  const upper = num(ctx.params, 'upper_quantile');
  if (method === 'robust_stdev') {
    ctx.note(
      'info',
      `Data Wrangler took the mean and standard deviation of the values between quantiles ${lower ?? 0.25} and ${upper ?? 0.75}; Sluice's robust_stdev uses the median and the median absolute deviation`,
    );
  }
  ctx.add({
    kind: 'clip_outliers',
    columns,
    method,
    ...(method !== 'quantile' ? { k } : {}),
    ...(method === 'quantile' && lower !== undefined ? { lower_quantile: lower } : {}),
    ...(method === 'quantile' && upper !== undefined ? { upper_quantile: upper } : {}),
  });
}

/** Fixed bounds need no fitting: one compute step per column, missing values stay missing. */
function clipFixed(ctx: MapContext, columns: string[]): void {
  const lo = num(ctx.params, 'lower_threshold');
  const hi = num(ctx.params, 'upper_threshold');
  if (lo === undefined || hi === undefined) {
    ctx.unsupported();
    return;
  }
  for (const c of columns) {
    const col = ident(c);
    ctx.add({
      kind: 'compute',
      output: c,
      expression: `CASE WHEN ${col} < ${lo} THEN ${lo} WHEN ${col} > ${hi} THEN ${hi} ELSE ${col} END`,
      type: 'float',
      replace: true,
    });
  }
}
