import { SluiceError } from '../core/errors.js';
import { EnsembleModel } from './ensemble/ensembleModel.js';
import { learnerDefinition } from './learners.js';
import type { Model, ModelJSON } from './model.js';

/**
 * Loads a model from its JSON form (an object or a string), whatever the learner: the learner's
 * definition (ml/learners.ts) loads it; an ensemble loads its members through this function.
 *
 * @example
 * const model = loadModel(readFileSync('model.json', 'utf8'));
 * const { codes, proba } = model.predict(frame);
 */
export function loadModel(json: ModelJSON | string): Model {
  let j: ModelJSON;
  try {
    j = typeof json === 'string' ? (JSON.parse(json) as ModelJSON) : json;
  } catch (e) {
    throw new SluiceError('ML_BAD_MODEL', 'the model file is not valid JSON', { cause: e, hint: 'the file may be truncated; export the model again' });
  }
  if (j?.format !== 'sluice-model') {
    throw new SluiceError('ML_BAD_MODEL', 'this is not a Sluice model (no "format": "sluice-model")', { hint: 'pass the model JSON written by Sluice' });
  }
  if (j.formatVersion !== 1) {
    throw new SluiceError('ML_MODEL_VERSION', `model format version ${String(j.formatVersion)} is not supported by this Sluice (it reads version 1)`, {
      hint: 'upgrade Sluice, or retrain the model with this version',
    });
  }
  if (j.learner === 'ensemble') return EnsembleModel.fromJSON(j, loadModel);
  const def = learnerDefinition(String(j.learner));
  if (!def) {
    throw new SluiceError('ML_BAD_MODEL', `unknown learner "${String((j as { learner: unknown }).learner)}" in the model`, {
      hint: 'the model was written by a newer Sluice; upgrade',
    });
  }
  return def.load(j);
}
