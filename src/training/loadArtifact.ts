import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { parseFittedFlow, type FittedFlow } from '../flow/fittedFlow.js';
import { loadModel } from '../ml/loadModel.js';
import type { Model } from '../ml/model.js';
import { MANIFEST_FORMAT, type ModelManifest } from './manifest.js';
import { TRAIN_FILES } from './trainFiles.js';

export interface Artifact {
  /** The servable folder (holding model.json and fitted-flow.json). */
  dir: string;
  model: Model;
  fitted: FittedFlow;
  manifest?: ModelManifest;
}

/**
 * Loads a trained model: either the training output folder (`DIR`, with the manifest
 * `DIR/model.json` beside the `DIR/model/` folder) or the servable folder `DIR/model` itself
 * (`model.json` = the model, `fitted-flow.json`, `manifest.json`). Needs nothing but Sluice.
 *
 * @example
 * const { model, fitted } = await loadArtifact('out');
 */
export async function loadArtifact(path: string): Promise<Artifact> {
  const nested = join(path, TRAIN_FILES.modelDir);
  const dir = (await isFile(join(nested, TRAIN_FILES.model))) ? nested : path;
  const modelPath = join(dir, TRAIN_FILES.model);
  const flowPath = join(dir, TRAIN_FILES.fittedFlow);
  const modelText = await read(modelPath, path);
  const flowText = await read(flowPath, path);
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(modelText);
  } catch (e) {
    throw new SluiceError('MODEL_ARTIFACT_INVALID', `${modelPath} is not JSON: ${(e as Error).message}`, {
      location: { file: modelPath },
      hint: 'the file may be truncated; train the model again',
    });
  }
  if ((modelJson as { format?: unknown }).format === MANIFEST_FORMAT) {
    throw new SluiceError('MODEL_ARTIFACT_INVALID', `${modelPath} is a manifest, not a model, and ${nested} has no model`, {
      location: { file: modelPath },
      hint: 'pass the folder written by `sluice train --out DIR` (DIR or DIR/model)',
    });
  }
  const model = loadModel(modelJson as Parameters<typeof loadModel>[0]);
  const fitted = parseFittedFlow(flowText, flowPath);
  const manifestPath = join(dir, TRAIN_FILES.manifestCopy);
  const manifest = (await isFile(manifestPath)) ? (JSON.parse(await readFile(manifestPath, 'utf8')) as ModelManifest) : undefined;
  return { dir, model, fitted, ...(manifest ? { manifest } : {}) };
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function read(file: string, given: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new SluiceError('MODEL_NOT_FOUND', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      location: { file },
      hint: `${given} should be the folder written by \`sluice train --out DIR\` (DIR or DIR/model), holding ${TRAIN_FILES.model} and ${TRAIN_FILES.fittedFlow}`,
    });
  }
}
