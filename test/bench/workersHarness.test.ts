import { describe, expect, it } from 'vitest';
import { runWorkersBench } from '../../bench/pipeline/workersHarness.js';

/**
 * The workers benchmark's harness (issue 17, point 7; `npm run bench -- workers`) run small, so it
 * cannot rot: real `sluice serve` / `sluice worker` processes, SQLite and a throwaway PostgreSQL.
 * No timing is asserted (the machine may be loaded): only that every execution ran and that each
 * measure was taken from what the product recorded.
 */
describe('workers benchmark harness', () => {
  it('runs 3 executions on SQLite and on PostgreSQL with 1 worker and measures them', async () => {
    const steps = 3;
    const runs = await runWorkersBench({ executions: 3, workers: [1], steps, timeoutMs: 150_000 });
    expect(runs.map((r) => [r.backend, r.workers])).toEqual([
      ['sqlite', 0],
      ['postgres', 1],
    ]);
    for (const r of runs) {
      expect(r.succeeded, r.backend).toBe(3);
      expect(r.perMinute).toBeGreaterThan(0);
      // One gap between consecutive states, per execution; one run per state.
      expect(r.gapMs.n).toBe(3 * (steps - 1));
      expect(r.activityMs.n).toBe(3 * steps);
      expect(r.gapMs.p95).toBeGreaterThanOrEqual(r.gapMs.median);
      expect(r.sluiceCpuS).toBeGreaterThan(0);
    }
    const [sqlite, postgres] = runs;
    expect(sqlite!.queueMs).toBeUndefined();
    expect(postgres!.queueMs?.n).toBe(3 * steps);
    expect(postgres!.pickupMs?.n).toBe(3 * (steps - 1));
    expect(postgres!.postgresCpuS).toBeGreaterThan(0);
  }, 400_000);
});
