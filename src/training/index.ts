/**
 * Training and batch prediction: `sluice train` and `sluice predict` as functions, the model
 * manifest and the model quality report. See docs/training.md.
 */
export { trainModel, type TrainOptions, type TrainResult } from './trainModel.js';
export { TRAIN_FILES } from './trainFiles.js';
export { loadTrainingData, type TrainingData, type TrainingFeature } from './loadTrainingData.js';
export { loadArtifact, type Artifact } from '../artifact/loadArtifact.js';
export { predictFile, predictionsCsv, type Predictions, type PredictFileOptions, type PredictionNote } from './predictFile.js';
export { inputSignature } from './inputSignature.js';
export { MANIFEST_FORMAT, type ModelManifest } from '../artifact/manifest.js';
export type { ModelReport } from './modelReport.js';
export { evaluateModel } from './evaluateModel.js';
export { renderModelReportHtml } from './html/renderModelReportHtml.js';
