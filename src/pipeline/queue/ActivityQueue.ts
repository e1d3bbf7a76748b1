import type { ActivityJob } from './ActivityJob.js';

/** Runs one job; `lease` is aborted when the job's lease is lost (another worker may run it now) or the worker stops. */
export type ActivityJobHandler = (job: ActivityJob, lease: AbortSignal) => Promise<void>;

/**
 * The queue activity runs go through when workers are separate processes: one queue per activity
 * kind, jobs claimed under a lease that the claiming worker renews while it runs them. A job whose
 * worker died is handed to another when its lease expires. Implemented on pg-boss
 * ({@link PgBossQueue}); the embedded default (SQLite state) has no queue and runs activities in
 * the orchestrator's process.
 */
export interface ActivityQueue {
  /** Enqueues the run unless the same run is queued, running or done (the id is derived from it). */
  send(queue: string, job: ActivityJob): Promise<void>;
  /** Takes jobs from `queues`, up to `concurrency` at once, until {@link stop}. */
  work(queues: readonly string[], concurrency: number, handler: ActivityJobHandler): void;
  /** Calls `listener` when a job finished in any process (an execution has news), sooner than a poll of the store. */
  onFinished(listener: () => void): void;
  /** Stops taking jobs, aborts the running ones (their leases lapse, another worker retries) and closes the connections. */
  stop(): Promise<void>;
}
