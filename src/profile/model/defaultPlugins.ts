import type { ReportPlugins } from '../reportPlugins.js';
import { anomalies } from './anomalies.js';
import { predictionPower } from './predictionPower.js';
import { quickModel } from './quickModel.js';

/** The model-based sections: quick model and prediction power (ml/gbdt), anomalies (ml/isolationForest). */
export const DEFAULT_PLUGINS: ReportPlugins = { quickModel, predictionPower, anomalies };
