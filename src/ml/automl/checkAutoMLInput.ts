import { SluiceError } from '../../core/errors.js';
import { checkTrainingData } from '../checkTrainingData.js';
import { classCounts, type Frame, type Target } from '../frame.js';
import { METRICS, type MetricName } from '../metrics/metricRegistry.js';

/** Fewest rows AutoML accepts: enough for a holdout and stratified folds to mean something. */
export const MIN_AUTOML_ROWS = 20;

/**
 * Rejects input AutoML cannot work with, each with its own error code and a hint, and drops
 * feature columns that are missing in every row (returned, to be listed on the leaderboard).
 */
export function checkAutoMLInput(
  frame: Frame,
  target: Target,
  opts: { metric: MetricName; timeLimit: number; holdout: number },
): { frame: Frame; dropped: { name: string; reason: string }[] } {
  if (!(opts.timeLimit > 0) || !Number.isFinite(opts.timeLimit)) {
    throw new SluiceError('ML_BAD_TIME_LIMIT', `the time limit must be a positive number of seconds, got ${opts.timeLimit}`, {
      location: { field: 'timeLimit' },
      hint: 'use for example 60',
    });
  }
  const spec = METRICS[opts.metric];
  if (spec.task !== target.kind || (spec.binaryOnly && target.kind === 'classification' && target.labels.length !== 2)) {
    throw new SluiceError(
      'ML_METRIC_TASK',
      `metric "${opts.metric}" does not apply to this ${target.kind === 'regression' ? 'regression' : 'classification'} target`,
      {
        location: { field: 'metric' },
        hint: target.kind === 'regression' ? 'use rmse, mse, mae or r2' : 'use accuracy, balanced_accuracy, macro_f1, roc_auc or log_loss',
      },
    );
  }
  checkTrainingData(frame, target, 'AutoML', MIN_AUTOML_ROWS);
  if (target.kind === 'classification') {
    const counts = classCounts(target.codes, target.labels.length);
    const lone = target.labels.filter((_, c) => counts[c] === 1);
    if (lone.length > 0) {
      throw new SluiceError(
        'ML_CLASS_TOO_SMALL',
        `class${lone.length > 1 ? 'es' : ''} ${lone.map((l) => `"${l}"`).join(', ')} of the target ha${lone.length > 1 ? 've' : 's'} a single row`,
        {
          details: { classes: lone },
          hint: 'a class needs at least 2 rows to be in both the training and the holdout part; drop those rows or merge the class into another',
        },
      );
    }
  }
  const dropped: { name: string; reason: string }[] = [];
  const features = frame.features.filter((f) => {
    let present = false;
    if (f.kind === 'numeric') {
      for (let i = 0; i < frame.nRows && !present; i++) present = f.values[i] === f.values[i];
    } else {
      for (let i = 0; i < frame.nRows && !present; i++) present = f.codes[i]! >= 0;
    }
    if (!present) dropped.push({ name: f.name, reason: 'missing in every row' });
    return present;
  });
  if (features.length === 0) {
    throw new SluiceError('ML_NO_USABLE_FEATURES', `all ${frame.features.length} feature columns are missing in every row`, {
      hint: 'check the column names and the parsing of the data file; at least one feature needs values',
    });
  }
  return { frame: { nRows: frame.nRows, features }, dropped };
}
