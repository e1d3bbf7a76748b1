import type { ReportWarning, Severity } from '../reportSchema.js';
import type { Thresholds } from '../thresholds.js';
import type { WarningContext } from './WarningContext.js';

/**
 * What a rule emits through: its own code, one of the severities and fix steps it declares.
 * `fix` is `[step kind, what to do]`; `review` means a person must look (no step applies).
 */
export type Raise<S extends Severity, F extends string> = (
  severity: S,
  columns: string[],
  message: string,
  fix: [step: F, description: string],
  extra?: { value?: number; threshold?: number },
) => ReportWarning;

/**
 * A warning rule: one concern, any number of warnings of one code. The code list, the docs table
 * (docs/report.md), README's count and the gates' check of codes derive from the definitions
 * listed in warningRules.ts; test/profile/warningRuleConformance.test.ts checks every one.
 */
export interface WarningRuleDefinition<C extends string = string, S extends Severity = Severity, F extends string = string> {
  readonly code: C;
  readonly severities: readonly S[];
  /** For the docs table: when it is raised. */
  readonly raisedWhen: string;
  /** The thresholds it reads (docs show them with their defaults). */
  readonly thresholds: readonly (keyof Thresholds)[];
  /** Flow step kinds that fix it (checked against the step registry), or `review`. */
  readonly fixes: readonly F[];
  /** For the docs table: how the fixes apply, when there is more to say than their names. */
  readonly fixNote?: string;
  readonly run: (ctx: WarningContext, raise: Raise<S, F>) => ReportWarning[];
}

/** Declares a rule; the literal types of its code, severities and fixes are kept for type checks. */
export function defineWarningRule<const C extends string, const S extends Severity, const F extends string>(
  def: WarningRuleDefinition<C, S, F>,
): WarningRuleDefinition<C, S, F> {
  return def;
}

/** Runs a rule, its warnings stamped with its code. */
export function runWarningRule<C extends string, S extends Severity, F extends string>(
  rule: WarningRuleDefinition<C, S, F>,
  ctx: WarningContext,
): ReportWarning[] {
  const raise: Raise<S, F> = (severity, columns, message, fix, extra = {}) => ({
    code: rule.code,
    severity,
    columns,
    message,
    fix: { step: fix[0], description: fix[1] },
    ...extra,
  });
  return rule.run(ctx, raise);
}
