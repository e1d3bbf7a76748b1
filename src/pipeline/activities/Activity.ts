import type { Logger } from 'pino';
import { batchDir, type ProjectLayout } from '../../core/projectLayout.js';
import type { StateDb } from '../../state/StateDb.js';
import type { ProjectStores } from '../../storage/projectStores.js';

/** What an activity knows about where it runs. */
export interface ActivityContext {
  executionId: string;
  /** The step name (`train`, `build/train`, `retry#2`): with the execution id, the idempotency key. */
  step: string;
  /** 1 for the first attempt; a retry (or a resume after a crash) may run an attempt again. */
  attempt: number;
  /** `${executionId}:${step}`: an activity applies its effect at most once per key. */
  idempotencyKey: string;
  /** Aborted on timeout or shutdown; long activities should watch it. */
  signal: AbortSignal;
  project: ProjectLayout;
  /** The execution input and the results of the states done before this one, by state name. */
  execution: { input: Record<string, unknown>; results: Record<string, unknown> };
  log: Logger;
  /** The project configuration, when the orchestrator was given one (activities read their settings here). */
  config?: unknown;
  /** Where artifacts, reports, archived inputs and step outputs are kept (`stores.*`), when the runtime opened them (see `withStores`). */
  stores?: ProjectStores;
  /**
   * The shared state the orchestrator records executions in (`stores.state`: SQLite or
   * PostgreSQL): activities open the model and feature registries on it, so every worker sees them.
   */
  state?: StateDb;
}

/**
 * An activity does one side effect of a pipeline (run a flow, train, deploy). Contract:
 * - idempotent by `ctx.idempotencyKey`: called again for the same key (a retry, or a resume after
 *   the process was killed mid-way), it must not apply its effect twice, and should return the
 *   same result;
 * - its output is JSON (it is recorded in the history);
 * - it throws a SluiceError for failures; `retryable: false` stops retries.
 */
export type Activity<I = Record<string, unknown>, O = unknown> = (input: I, ctx: ActivityContext) => Promise<O>;

/** The folder an activity writes its files to: `<stateDir>/batches/<execution>/<step>` (step made path-safe). */
export function stepDir(ctx: Pick<ActivityContext, 'project' | 'executionId' | 'step'>): string {
  return batchDir(ctx.project, ctx.executionId, ctx.step);
}
