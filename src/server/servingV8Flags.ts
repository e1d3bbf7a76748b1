/**
 * The V8 flags of every process that serves the prediction endpoint (`sluice serve --role
 * endpoint --workers N`'s workers, the benchmark's serving processes).
 *
 * `--max-semi-space-size=32`: a young generation of 2 × 32 MB instead of V8's 2 × 16 MB. A
 * single-record request allocates about 13 KB: one scavenge per about 1,000 requests, each
 * copying (then promoting) what was in flight, until a mark-compact pause (up to 21 ms on the
 * quiet machine) set the p99 at 5,000 requests/s (docs/benchmarks.md, "The endpoint's tail and
 * the young generation"). Twice the space: half the scavenges and fewer mark-compacts. Cost:
 * up to 48 MB more reserved per process (the heap's limit grows by 3 × 16 MB), committed only
 * as the young generation grows.
 *
 * V8 sizes its heap once, when the isolate is created: `v8.setFlagsFromString` at run time
 * changes the flag but not the heap (`heap_size_limit` and the new space stay as they were), so
 * the flag has to be on the command line (or in NODE_OPTIONS) of the serving process itself.
 */
export const SERVING_V8_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

const flagName = (flag: string): string => flag.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-');

/**
 * `execArgv` with each of {@link SERVING_V8_FLAGS} added unless the operator already set that
 * flag, on the command line or in NODE_OPTIONS (theirs wins: V8 would take the last one given).
 */
export function withServingV8Flags(execArgv: readonly string[], nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  return [...execArgv, ...SERVING_V8_FLAGS.filter((f) => !given.has(flagName(f)))];
}

/** Whether a process with this `execArgv` (and NODE_OPTIONS) already runs with every serving V8 flag (or the operator's own value of it). */
export function hasServingV8Flags(execArgv: readonly string[], nodeOptions: string = process.env.NODE_OPTIONS ?? ''): boolean {
  return withServingV8Flags(execArgv, nodeOptions).length === execArgv.length;
}
