import { describe, expect, it } from 'vitest';
import type { SluiceConfig } from '../../src/core/config.js';
import { defaultModelName, modelSettings } from '../../src/pipeline/activities/modelSettings.js';
import { errorOf } from '../support/errors.js';

const config = (extra: Record<string, unknown>) => ({ name: 'my project', ...extra }) as unknown as SluiceConfig;

describe('model settings of the train step (sluice.yaml `model`, task input)', () => {
  it('takes sluice.yaml, lets the task input override it, and falls back to the flow target', () => {
    const c = config({ target: 'y', model: { timeLimit: 30, holdout: 0.25, seed: 3, metric: 'roc_auc', learners: ['gbdt'], sampleRate: 0 } });
    expect(modelSettings(c, {})).toEqual({ name: 'my_project', target: 'y', metric: 'roc_auc', timeLimit: 30, holdout: 0.25, seed: 3, learners: ['gbdt'] });
    expect(modelSettings(c, { timeLimit: 5, metric: 'log_loss', model: 'm' })).toMatchObject({ name: 'm', timeLimit: 5, metric: 'log_loss' });
    expect(modelSettings(config({}), {}, { target: 'readmitted' }).target).toBe('readmitted');
    expect(defaultModelName(config({ model: { name: 'readmission' } }))).toBe('readmission');
  });

  it('refuses a missing target, an unknown metric and unknown learners, naming the field, not retried', () => {
    const noTarget = errorOf(() => modelSettings(config({}), {}));
    expect(noTarget).toMatchObject({ code: 'TRAIN_NO_TARGET', retryable: false, location: { field: 'target' } });
    const metric = errorOf(() => modelSettings(config({ target: 'y', model: { metric: 'auc' } }), {}));
    expect(metric).toMatchObject({ code: 'TRAIN_BAD_METRIC', retryable: false, location: { field: 'model.metric' } });
    expect(metric.message).toBe('unknown metric "auc"');
    const learners = errorOf(() => modelSettings(config({ target: 'y', model: { learners: ['gbdt', 'svm'] } }), {}));
    expect(learners).toMatchObject({ code: 'TRAIN_BAD_LEARNER', location: { field: 'model.learners' } });
    expect(learners.message).toContain('unknown: svm');
    expect(learners.message).toContain('a non-empty list of gbdt, forest, logistic, linear, baseline');
    const typo = errorOf(() => modelSettings(config({ target: 'y', model: { learners: ['gdbt'] } }), {}));
    expect(typo.message).toContain('unknown: gdbt (did you mean gbdt?)');
    expect(errorOf(() => modelSettings(config({ target: 'y' }), { learners: [] })).code).toBe('TRAIN_BAD_LEARNER');
  });
});
