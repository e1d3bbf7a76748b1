import type { StepSpec } from './flowSchema.js';

/**
 * Why a step removes rows, in words for `flow run`, the pipeline's run_flow result and the
 * console ("missing values in race, age"). Steps that never remove rows are not asked.
 */
export function dropReason(spec: StepSpec): string {
  const cols = (v: unknown): string | undefined => (Array.isArray(v) && v.length > 0 ? v.map(String).join(', ') : undefined);
  switch (spec.kind) {
    case 'drop_missing':
      return `a missing value in ${cols(spec.columns) ?? 'some column'}`;
    case 'drop_duplicates':
      return cols(spec.columns) ? `a duplicate of an earlier row in ${cols(spec.columns)}` : 'a duplicate of an earlier row';
    case 'filter_rows':
      return `the condition \`${String(spec.expression)}\` is not true`;
    case 'sample':
      return 'not in the sample';
    case 'balance':
      return 'a class larger than the balance allows (undersampled)';
    case 'validate_timestamps':
      return `a missing or invalid timestamp in ${cols(spec.columns) ?? 'a column'}`;
    case 'python':
      return 'the python code removed them';
    default:
      return `removed by step ${spec.kind}`;
  }
}

/** One line per step that removed rows: `step 3 (drop_missing): 6 rows removed, a missing value in race`. */
export function droppedLines(dropped: ReadonlyArray<{ step: number; kind: string; name?: string; rows: number; reason: string }> | undefined): string[] {
  return (dropped ?? []).map((d) => `step ${d.step + 1} (${d.name ?? d.kind}): ${d.rows} row${d.rows === 1 ? '' : 's'} removed, ${d.reason}`);
}

/** One line per note a step made while fitted: `step 5 (python): the index of the result (id) is not kept; ...`. */
export function noteLines(notes: ReadonlyArray<{ step: number; kind: string; name?: string; message: string }> | undefined): string[] {
  return (notes ?? []).map((n) => `step ${n.step + 1} (${n.name ?? n.kind}): ${n.message}`);
}
