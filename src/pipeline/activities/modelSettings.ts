import type { SluiceConfig } from '../../core/config.js';
import { closest } from '../../core/closest.js';
import { SluiceError } from '../../core/errors.js';
import { LEARNER_NAMES, type TrainableLearner } from '../../ml/learners.js';
import { isMetricName, type MetricName } from '../../ml/metrics/metricRegistry.js';
import type { FlowSpec } from '../../flow/flowSchema.js';

/** The model settings an activity uses: sluice.yaml `model`, overridden by the task's `input`. */
export interface ModelSettings extends ProjectSettings {
  target: string;
}

/**
 * The project's model settings as every step reads them (report and train alike): the target
 * column, the metric, the model name and the training settings. `target` is undefined when
 * neither the task, sluice.yaml nor the flow names one (the report then profiles without one).
 */
export interface ProjectSettings {
  name: string;
  target?: string | undefined;
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

/** The train step's settings: {@link projectSettings}, with a clear error when no target is configured. */
export function modelSettings(config: SluiceConfig | undefined, input: object, flow?: Pick<FlowSpec, 'target'>): ModelSettings {
  const s = projectSettings(config, input, flow);
  if (!s.target) {
    throw new SluiceError('TRAIN_NO_TARGET', 'no target column is configured, so there is nothing to train a model for', {
      location: { field: 'target' },
      hint: 'set `target: <column>` in sluice.yaml or in the flow (or `input: { target: ... }` on the train task)',
      retryable: false,
    });
  }
  return { ...s, target: s.target };
}

/**
 * The one place the project's model settings are resolved, for every step (report, train): each
 * setting is the task's `input`, else sluice.yaml (`target`, `model.*`), else the flow's `target`.
 * Throws a clear error for an unknown metric or learner.
 *
 * @example
 * projectSettings({ target: 'readmitted', model: { metric: 'roc_auc' } }, {}) // { name: 'model', target: 'readmitted', metric: 'roc_auc', ... }
 */
export function projectSettings(config: SluiceConfig | undefined, taskInput: object, flow?: Pick<FlowSpec, 'target'>): ProjectSettings {
  const input = taskInput as Record<string, unknown>;
  const m = config?.model;
  const target = (input.target as string | undefined) ?? config?.target ?? flow?.target;
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
    ...(target ? { target } : {}),
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
