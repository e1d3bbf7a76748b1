/**
 * Sluice's machine learning, on typed arrays: learners, metrics, splits, AutoML, model
 * loading and anomaly scores. See docs/ml.md.
 */
export type { Feature, FeatureSchema, Frame, Target } from './frame.js';
export { frameSchema, takeRows, takeTarget } from './frame.js';
export { alignFrame } from './align.js';
export type { LearnerName, ModelJSON, Prediction, Task } from './model.js';
export { Model } from './model.js';
export { loadModel } from './loadModel.js';
export { LEARNERS, LEARNER_NAMES, isLearnerName, learnerDefinition, learnersFor, type TrainableLearner } from './learners.js';
export type { LearnerDefinition, LearnerTrainOptions, SettingSpec } from './learnerDefinition.js';
export { trainByName } from './trainByName.js';
export { Rng } from './random.js';

export { trainGbdt, type GbdtTrainOptions } from './gbdt/trainGbdt.js';
export { GBDT_DEFAULTS, type GbdtParams } from './gbdt/gbdtParams.js';
export { GbdtModel } from './gbdt/gbdtModel.js';
export { trainLogistic, LOGISTIC_DEFAULTS, type LogisticParams } from './linear/trainLogistic.js';
export { trainLinear, LINEAR_DEFAULTS, type LinearParams } from './linear/trainLinear.js';
export { LinearModel } from './linear/linearModel.js';
export { trainForest } from './forest/trainForest.js';
export { FOREST_DEFAULTS, type ForestParams } from './forest/forestParams.js';
export { ForestModel } from './forest/forestModel.js';
export { trainBaseline, BaselineModel } from './baseline/trainBaseline.js';
export { EnsembleModel } from './ensemble/ensembleModel.js';

export { runAutoML, type AutoMLOptions, type AutoMLResult } from './automl/runAutoML.js';
export type { Leaderboard, LeaderboardEntry } from './automl/leaderboard.js';
export { DEFAULT_METRIC, detectProblemType, problemTypeOf, targetFromValues, type ProblemType } from './automl/problemType.js';

export { stratifiedHoldout, type Holdout } from './splits/stratifiedHoldout.js';
export { stratifiedKFold } from './splits/stratifiedKFold.js';

export { accuracy } from './metrics/accuracy.js';
export { balancedAccuracy } from './metrics/balancedAccuracy.js';
export { confusionMatrix } from './metrics/confusionMatrix.js';
export { f1Score, macroF1, precisionRecallF1, type PerClassScores } from './metrics/precisionRecallF1.js';
export { binaryAuc, rocAuc } from './metrics/rocAuc.js';
export { logLoss } from './metrics/logLoss.js';
export { rocCurve, type RocCurve } from './metrics/rocCurve.js';
export { precisionRecallCurve, type PrCurve } from './metrics/precisionRecallCurve.js';
export { calibrationCurve, type CalibrationCurve } from './metrics/calibrationCurve.js';
export { mae, mse, r2, rmse } from './metrics/regression.js';
export { argmaxRows } from './metrics/argmax.js';
export { isMetricName, METRIC_NAMES, METRICS, scoreMetric, type MetricName, type MetricSpec } from './metrics/metricRegistry.js';
export { permutationImportance, type PermutationImportance } from './permutationImportance.js';

export { fitIsolationForest, IsolationForest, ISOLATION_FOREST_DEFAULTS, type IsolationForestParams } from './isolationForest.js';
