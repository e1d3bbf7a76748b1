import type { StepDef } from '../step.js';
import { cast } from './cast.js';
import { compute } from './compute.js';
import { dropColumns } from './dropColumns.js';
import { dropMissing } from './dropMissing.js';
import { eventTime } from './eventTime.js';
import { findReplace } from './findReplace.js';
import { impute } from './impute.js';
import { mapValues } from './mapValues.js';
import { recordId } from './recordId.js';
import { renameColumns } from './renameColumns.js';
import { replaceMissingTokens } from './replaceMissingTokens.js';
import { selectColumns } from './selectColumns.js';

/**
 * Every step kind, in the order docs/flows.md lists them. Adding a step: write
 * `steps/<name>.ts` exporting a `defineStep(...)`, and list it here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STEPS: ReadonlyArray<StepDef<any, any>> = [
  dropColumns,
  selectColumns,
  renameColumns,
  cast,
  replaceMissingTokens,
  impute,
  dropMissing,
  findReplace,
  mapValues,
  compute,
  recordId,
  eventTime,
];

const BY_KIND = new Map<string, StepDef<{ kind: string }, unknown>>(STEPS.map((s) => [s.kind, s]));

export function stepDef(kind: string): StepDef<{ kind: string }, unknown> | undefined {
  return BY_KIND.get(kind);
}
