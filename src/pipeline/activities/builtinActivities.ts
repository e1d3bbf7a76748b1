import type { Activity } from './Activity.js';
import { ActivityRegistry } from './ActivityRegistry.js';
import { deployActivity } from './deployActivity.js';
import { registerModelActivity } from './registerModelActivity.js';
import { trainActivity } from './trainActivity.js';
import { ingestFeaturesActivity } from './ingestFeaturesActivity.js';
import { reportActivity } from './reportActivity.js';
import { runFlowActivity } from './runFlowActivity.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';

/** The built-in activity names a pipeline task can use. */
export const BUILTIN_ACTIVITIES = ['run_flow', 'report', 'notify', 'ingest_features', 'train', 'register_model', 'deploy'] as const;

/**
 * A registry with every built-in activity; `overrides` replaces or adds implementations
 * (notifications, tests, plugins).
 */
export function builtinActivities(
  // biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
  overrides: Record<string, Activity<any, unknown>> = {},
  deps: { store?: ExecutionStore; publicUrl?: string } = {},
): ActivityRegistry {
  const reg = new ActivityRegistry();
  reg.register('run_flow', runFlowActivity);
  reg.register('report', reportActivity(deps.store, deps.publicUrl));
  reg.register('ingest_features', ingestFeaturesActivity);
  reg.register('train', trainActivity);
  reg.register('register_model', registerModelActivity);
  reg.register('deploy', deployActivity);
  for (const [name, a] of Object.entries(overrides)) reg.register(name, a);
  return reg;
}
