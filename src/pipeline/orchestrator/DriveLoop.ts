import type { Logger } from 'pino';
import { SluiceError } from '../../core/errors.js';
import { diskFullOf, type DiskFull } from '../../engine/diskFull.js';
import { AsyncMutex } from '../../state/AsyncMutex.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import type { DiskFullHolds } from './DiskFullHolds.js';
import type { ExecutionDriver } from './ExecutionDriver.js';

export interface DriveLoopOptions {
  store: ExecutionStore;
  driver: ExecutionDriver;
  holds: DiskFullHolds;
  log: Logger;
  owner: string;
  leaseMs: number;
  /** Executions driven at once (waiting ones do not count). */
  concurrency: number;
  /** How often the store is polled for work written by other processes (decisions). */
  pollMs: number;
  /** Aborted when the orchestrator stops. */
  shutdown: AbortController;
  /** Activities run on workers: an execution parked while they run is not idle. */
  queued?: boolean;
}

/**
 * The loop that hands due executions to drivers: running ones, and waiting ones whose wake-up
 * time has passed, up to `concurrency` at once, each under a lease so one process drives it.
 *
 * ```
 * tick ─ due executions ─ claim a lease ─ driver.drive(id) ─ release the lease ─ kick
 * ```
 */
export class DriveLoop {
  private readonly active = new Map<string, Promise<void>>();
  /** One scheduling pass at a time: two passes interleaving could drive one execution twice. */
  private readonly ticks = new AsyncMutex();
  private timer: NodeJS.Timeout | undefined;
  /** A kick's tick is scheduled: a pass ending meanwhile must not push it back to the poll delay. */
  private kicked = false;
  private running = false;

  constructor(private readonly opts: DriveLoopOptions) {}

  /** Runs the loop until {@link stop}. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.guard('reclaiming leases', () => this.opts.store.reclaimDead()).finally(() => this.kick());
  }

  /** Stops taking work, aborts activities in flight (they re-run on restart) and waits for the drivers. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.opts.shutdown.abort(new SluiceError('SHUTDOWN', 'the orchestrator is stopping'));
    this.opts.driver.wakeAll();
    await this.ticks.run(async () => {});
    await Promise.allSettled([...this.active.values()]);
  }

  /** Drives every due execution until none is due and none is being driven. */
  async runUntilIdle(): Promise<void> {
    this.running = true;
    try {
      await this.opts.store.reclaimDead();
      for (;;) {
        await this.tick(false);
        if (this.active.size === 0) {
          const due = (await this.opts.store.due(Date.now(), 1, new Set())).length > 0;
          if (!due && !(this.opts.queued && (await this.opts.store.count('running')) > 0)) return;
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        await Promise.race(this.active.values());
      }
    } finally {
      this.running = false;
    }
  }

  /** Makes the loop look at the store now (a decision or a new execution was recorded). */
  kick(): void {
    if (!this.running || this.opts.shutdown.signal.aborted) return;
    if (this.timer) clearTimeout(this.timer);
    this.kicked = true;
    this.timer = setTimeout(() => void this.tick(true), 0);
  }

  private tick(reschedule: boolean): Promise<void> {
    return this.ticks.run(async () => {
      if (reschedule) this.kicked = false;
      if (this.opts.shutdown.signal.aborted) return;
      // The store failing (a full disk, PostgreSQL away) must never take the process down: log it and poll again.
      await this.guard('scheduling', () => this.schedule());
      // Other processes (a CLI approving, another `sluice run`) write to the store too: poll.
      this.opts.driver.wakeAll();
      if (!reschedule || !this.running) return;
      let next: number | null = null;
      await this.guard('scheduling', async () => {
        next = await this.opts.store.nextWake();
      });
      if (this.kicked || !this.running || this.opts.shutdown.signal.aborted) return;
      if (this.timer) clearTimeout(this.timer);
      const delay = next === null ? this.opts.pollMs : Math.max(5, Math.min(this.opts.pollMs, (next as number) - Date.now()));
      this.timer = setTimeout(() => void this.tick(true), delay);
    });
  }

  private async schedule(): Promise<void> {
    const { store, holds, owner, leaseMs } = this.opts;
    const now = Date.now();
    const free = this.opts.concurrency - this.active.size;
    if (free <= 0) return;
    const busy = new Set([...this.active.keys(), ...holds.waiting(now)]);
    // Held executions keep this process's lease (releasing it failed too): take them up again here.
    const ready = holds.ready(now).filter((id) => !this.active.has(id));
    const due = await store.due(now, free, new Set([...busy, ...ready]));
    for (const id of [...ready, ...due].slice(0, free)) {
      if (this.opts.shutdown.signal.aborted) return;
      if (!(await store.claim(id, owner, leaseMs, now))) continue;
      const p = this.opts.driver
        .drive(id)
        .catch(async (e: unknown) => {
          const full = diskFullOf(e);
          if (full) return this.hold(id, full);
          this.opts.log.error({ executionId: id, err: e }, 'driving the execution failed; it will be retried');
          try {
            await store.setState(id, { status: 'running', current: (await store.get(id))?.current ?? [], wakeAt: Date.now() + 5000 });
          } catch {
            /* the store itself failed; the lease expiry will hand it over */
          }
        })
        .finally(async () => {
          this.active.delete(id);
          await this.guard('releasing a lease', () => store.release(id, owner));
          this.kick();
        });
      this.active.set(id, p);
    }
  }

  /** Runs a store operation of the loop; a failure is logged (a full disk clearly), never thrown. */
  async guard(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      const full = diskFullOf(e);
      if (full)
        this.opts.log.error(
          { code: full.code, path: full.path },
          `disk full while ${what}: ${full.message}; free space on the disk holding ${full.path ?? 'the project state'} (docs/operations.md#disk-space)`,
        );
      else this.opts.log.error({ err: e }, `the execution store failed while ${what}`);
    }
  }

  /** The database could not record an execution's state (disk full): drive it again after a backoff. */
  private hold(id: string, full: DiskFull): void {
    const delay = this.opts.holds.hold(id, full);
    this.opts.log.error(
      { executionId: id, code: full.code, path: full.path, retryInMs: delay },
      `disk full: execution ${id} is paused, its state cannot be recorded (${full.message}); trying again in ${Math.round(delay / 1000)}s`,
    );
  }
}
