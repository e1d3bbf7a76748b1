/**
 * Crash points for the crash tests (`test/features/crash.test.ts`): with
 * `SLUICE_FEATURES_FAULT=<point>` in the environment, a process reaching that point of an ingest
 * dies or stops there, as a power cut or `kill -9` would leave it. Unset (always, outside tests),
 * each call is one environment lookup.
 *
 * Points: `pause-before-commit` (prints `SLUICE_FAULT_PAUSED` on stdout and waits forever, so
 * the test can SIGKILL it with the offline files and staged online entries written),
 * `kill-in-commit` (SIGKILLs itself inside the commit, after the registry row is written).
 */
export type FaultPoint = 'pause-before-commit' | 'kill-in-commit';

/** Stops here when the environment asks for this point; see the module comment. */
export async function faultPoint(point: FaultPoint): Promise<void> {
  if (process.env.SLUICE_FEATURES_FAULT !== point) return;
  if (point === 'kill-in-commit') faultPointSync(point);
  process.stdout.write('SLUICE_FAULT_PAUSED\n');
  await new Promise<never>(() => setInterval(() => undefined, 60_000));
}

/** The synchronous form, for points inside a SQLite transaction. */
export function faultPointSync(point: FaultPoint): void {
  if (process.env.SLUICE_FEATURES_FAULT !== point) return;
  process.kill(process.pid, 'SIGKILL');
  // The signal is already pending; never run another statement of the transaction meanwhile.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
