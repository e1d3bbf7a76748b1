import type { FlowSpec } from './flowSchema.js';

/** Step kinds that add a column of the flow's own bookkeeping, with their default output name. */
const GENERATING_STEPS: Record<string, string> = { record_id: 'record_id', event_time: 'event_time', split: 'split' };

/**
 * The columns a flow generates rather than reads: its record id, its event time and split
 * columns (declared at the top or added by `record_id`, `event_time` and `split` steps). They
 * say nothing about the data, so the report leaves them out of drift and warnings and training
 * leaves them out of the features.
 */
export function generatedColumns(spec: Pick<FlowSpec, 'record_id' | 'event_time' | 'steps'>): string[] {
  const out = new Set<string>();
  if (spec.record_id) out.add(spec.record_id);
  if (spec.event_time) out.add(spec.event_time);
  for (const step of spec.steps) {
    const fallback = GENERATING_STEPS[step.kind];
    if (fallback === undefined) continue;
    out.add(typeof step.output === 'string' ? step.output : fallback);
  }
  return [...out];
}
