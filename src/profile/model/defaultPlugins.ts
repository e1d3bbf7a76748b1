import type { ReportPlugins } from '../profileTable.js';
import { predictionPower } from './predictionPower.js';
import { quickModel } from './quickModel.js';

/**
 * The model-based sections this build computes. Anomalies (isolation forest) are not here yet:
 * the `ml` module has no isolation forest, so the report leaves `anomalies` out and says so.
 */
export const DEFAULT_PLUGINS: ReportPlugins = { quickModel, predictionPower };
