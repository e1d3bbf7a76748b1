/**
 * Every warning rule, listed once, in the order their warnings are listed within a severity.
 * The codes, the docs table (docs/report.md, `npm run docs`), README's count and the gates'
 * check of `no warning CODE` derive from this list. Adding a rule: define it with
 * `defineWarningRule` (in the rules file of its concern, or a new one) and list it here.
 */
import { closest } from '../../core/closest.js';
import {
  constantColumn,
  disguisedMissing,
  emptyColumn,
  highCardinality,
  idColumn,
  missingValues,
  mixedTypes,
  nearConstantColumn,
  outliers,
  skewed,
} from './columnRules.js';
import { anomalousSamples, championDegraded, drift, duplicateRows } from './datasetRules.js';
import { highCorrelation, targetLeakage } from './relationRules.js';
import { classImbalance, rareTargetLabel, singleClassTarget, tooFewInstances, tooManyClasses } from './targetRules.js';

export const WARNING_RULES = [
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
] as const;

/** A warning code: one per rule. */
export type WarningCode = (typeof WARNING_RULES)[number]['code'];

export const WARNING_CODES: readonly WarningCode[] = WARNING_RULES.map((r) => r.code);

export function isWarningCode(code: string): code is WarningCode {
  return (WARNING_CODES as readonly string[]).includes(code);
}

/** The known code nearest to a misspelt one, for "did you mean" hints. */
export function closestWarningCode(code: string): WarningCode | undefined {
  return closest(code, WARNING_CODES) as WarningCode | undefined;
}
