import type { FlowSpec, StepSpec } from '../flowSchema.js';
import { branchName } from '../branches.js';

/**
 * Steps whose result on a batch is not the union of their results on its partitions: they relate
 * rows of the whole batch to each other (order, duplicates, samples, series, positions) or run
 * code on the whole table. A partitioned batch refuses them rather than give another result.
 */
export const WHOLE_BATCH: Readonly<Record<string, string>> = {
  drop_duplicates: 'a duplicate may sit in another partition',
  sort: 'the order is the whole batch’s order',
  sample: 'a sample is drawn from the whole batch (positions and strata)',
  balance: 'classes are counted and copied over the whole batch',
  split: 'rows are ranked by their position in the whole batch',
  record_id: 'ids are made unique over the whole batch',
  resample: 'a series may continue in another partition',
  lag_features: 'a series may continue in another partition',
  rolling_features: 'a series may continue in another partition',
  fill_series: 'a series may continue in another partition',
  concatenate: 'each partition would append the other input again',
  python: 'the code sees one table: on a partition it may compute something else (a mean, a rank) than on the batch',
};

/** One line per step of the flow that cannot run partition by partition, empty when all can. */
export function partitionProblems(spec: FlowSpec): string[] {
  const problems: string[] = [];
  (spec.steps as StepSpec[]).forEach((s, i) => {
    const why = WHOLE_BATCH[s.kind];
    if (why) problems.push(`step ${i + 1} (${s.name ?? s.kind}) needs the whole batch at once: ${why}`);
    else if (branchName(s) !== undefined) problems.push(`step ${i + 1} (${s.name ?? s.kind}) names a branch (as:): a branch joins rows of the whole batch`);
  });
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    if (input.branch !== undefined) problems.push(`input ${name} is a branch of the flow's data: a branch joins rows of the whole batch`);
  }
  return problems;
}
