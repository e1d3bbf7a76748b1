/**
 * The file names of a model artifact: the one place that spells them. An artifact is a folder
 * holding the model, the flow fitted on its training batch, and the manifest that describes and
 * hashes both (docs/models.md, "The model artifact").
 */
export const ARTIFACT_FILES = {
  /**
   * The manifest, with a name of its own (as MLflow's `MLmodel`): upper case so it stands first
   * in a listing and reads as the folder's description, `.json` because it is JSON. Not `MLmodel`,
   * which MLflow's tools would try to read as theirs.
   */
  manifest: 'SLUICE_MODEL.json',
  /** The trained model's JSON form (src/ml/loadModel.ts). */
  model: 'model.json',
  /** The flow fitted on the training batch (src/flow/fittedFlow.ts). */
  fittedFlow: 'fitted-flow.json',
} as const;

/** The artifact's folder inside a training output folder (`sluice train --out DIR` writes `DIR/model/`). */
export const ARTIFACT_DIR = 'model';

/**
 * Names of the layout before the manifest had its own name (manifest format version 1), read
 * only: the manifest was `DIR/model.json` beside the artifact folder, with a copy
 * `DIR/model/manifest.json` inside it; `model.json` inside the folder was (and is) the model.
 */
export const LEGACY_FILES = {
  manifestCopy: 'manifest.json',
  trainingManifest: 'model.json',
} as const;
