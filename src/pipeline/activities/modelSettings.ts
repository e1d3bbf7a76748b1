import type { SluiceConfig } from '../../core/config.js';
import { closest } from '../../core/closest.js';
import { SluiceError } from '../../core/errors.js';
import { LEARNER_NAMES, type TrainableLearner } from '../../ml/learners.js';
import { isMetricName, type MetricName } from '../../ml/metrics/metricRegistry.js';
import { resolveTarget } from './projectFlow.js';

/** The model settings an activity uses: sluice.yaml `model`, overridden by the task's `input`. */
export interface ModelSettings {
  name: string;
  target: string;
  metric?: MetricName;
  timeLimit: number;
  holdout: number;
  seed: number;
  learners?: TrainableLearner[];
  maxCandidates?: number;
  ensemble?: boolean;
  allowLeaks?: string[];
}

/** A registry-safe model name from the project name (`my project` -> `my_project`). */
export function defaultModelName(config: SluiceConfig | undefined): string {
  return (config?.model?.name ?? config?.name ?? 'model').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Resolves the model settings of a task, with clear errors for a missing target or a bad metric. */
export function modelSettings(config: SluiceConfig | undefined, input: Record<string, unknown>, flowTarget?: string): ModelSettings {
  const m = config?.model;
  const target = resolveTarget(config, input, { target: flowTarget });
  if (!target) {
    throw new SluiceError('TRAIN_NO_TARGET', 'no target column is configured, so there is nothing to train a model for', {
      location: { field: 'target' },
      hint: 'set `target: <column>` in sluice.yaml or in the flow (or `input: { target: ... }` on the train task)',
      retryable: false,
    });
  }
  const metric = (input.metric as string | undefined) ?? m?.metric;
  if (metric !== undefined && !isMetricName(metric)) {
    throw new SluiceError('TRAIN_BAD_METRIC', `unknown metric "${metric}"`, {
      location: { field: 'model.metric' },
      hint: 'use one of log_loss, roc_auc, accuracy, balanced_accuracy, macro_f1, f1, rmse, mse, mae, r2',
      retryable: false,
    });
  }
  const learners = (input.learners ?? m?.learners) as unknown;
  if (learners !== undefined) {
    const known: readonly string[] = LEARNER_NAMES;
    const bad = Array.isArray(learners) ? learners.filter((l) => !known.includes(String(l))) : [learners];
    if (bad.length > 0 || !Array.isArray(learners) || learners.length === 0) {
      throw new SluiceError(
        'TRAIN_BAD_LEARNER',
        `model.learners must be a non-empty list of ${known.join(', ')}${bad.length ? `; unknown: ${bad.map((b) => `${String(b)}${closest(String(b), known) ? ` (did you mean ${closest(String(b), known)}?)` : ''}`).join(', ')}` : ''}`,
        {
          location: { field: 'model.learners' },
          hint: 'remove the setting to search every learner',
          retryable: false,
        },
      );
    }
  }
  const num = (k: string, d: number): number => (typeof input[k] === 'number' ? (input[k] as number) : d);
  return {
    name: (input.model as string | undefined) ?? defaultModelName(config),
    target,
    ...(metric ? { metric: metric as MetricName } : {}),
    timeLimit: num('timeLimit', m?.timeLimit ?? 120),
    holdout: num('holdout', m?.holdout ?? 0.2),
    seed: num('seed', m?.seed ?? 0),
    ...(learners !== undefined ? { learners: learners as TrainableLearner[] } : {}),
    ...((input.maxCandidates ?? m?.maxCandidates) !== undefined ? { maxCandidates: (input.maxCandidates ?? m?.maxCandidates) as number } : {}),
    ...((input.ensemble ?? m?.ensemble) !== undefined ? { ensemble: (input.ensemble ?? m?.ensemble) as boolean } : {}),
    ...((input.allowLeaks ?? m?.allowLeaks) !== undefined ? { allowLeaks: (input.allowLeaks ?? m?.allowLeaks) as string[] } : {}),
  };
}
