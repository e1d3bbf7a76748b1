import { monitorEventLoopDelay, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';

/** What one serving process saw over a window: its garbage-collection pauses and event-loop delay. */
export interface ServerStats {
  pid: number;
  /** Pauses of the main thread for garbage collection (PerformanceObserver 'gc' entries). */
  gc: { count: number; totalMs: number; maxMs: number; over1ms: number; majorCount: number; majorMaxMs: number };
  /** How late a 10 ms timer ran (monitorEventLoopDelay): what blocked the thread, GC included. */
  loopDelay: { p99Ms: number; maxMs: number };
  /** CPU time of the process over the window (user + system). */
  cpuMs: number;
}

/** V8's kinds in the 'gc' entries' detail: 1 minor (scavenge), 2 major (mark-compact), 4 incremental, 8 weak callbacks. */
const MAJOR = 2;
const RESOLUTION_MS = 10;
const late = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);

/**
 * Records this process's GC pauses and event-loop delay from now on; `reset` starts a new
 * window, `read` gives the window so far. The delay monitor samples every 10 ms (a finer one
 * would add its own timer's work to the process it measures).
 */
export function serverStats(): { reset: () => void; read: () => ServerStats } {
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  let pauses: Array<{ ms: number; kind: number }> = [];
  let cpu0 = process.cpuUsage();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ ms: e.duration, kind: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0 });
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    reset: () => {
      pauses = [];
      loop.reset();
      cpu0 = process.cpuUsage();
    },
    read: () => {
      const major = pauses.filter((p) => p.kind === MAJOR);
      const cpu = process.cpuUsage(cpu0);
      return {
        pid: process.pid,
        gc: {
          count: pauses.length,
          totalMs: pauses.reduce((a, p) => a + p.ms, 0),
          maxMs: pauses.reduce((a, p) => Math.max(a, p.ms), 0),
          over1ms: pauses.filter((p) => p.ms > 1).length,
          majorCount: major.length,
          majorMaxMs: major.reduce((a, p) => Math.max(a, p.ms), 0),
        },
        // The histogram holds the time between the timer's runs (interval included), in nanoseconds.
        loopDelay: { p99Ms: late(loop.count ? loop.percentile(99) : 0), maxMs: late(loop.count ? loop.max : 0) },
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
    },
  };
}
