import type { ReportWarning } from '../reportSchema.js';
import { runWarningRule } from './defineWarningRule.js';
import type { WarningContext } from './WarningContext.js';
import { WARNING_RULES } from './warningRules.js';

const RANK = { high: 0, medium: 1, low: 2 } as const;

/**
 * Runs every rule (warningRules.ts) and sorts the warnings by severity (stable within a
 * severity). Columns the flow generates (`ctx.generated`: record id, event time, split) get no
 * warnings: they are the flow's bookkeeping, not data to judge.
 */
export function buildWarnings(ctx: WarningContext): ReportWarning[] {
  const generated = new Set(ctx.generated ?? []);
  const judged = generated.size === 0 ? ctx : { ...ctx, columns: ctx.columns.filter((c) => !generated.has(c.name)) };
  return WARNING_RULES.flatMap((rule) => runWarningRule(rule, judged))
    .filter((w) => !w.columns.some((c) => generated.has(c)))
    .sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}
