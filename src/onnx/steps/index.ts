import { clipOutliersConverter } from './clipOutliers.js';
import { columnStepConverters } from './columnSteps.js';
import { imputeConverter } from './impute.js';
import { missingIndicatorConverter } from './missingIndicator.js';
import { oneHotConverter } from './oneHot.js';
import { ordinalEncodeConverter } from './ordinalEncode.js';
import { scaleConverter } from './scale.js';
import type { StepConverter } from './stepConverter.js';

/** Every flow step kind an exported graph can hold. Adding one: a converter file, listed here. */
export const STEP_CONVERTERS: ReadonlyMap<string, StepConverter> = new Map(
  [imputeConverter, missingIndicatorConverter, scaleConverter, clipOutliersConverter, oneHotConverter, ordinalEncodeConverter, ...columnStepConverters].map(
    (c) => [c.kind, c],
  ),
);
