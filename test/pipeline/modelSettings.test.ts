import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SluiceConfig } from '../../src/core/config.js';
import { defaultModelName, modelSettings, projectSettings } from '../../src/pipeline/activities/modelSettings.js';
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

describe('report and train read the same settings (one resolver, projectSettings)', () => {
  const ways: Array<[string, Record<string, unknown>, { target?: string } | undefined, string]> = [
    ['sluice.yaml target', { target: 'y' }, undefined, 'y'],
    ['the flow target', {}, { target: 'readmitted' }, 'readmitted'],
    ['both: sluice.yaml wins', { target: 'y' }, { target: 'readmitted' }, 'y'],
    ['the model name and metric from sluice.yaml', { target: 'y', model: { name: 'readmission', metric: 'roc_auc' } }, undefined, 'y'],
  ];
  it.each(ways)('%s', (_way, extra, flow, target) => {
    const c = config(extra);
    const report = projectSettings(c, {}, flow);
    const train = modelSettings(c, {}, flow);
    expect(report.target).toBe(target);
    expect(train.target).toBe(target);
    expect({ name: report.name, metric: report.metric }).toEqual({ name: train.name, metric: train.metric });
  });

  it('the report and train activities resolve them through it, and nothing else reads the target', () => {
    const src = (f: string) => readFileSync(join(import.meta.dirname, '..', '..', 'src', 'pipeline', 'activities', f), 'utf8');
    expect(src('reportActivity.ts')).toContain('projectSettings(config, input, spec)');
    expect(src('trainActivity.ts')).toContain('modelSettings(config, input, spec)');
    const readers = readdirSync(join(import.meta.dirname, '..', '..', 'src', 'pipeline', 'activities')).filter((f) => /config\?*\.target\b/.test(src(f)));
    expect(readers).toEqual(['modelSettings.ts']);
  });
});
