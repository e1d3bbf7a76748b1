import type { StepDef } from '../step.js';
import { balance } from './balance.js';
import { bin } from './bin.js';
import { cast } from './cast.js';
import { changeCase } from './changeCase.js';
import { textStats } from './textStats.js';
import { clipOutliers } from './clipOutliers.js';
import { compute } from './compute.js';
import { concatenate } from './concatenate.js';
import { datetimeFeatures } from './datetimeFeatures.js';
import { dropColumns } from './dropColumns.js';
import { dropDuplicates } from './dropDuplicates.js';
import { dropMissing } from './dropMissing.js';
import { duplicateColumn } from './duplicateColumn.js';
import { eventTime } from './eventTime.js';
import { fillSeries } from './fillSeries.js';
import { filterRows } from './filterRows.js';
import { findReplace } from './findReplace.js';
import { impute } from './impute.js';
import { inferTypes } from './inferTypes.js';
import { join } from './join.js';
import { lagFeatures } from './lagFeatures.js';
import { mapValues } from './mapValues.js';
import { missingIndicator } from './missingIndicator.js';
import { moveColumn } from './moveColumn.js';
import { oneHot } from './oneHot.js';
import { python } from './python.js';
import { ordinalEncode } from './ordinalEncode.js';
import { recordId } from './recordId.js';
import { regexExtract } from './regexExtract.js';
import { renameColumns } from './renameColumns.js';
import { replaceMissingTokens } from './replaceMissingTokens.js';
import { resample } from './resample.js';
import { rollingFeatures } from './rollingFeatures.js';
import { sample } from './sample.js';
import { scale } from './scale.js';
import { selectColumns } from './selectColumns.js';
import { sortRows } from './sortRows.js';
import { split } from './split.js';
import { splitColumn } from './splitColumn.js';
import { trim } from './trim.js';
import { vectorizeText } from './vectorizeText.js';
import { validateTimestamps } from './validateTimestamps.js';

/**
 * Every step kind, in the order docs/flows.md lists them. Adding a step: write
 * `steps/<name>.ts` exporting a `defineStep(...)`, and list it here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STEPS: ReadonlyArray<StepDef<any, any>> = [
  dropColumns,
  selectColumns,
  renameColumns,
  moveColumn,
  duplicateColumn,
  cast,
  inferTypes,
  replaceMissingTokens,
  impute,
  missingIndicator,
  dropMissing,
  findReplace,
  regexExtract,
  trim,
  changeCase,
  textStats,
  vectorizeText,
  splitColumn,
  mapValues,
  filterRows,
  dropDuplicates,
  sortRows,
  sample,
  balance,
  compute,
  oneHot,
  ordinalEncode,
  scale,
  clipOutliers,
  bin,
  recordId,
  eventTime,
  datetimeFeatures,
  validateTimestamps,
  resample,
  lagFeatures,
  rollingFeatures,
  fillSeries,
  split,
  join,
  concatenate,
  python,
];

const BY_KIND = new Map<string, StepDef<{ kind: string }, unknown>>(STEPS.map((s) => [s.kind, s]));

export function stepDef(kind: string): StepDef<{ kind: string }, unknown> | undefined {
  return BY_KIND.get(kind);
}
