import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../../engine/atomicWriteFile.js';
import { stepDir, type ActivityContext } from './Activity.js';

/**
 * Runs an activity's effect once per idempotency key and gives every later call the first call's
 * output: the output is kept in the step's folder (`output.json`, written atomically) once the
 * effect is done. A retry or a resume after a crash then returns what the first attempt returned
 * (Activity.ts's "should return the same result"), not a description of the second call ("already
 * ingested"). If the process dies between the effect and this file, the effect's own idempotency
 * (a batch id, a version key) still applies it once, and that call's output is the one kept.
 */
export async function rememberOutput<O>(ctx: Pick<ActivityContext, 'project' | 'executionId' | 'step'>, run: () => Promise<O>): Promise<O> {
  const file = join(stepDir(ctx), 'output.json');
  const kept = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as O,
    () => undefined,
  );
  if (kept !== undefined) return kept;
  const output = await run();
  await atomicWriteFile(file, JSON.stringify(output));
  return output;
}
