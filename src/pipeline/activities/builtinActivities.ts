import { SluiceError } from '../../core/errors.js';
import type { Activity } from './Activity.js';
import { ActivityRegistry } from './ActivityRegistry.js';
import { ingestFeaturesActivity } from './ingestFeaturesActivity.js';
import { reportActivity } from './reportActivity.js';
import { runFlowActivity } from './runFlowActivity.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';

/** The built-in activity names a pipeline task can use. */
export const BUILTIN_ACTIVITIES = ['run_flow', 'report', 'notify', 'ingest_features', 'train', 'register_model', 'deploy'] as const;

const MODULE_OF: Record<string, string> = {
  run_flow: 'the flow runner (src/flow)',
  report: 'the insights report (src/profile)',
  notify: 'notifications',
  ingest_features: 'the feature store (src/features)',
  train: 'AutoML (src/ml)',
  register_model: 'the model registry (src/models)',
  deploy: 'the model registry and endpoint (src/models, src/server)',
};

/**
 * An activity whose module has not landed yet: it fails the execution with a clear error (never a
 * fake success), not retried. The real implementation replaces it in the registry when it exists.
 */
export function unavailableActivity(name: string): Activity {
  return async () => {
    throw new SluiceError('ACTIVITY_NOT_AVAILABLE', `activity ${name} is not available yet: ${MODULE_OF[name] ?? name} is not part of this build`, {
      retryable: false,
      hint: 'use a pipeline without this step (see docs/pipelines.md), or a `command:` task that does it, until the module is available',
    });
  };
}

/**
 * A registry with every built-in activity. Those whose module is not available fail with
 * ACTIVITY_NOT_AVAILABLE; `overrides` plugs in implementations (notifications, tests, plugins).
 */
export function builtinActivities(overrides: Record<string, Activity<any, unknown>> = {}, deps: { store?: ExecutionStore; publicUrl?: string } = {}): ActivityRegistry {
  const reg = new ActivityRegistry();
  for (const name of BUILTIN_ACTIVITIES) reg.register(name, unavailableActivity(name));
  // Implemented as their modules land.
  reg.register('run_flow', runFlowActivity);
  reg.register('report', reportActivity(deps.store, deps.publicUrl));
  reg.register('ingest_features', ingestFeaturesActivity);
  for (const [name, a] of Object.entries(overrides)) reg.register(name, a);
  return reg;
}
