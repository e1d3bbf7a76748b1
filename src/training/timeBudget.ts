/**
 * The time budget of `sluice train`, for the whole run: reading the data and screening the
 * features count in it, and so does writing the model and its report afterwards. AutoML gets
 * what is left once the end of the run is set aside.
 */

import { availableParallelism, loadavg } from 'node:os';

/**
 * Bytes of a data file read per second, everything from the file to the frame AutoML trains on
 * (structure check, DuckDB's parse, type detection, the flow, the typed columns): a 137 MB CSV
 * of 3,000,000 rows x 8 columns takes about 7 s on an idle 2-core machine.
 */
export const READ_BYTES_PER_SECOND = 20e6;

/**
 * Seconds reading a file of `bytes` is expected to take, before it starts: at
 * {@link READ_BYTES_PER_SECOND}, slowed by the machine's load beyond its cores (a machine
 * running three times as many processes as it has cores reads about three times slower).
 */
export function estimateReadSeconds(bytes: number, load = loadavg()[0] ?? 0, cores = availableParallelism()): number {
  return (bytes / READ_BYTES_PER_SECOND) * Math.max(1, load / Math.max(1, cores));
}

/** Cells (rows x features) of data per second of the default time limit. */
export const CELLS_PER_SECOND = 2_000;
export const MIN_DEFAULT_LIMIT = 5;
export const MAX_DEFAULT_LIMIT = 60;

/**
 * The default time limit: one second per 2,000 cells (rows x features), at least 5 and at most
 * 60 seconds. 300 rows x 8 features get 5 s; 15,000 rows x 8 features or more get 60 s.
 */
export function defaultTimeLimit(rows: number, features: number): number {
  return Math.min(MAX_DEFAULT_LIMIT, Math.max(MIN_DEFAULT_LIMIT, Math.ceil((rows * Math.max(1, features)) / CELLS_PER_SECOND)));
}

/**
 * Seconds AutoML may take: the limit less what the run already spent and what evaluating and
 * writing will take (half a second, 3% of the limit and 2 µs per held-out row), but never less
 * than a tenth of the limit (a run whose reading alone used up the budget still trains a model,
 * and says it overran).
 */
export function automlSeconds(limit: number, elapsedSeconds: number, holdoutRows: number): number {
  const after = 0.5 + 0.03 * limit + 2e-6 * holdoutRows;
  return Math.max(0.1 * limit, limit - elapsedSeconds - after);
}
