import type { ReportPlugins } from '../reportPlugins.js';
import { anomalies, loadAnomalyData } from './anomalies.js';
import { frameRows } from './frameRows.js';
import { loadModelData } from './loadModelData.js';
import { predictionPower } from './predictionPower.js';
import { quickModel } from './quickModel.js';

/**
 * The model-based sections: quick model and prediction power (ml/gbdt), anomalies
 * (ml/isolationForest). The first two share one model frame, read by `prepare` (and offered
 * to the correlations by `rowsInMemory` when it holds every row); the anomalies' sample is read
 * by `prepareAnomalies`, so all three run without querying the engine.
 */
export const DEFAULT_PLUGINS: ReportPlugins = {
  prepare: async (input) => {
    if (input.target) await loadModelData(input);
  },
  rowsInMemory: async (input) => (input.target ? frameRows(await loadModelData(input), input.target, input.columns) : undefined),
  prepareAnomalies: async (input) => {
    await loadAnomalyData(input);
  },
  quickModel,
  predictionPower,
  anomalies,
};
