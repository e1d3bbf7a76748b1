import type { StateDb } from '../../state/StateDb.js';
import type { NotificationSettings } from '../notify/ApprovalMessenger.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import type { Activity } from './Activity.js';
import type { ActivitySignature } from './ActivitySignature.js';

/** What the project runtime gives the activities that need more than their context. */
export interface ActivityDeps {
  /** The execution store (`report` reads the last approved batch from it). */
  store?: ExecutionStore;
  /** Base URL of links in messages and reports. */
  publicUrl?: string;
  /** The state database (`notify` records who was told). */
  state?: StateDb;
  /** Mail and webhook settings (`notify`). */
  notifications?: NotificationSettings;
}

/**
 * A built-in activity, declared once: its typed signature (what the pipeline loader wires and
 * checks), what docs/pipelines.md says of it (`npm run docs` writes the table) and how to load
 * its code. The registry (`builtinActivities`), the names, the signatures and the docs table all
 * derive from the list of definitions (`builtinActivityDefinitions.ts`).
 */
export interface ActivityDefinition<I, O> extends ActivitySignature<I, O> {
  name: string;
  /** What it builds on, for the docs table (`flow runner`, `model registry + endpoint`). */
  uses: string;
  /** What it does and how it keeps its contract (idempotency), for the docs table. */
  summary: string;
  /**
   * The implementation, imported when the activity first runs (a dynamic import, so loading a
   * pipeline loads no activity code); `deps` are the runtime's.
   */
  load(deps: ActivityDeps): Promise<Activity<I, O>>;
}

/** A definition with its input and output types erased, as lists and the registry hold it. */
// biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
export type AnyActivityDefinition = ActivityDefinition<any, any>;

/** Declares a built-in activity; the compiler holds the signature and the loaded code to the same input and output types. */
export function defineActivity<I, O>(definition: ActivityDefinition<I, O>): ActivityDefinition<I, O> {
  return definition;
}
