import type { DiskFull } from '../../engine/diskFull.js';

/** How long to wait before trying again after the n-th disk-full failure (sluice.yaml `diskFull`). */
export interface DiskFullRetry {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_DISK_FULL_RETRY: DiskFullRetry = { firstMs: 5000, maxMs: 300_000 };

/** `firstMs`, doubling with each failure up to `maxMs`. */
export function diskFullDelay(n: number, retry: DiskFullRetry = DEFAULT_DISK_FULL_RETRY): number {
  return Math.min(retry.firstMs * 2 ** (n - 1), retry.maxMs);
}

/** An execution whose state could not be recorded (the database's disk is full). */
export type Hold = DiskFull & { until: number; n: number; since: number };

/**
 * Executions whose state could not be recorded because the database's disk is full: not driven
 * again before `until`; the pause is recorded once the database accepts writes again (they keep
 * this process's lease, as releasing it failed too).
 */
export class DiskFullHolds {
  private readonly held = new Map<string, Hold>();

  constructor(private readonly retry: DiskFullRetry = DEFAULT_DISK_FULL_RETRY) {}

  /** Holds the execution (again): returns the delay before it is driven again. */
  hold(id: string, full: DiskFull, now = Date.now()): number {
    const prev = this.held.get(id);
    const n = (prev?.n ?? 0) + 1;
    const delay = diskFullDelay(n, this.retry);
    this.held.set(id, { ...full, n, until: now + delay, since: prev?.since ?? now });
    return delay;
  }

  /** Held executions still waiting out their delay. */
  waiting(now: number): string[] {
    return [...this.held].filter(([, h]) => h.until > now).map(([id]) => id);
  }

  /** Held executions whose delay has passed. */
  ready(now: number): string[] {
    return [...this.held].filter(([, h]) => h.until <= now).map(([id]) => id);
  }

  /** The hold of an execution about to be driven; it is released by {@link release}. */
  get(id: string): Hold | undefined {
    return this.held.get(id);
  }

  release(id: string): void {
    this.held.delete(id);
  }
}
