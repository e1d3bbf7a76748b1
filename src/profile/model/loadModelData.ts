import type { ModelSectionInput } from '../reportPlugins.js';
import { modelDataFromView, type ModelData } from './modelDataFromView.js';

/** Rows the model sections read at most; larger data is sampled (and the report says so). */
export const MODEL_MAX_ROWS = 100_000;

const cache = new WeakMap<ModelSectionInput, Promise<ModelData>>();

/**
 * The model frame of a report, loaded once and shared by the quick model and prediction power
 * (reading 16 columns x 70,000 rows into typed arrays costs more than a small model).
 */
export function loadModelData(input: ModelSectionInput): Promise<ModelData> {
  let p = cache.get(input);
  if (!p) {
    p = modelDataFromView(input.engine, input.relation, input.columns, input.target!, MODEL_MAX_ROWS, input.stable);
    cache.set(input, p);
  }
  return p;
}
