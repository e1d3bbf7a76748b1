import type { ColumnReport } from '../reportSchema.js';
import type { Thresholds } from '../thresholds.js';
import { defineWarningRule } from './defineWarningRule.js';
import { pct, type WarningContext } from './WarningContext.js';

const nonMissing = (c: ColumnReport, rows: number) => rows - c.missing;
/** Missing in every row, missing tokens (`?`, `n/a`, ...) included. */
export const isEmptyColumn = (c: ColumnReport, rows: number): boolean => rows > 0 && c.missing + (c.disguisedMissing ?? 0) >= rows;
/** The columns rules judge one by one: all but the empty ones (see {@link emptyColumn}). */
const judged = (ctx: WarningContext) => ctx.columns.filter((c) => !isEmptyColumn(c, ctx.dataset.rows));
const features = (ctx: WarningContext) => judged(ctx).filter((c) => c.name !== ctx.target?.column);

/** empty_column (high): no value in any row (missing tokens included): one warning, fix drop. */
export const emptyColumn = defineWarningRule({
  code: 'empty_column',
  severities: ['high'],
  raisedWhen: 'no value in any row, missing tokens included (one warning: no missing, constant or token warning besides)',
  thresholds: [],
  fixes: ['drop_columns'],
  run: (ctx, raise) =>
    ctx.columns
      .filter((c) => isEmptyColumn(c, ctx.dataset.rows))
      .map((c) =>
        raise(
          'high',
          [c.name],
          `"${c.name}" has no value in any row${c.disguisedMissing ? ` (${c.disguisedMissing} are missing tokens such as "${String(c.topValues?.[0]?.value ?? '?')}")` : ''}`,
          ['drop_columns', `drop "${c.name}"`],
          { value: 1 },
        ),
      ),
});

/** constant_column: one value in every non-missing row; it cannot help a model. (A one-class target is single_class_target.) */
export const constantColumn = defineWarningRule({
  code: 'constant_column',
  severities: ['medium'],
  raisedWhen: 'one distinct value',
  thresholds: [],
  fixes: ['drop_columns'],
  run: (ctx, raise) =>
    features(ctx)
      .filter((c) => c.distinct === 1)
      .map((c) =>
        raise('medium', [c.name], `"${c.name}" has a single value${c.topValues?.[0] ? ` (${String(c.topValues[0].value)})` : ''}`, [
          'drop_columns',
          `drop "${c.name}"`,
        ]),
      ),
});

/** near_constant_column: one value covers at least `nearConstantShare` of the non-missing rows. */
export const nearConstantColumn = defineWarningRule({
  code: 'near_constant_column',
  severities: ['low'],
  raisedWhen: "the most frequent value's share ≥ threshold",
  thresholds: ['nearConstantShare'],
  fixes: ['drop_columns'],
  run: (ctx, raise) =>
    judged(ctx).flatMap((c) => {
      const top = c.topValues?.[0];
      if (c.distinct < 2 || !top || top.share < ctx.thresholds.nearConstantShare) return [];
      return [
        raise(
          'low',
          [c.name],
          `"${c.name}" is ${String(top.value)} in ${pct(top.share)} of rows`,
          ['drop_columns', `drop "${c.name}" unless its rare values matter`],
          { value: top.share, threshold: ctx.thresholds.nearConstantShare },
        ),
      ];
    }),
});

/**
 * id_column (medium, fix drop): an integer or text feature whose values are all different among
 * the distinct rows (so an id repeated only by duplicate rows is still an id), or at least
 * `idPatternRatio` different with an id-like pattern (a prefix and digits, a UUID, a
 * zero-padded code). Fractional numbers (amounts, prices) are measures, never ids.
 */
export const idColumn = defineWarningRule({
  code: 'id_column',
  severities: ['medium'],
  raisedWhen:
    'an integer, categorical or short text feature whose values are all different among the distinct rows (an id repeated only by duplicate rows is still an id), or distinct / non-missing ≥ `idDistinctRatio`, or ≥ `idPatternRatio` with id-like values (a prefix and digits `C-00123`, UUIDs, zero-padded codes, hex digests); at least `idMinRows` rows. Fractional numbers (amounts, prices) are never ids',
  thresholds: ['idDistinctRatio', 'idPatternRatio', 'idMinRows'],
  fixes: ['drop_columns'],
  run: (ctx, raise) =>
    features(ctx).flatMap((c) => {
      const judged = judgeId(c, ctx.thresholds, ctx.dataset.rows, ctx.dataset.duplicateRows);
      if (!judged) return [];
      return [
        raise(
          'medium',
          [c.name],
          `"${c.name}" looks like an identifier: ${judged.why}`,
          ['drop_columns', `drop "${c.name}" from the features (keep it as record id with record_id if it is the key)`],
          { value: judged.ratio, threshold: judged.threshold },
        ),
      ];
    }),
});

/** Values that look like keys: `C-00123`, `INV2024001`, UUIDs, zero-padded codes. */
const ID_PATTERNS = [/^[A-Za-z][A-Za-z_-]*[-_]?\d{2,}$/, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, /^0\d{2,}$/, /^[0-9a-f]{24,64}$/i];

/**
 * Whether a column is an id, and why: shared by the id and high-cardinality rules and by
 * training, which drops what this calls an id. `duplicateRows` may be a function, called only
 * when the answer depends on it (counting duplicate rows costs a pass over the data).
 */
export function judgeId(
  c: Pick<ColumnReport, 'missing' | 'distinct' | 'storageType' | 'type' | 'meanLength' | 'topValues'>,
  t: Thresholds,
  rows: number,
  duplicateRows: number | (() => number),
): { why: string; ratio: number; threshold: number } | undefined {
  const n = rows - c.missing;
  if (n < t.idMinRows) return undefined;
  const samples = (c.topValues ?? [])
    .map((v) => v.value)
    .filter((v) => v !== null)
    .map(String);
  const fractional = samples.some((v) => /^[-+]?\d*\.\d*[1-9]\d*$/.test(v.trim()));
  if (c.storageType === 'float' || fractional) return undefined;
  const eligible = c.storageType === 'integer' || c.type === 'categorical' || (c.type === 'text' && (c.meanLength ?? 0) <= 40);
  if (!eligible) return undefined;
  const ratio = c.distinct / n;
  if (c.distinct >= t.idMinRows && ratio >= 0.5 && ratio < t.idDistinctRatio) {
    // Duplicate rows repeat their id: compare with the number of distinct rows.
    const dups = typeof duplicateRows === 'function' ? duplicateRows() : duplicateRows;
    const distinctRows = Math.max(1, n - dups);
    if (c.distinct >= distinctRows)
      return {
        why: `${c.distinct} distinct values in ${distinctRows} distinct rows${dups > 0 ? ` (${n} rows with duplicates)` : ''}`,
        ratio,
        threshold: t.idDistinctRatio,
      };
  }
  if (ratio >= t.idDistinctRatio) return { why: `${pct(ratio)} of its values are distinct`, ratio, threshold: t.idDistinctRatio };
  const patterned = samples.length > 0 && samples.every((v) => ID_PATTERNS.some((p) => p.test(v.trim())));
  if (ratio >= t.idPatternRatio && patterned)
    return { why: `${pct(ratio)} of its values are distinct and they look like keys (e.g. "${samples[0]}")`, ratio, threshold: t.idPatternRatio };
  return undefined;
}

/** high_cardinality: a categorical feature with more than `highCardinality` categories (ids are reported as id_column instead). */
export const highCardinality = defineWarningRule({
  code: 'high_cardinality',
  severities: ['low'],
  raisedWhen: 'a categorical feature (not an id) with more categories than the threshold',
  thresholds: ['highCardinality'],
  fixes: ['map_values'],
  run: (ctx, raise) =>
    features(ctx).flatMap((c) => {
      if (c.type !== 'categorical' || c.distinct <= ctx.thresholds.highCardinality || judgeId(c, ctx.thresholds, ctx.dataset.rows, ctx.dataset.duplicateRows))
        return [];
      return [
        raise(
          'low',
          [c.name],
          `"${c.name}" has ${c.distinct} categories`,
          ['map_values', 'group rare categories into "other" with map_values before one_hot, or use a target encoding'],
          { value: c.distinct, threshold: ctx.thresholds.highCardinality },
        ),
      ];
    }),
});

/** missing_values: low when any value is missing, medium / high from the share thresholds (an entirely missing column is empty_column). */
export const missingValues = defineWarningRule({
  code: 'missing_values',
  severities: ['high', 'medium', 'low'],
  raisedWhen: 'any missing is low; share ≥ medium / high thresholds (a column missing in every row is `empty_column`)',
  thresholds: ['missingShareMedium', 'missingShareHigh'],
  fixes: ['impute', 'drop_columns'],
  fixNote: 'the second when the share is high',
  run: (ctx, raise) =>
    judged(ctx).flatMap((c) => {
      if (c.missing === 0) return [];
      const t = ctx.thresholds;
      const s = c.missingShare;
      const severity = s >= t.missingShareHigh ? 'high' : s >= t.missingShareMedium ? 'medium' : 'low';
      const fix: ['drop_columns' | 'impute', string] =
        s >= t.missingShareHigh
          ? ['drop_columns', `drop "${c.name}" or impute it with an indicator`]
          : ['impute', `impute "${c.name}" (${c.type === 'numeric' ? 'median' : 'most frequent value'})`];
      return [
        raise(severity, [c.name], `"${c.name}" is missing in ${c.missing} rows (${pct(s)})`, fix, {
          value: s,
          threshold: severity === 'high' ? t.missingShareHigh : severity === 'medium' ? t.missingShareMedium : 0,
        }),
      ];
    }),
});

/** disguised_missing_values: text tokens that mean "missing" (`?`, `n/a`, `NaN`, ...). */
export const disguisedMissing = defineWarningRule({
  code: 'disguised_missing_values',
  severities: ['medium', 'low'],
  raisedWhen: 'text values that are missing tokens (`?`, `NaN`, `n/a`, …); medium when their share of rows ≥ `missingShareMedium`',
  thresholds: ['missingTokens', 'missingShareMedium'],
  fixes: ['replace_missing_tokens'],
  run: (ctx, raise) =>
    judged(ctx).flatMap((c) => {
      const n = c.disguisedMissing ?? 0;
      if (n === 0) return [];
      const share = n / Math.max(1, ctx.dataset.rows);
      const tokens = (c.topValues ?? []).map((v) => String(v.value)).filter((v) => ctx.thresholds.missingTokens.includes(v.trim().toLowerCase()));
      const shown = tokens.length > 0 ? ` (${tokens.map((x) => `"${x}"`).join(', ')})` : '';
      return [
        raise(
          share >= ctx.thresholds.missingShareMedium ? 'medium' : 'low',
          [c.name],
          `"${c.name}" has ${n} values${shown} that mean "missing"`,
          ['replace_missing_tokens', `replace the tokens with missing values in "${c.name}", then impute`],
          { value: share },
        ),
      ];
    }),
});

/** mixed_types: a text column whose values are partly numbers (often numbers with a few tokens). */
export const mixedTypes = defineWarningRule({
  code: 'mixed_types',
  severities: ['medium'],
  raisedWhen: 'a text column whose share of number-like values is in [min, max)',
  thresholds: ['mixedTypesMin', 'mixedTypesMax'],
  fixes: ['cast'],
  fixNote: 'after `replace_missing_tokens`',
  run: (ctx, raise) =>
    judged(ctx).flatMap((c) => {
      const s = c.numericShare;
      if (s === undefined || s < ctx.thresholds.mixedTypesMin || s >= ctx.thresholds.mixedTypesMax) return [];
      return [
        raise(
          'medium',
          [c.name],
          `"${c.name}" mixes numbers (${pct(s)} of values) and text`,
          ['cast', `replace the non-numeric values (replace_missing_tokens), then cast "${c.name}" to float`],
          { value: s, threshold: ctx.thresholds.mixedTypesMin },
        ),
      ];
    }),
});

/** skewed: |sample skewness| at or above `skewAbs`. */
export const skewed = defineWarningRule({
  code: 'skewed',
  severities: ['low'],
  raisedWhen: '|skewness| ≥ threshold (numeric features)',
  thresholds: ['skewAbs'],
  fixes: ['compute'],
  fixNote: 'log transform',
  run: (ctx, raise) =>
    features(ctx).flatMap((c) => {
      if (c.type !== 'numeric' || c.skewness === null || c.skewness === undefined || Math.abs(c.skewness) < ctx.thresholds.skewAbs) return [];
      return [
        raise(
          'low',
          [c.name],
          `"${c.name}" is ${c.skewness > 0 ? 'right' : 'left'}-skewed (skewness ${c.skewness.toFixed(2)})`,
          ['compute', `add a log or power transform of "${c.name}" (compute: ln(1 + x)) for linear models`],
          { value: c.skewness, threshold: ctx.thresholds.skewAbs },
        ),
      ];
    }),
});

/** outliers: the share of values beyond the Tukey fences reaches `outlierShare` (not raised when the IQR is 0). */
export const outliers = defineWarningRule({
  code: 'outliers',
  severities: ['low'],
  raisedWhen: 'share outside the Tukey fences ≥ threshold; not raised when the IQR is 0',
  thresholds: ['outlierIqrFactor', 'outlierShare'],
  fixes: ['clip_outliers'],
  run: (ctx, raise) =>
    features(ctx).flatMap((c) => {
      if (c.type !== 'numeric' || !c.outliers) return [];
      const share = c.outliers / Math.max(1, nonMissing(c, ctx.dataset.rows));
      const b = c.outlierBounds;
      // With a zero interquartile range (counts that are mostly 0) every other value is "outside": not a finding.
      if (share < ctx.thresholds.outlierShare || !b || b[0] === b[1]) return [];
      return [
        raise(
          'low',
          [c.name],
          `"${c.name}" has ${c.outliers} values (${pct(share)}) outside [${b?.[0]}, ${b?.[1]}]`,
          ['clip_outliers', `clip "${c.name}" to its fences, or check the values at the source`],
          { value: share, threshold: ctx.thresholds.outlierShare },
        ),
      ];
    }),
});
