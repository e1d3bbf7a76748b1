import type { ReportWarning } from '../reportSchema.js';
import { constantColumn, disguisedMissing, emptyColumn, highCardinality, idColumn, missingValues, mixedTypes, nearConstantColumn, outliers, skewed } from './columnRules.js';
import { anomalousSamples, championDegraded, drift, duplicateRows } from './datasetRules.js';
import { highCorrelation, targetLeakage } from './relationRules.js';
import { classImbalance, rareTargetLabel, singleClassTarget, tooFewInstances, tooManyClasses } from './targetRules.js';
import type { WarningContext, WarningRule } from './WarningContext.js';

/** Every rule, in the order their warnings are listed within a severity. */
export const WARNING_RULES: readonly WarningRule[] = [
  targetLeakage,
  singleClassTarget,
  tooFewInstances,
  tooManyClasses,
  classImbalance,
  rareTargetLabel,
  championDegraded,
  drift,
  duplicateRows,
  emptyColumn,
  missingValues,
  disguisedMissing,
  mixedTypes,
  constantColumn,
  idColumn,
  nearConstantColumn,
  highCorrelation,
  highCardinality,
  anomalousSamples,
  skewed,
  outliers,
];

const RANK = { high: 0, medium: 1, low: 2 } as const;

/**
 * Runs every rule and sorts the warnings by severity (stable within a severity). Columns the
 * flow generates (`ctx.generated`: record id, event time, split) get no warnings: they are the
 * flow's bookkeeping, not data to judge.
 */
export function buildWarnings(ctx: WarningContext): ReportWarning[] {
  const generated = new Set(ctx.generated ?? []);
  const judged = generated.size === 0 ? ctx : { ...ctx, columns: ctx.columns.filter((c) => !generated.has(c.name)) };
  return WARNING_RULES.flatMap((rule) => rule(judged))
    .filter((w) => !w.columns.some((c) => generated.has(c)))
    .sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
