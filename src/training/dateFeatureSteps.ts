import type { ColumnSchema } from '../core/types.js';
import type { StepSpec } from '../flow/flowSchema.js';

/**
 * The steps train adds for each date or timestamp feature of a flow's output: its parts as
 * numbers (`datetime_features`: year, month, day, day of week and of year, quarter, weekend; hour
 * and minute for timestamps), so a model learns from dates instead of leaving them out or
 * reading 1,600 dates as 1,600 categories. They join the fitted flow, so prediction (batch and
 * endpoint) derives the same parts from the same raw value.
 *
 * @example
 * dateFeatureSteps([{ name: 'admitted', type: 'date' }]) // [{ kind: 'datetime_features', column: 'admitted', ... }]
 */
export function dateFeatureSteps(columns: readonly ColumnSchema[]): StepSpec[] {
  return columns
    .filter((c) => c.type === 'date' || c.type === 'timestamp')
    .map((c) => ({ kind: 'datetime_features', name: `parts of ${c.name} (added by train)`, column: c.name, drop_original: false }) as StepSpec);
}
