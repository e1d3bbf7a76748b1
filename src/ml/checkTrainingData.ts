import { SluiceError } from '../core/errors.js';
import { checkFrame, classCounts, type Frame, type Target } from './frame.js';

/**
 * Rejects data no learner can train on, with errors that say what to change: lengths that
 * disagree, no features, too few rows, missing or out-of-range target values, and a
 * classification target with fewer than two classes present.
 */
export function checkTrainingData(frame: Frame, target: Target, learner: string, minRows = 2): void {
  checkFrame(frame, target);
  if (frame.features.length === 0) {
    throw new SluiceError('ML_NO_FEATURES', `${learner}: the data has no feature columns`, {
      hint: 'keep at least one column besides the target',
    });
  }
  if (frame.nRows < minRows) {
    throw new SluiceError('ML_TOO_FEW_ROWS', `${learner}: ${frame.nRows} rows is too few to train on (at least ${minRows} needed)`, {
      hint: 'provide more rows',
    });
  }
  if (target.kind === 'regression') {
    const v = target.values;
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) {
        throw new SluiceError('ML_MISSING_TARGET', `${learner}: the target is missing or not finite in row ${i}`, {
          location: { record: i },
          hint: 'drop rows without a target value before training',
        });
      }
    }
    return;
  }
  const k = target.labels.length;
  const c = target.codes;
  for (let i = 0; i < c.length; i++) {
    const code = c[i]!;
    if (code < 0 || code >= k) {
      throw new SluiceError('ML_MISSING_TARGET', `${learner}: the target is missing in row ${i}`, {
        location: { record: i },
        hint: 'drop rows without a target value before training',
      });
    }
  }
  const present = classCounts(c, k).filter((n) => n > 0).length;
  if (present < 2) {
    throw new SluiceError('ML_ONE_CLASS', `${learner}: the target has ${present} class${present === 1 ? '' : 'es'}; at least 2 are needed`, {
      hint: 'a model cannot learn to tell classes apart from a single class; check the target column and the rows kept',
    });
  }
}
