import type { Activity } from './Activity.js';
import type { ActivityDeps, AnyActivityDefinition } from './ActivityDefinition.js';
import { ActivityRegistry } from './ActivityRegistry.js';
import { BUILTIN_ACTIVITY_DEFINITIONS } from './builtinActivityDefinitions.js';

/**
 * A registry with every activity of `definitions` (default: the built-in ones), each loaded on
 * its first run; `overrides` replaces or adds implementations (tests, plugins).
 */
export function builtinActivities(
  // biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
  overrides: Record<string, Activity<any, unknown>> = {},
  deps: ActivityDeps = {},
  definitions: readonly AnyActivityDefinition[] = BUILTIN_ACTIVITY_DEFINITIONS,
): ActivityRegistry {
  const reg = new ActivityRegistry();
  for (const d of definitions) reg.register(d.name, loadedOnFirstRun(d, deps));
  for (const [name, a] of Object.entries(overrides)) reg.register(name, a);
  return reg;
}

/** The definition's activity, its code imported on the first call (again after a failed import). */
function loadedOnFirstRun(d: AnyActivityDefinition, deps: ActivityDeps): Activity<unknown, unknown> {
  let loading: Promise<Activity<unknown, unknown>> | undefined;
  return async (input, ctx) => {
    loading ??= d.load(deps).catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
    return (await loading)(input, ctx);
  };
}
