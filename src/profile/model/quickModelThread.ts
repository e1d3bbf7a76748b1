import type { Worker } from 'node:worker_threads';
import { SluiceError } from '../../core/errors.js';
import { spawnModuleWorker } from '../../ml/spawnModuleWorker.js';
import type { QuickModelFit } from './quickModelOfFrame.js';

/** A quick-model worker thread and its one answer. */
export interface QuickModelThread {
  thread: Worker;
  answer: Promise<QuickModelFit>;
}

/** A quick-model worker thread, listening from its start (an early error is its answer, never an unhandled event). */
export function startQuickModelThread(): QuickModelThread {
  const thread = spawnModuleWorker(import.meta.url, 'quickModelWorker');
  // A report that fails meanwhile does not wait for the fit to end.
  thread.unref();
  const answer = new Promise<QuickModelFit>((resolve, reject) => {
    const fail = (why: string) =>
      reject(
        new SluiceError('REPORT_QUICK_MODEL_FAILED', `the quick model failed: ${why}`, { hint: 'rerun the report; if it fails again, report it as a bug' }),
      );
    thread.once('message', (m: { result?: QuickModelFit; error?: string }) =>
      m.error === undefined && m.result ? resolve(m.result) : fail(m.error ?? 'no answer'),
    );
    thread.once('error', (e) => fail(e.message));
    thread.once('exit', (code) => fail(`its thread exited with code ${code} before answering`));
  });
  // Handled here: a worker terminated unused rejects, and only a posted job's answer is awaited.
  answer.catch(() => {});
  return { thread, answer };
}

let early: QuickModelThread | undefined;

/**
 * Starts the quick model's thread before the data is read (`sluice report` does, for files
 * large enough that the model will fit on a thread): the thread's isolate and modules load
 * while this thread loads its own and DuckDB reads, on the core that is otherwise idle then,
 * instead of competing later with the reads of the model frame. The next `quickModel` takes it;
 * {@link dropEarlyQuickModelThread} stops it when none did. This module imports no learner, so
 * the caller can load it before the report's modules.
 */
export function startEarlyQuickModelThread(): QuickModelThread {
  early ??= startQuickModelThread();
  return early;
}

/** The thread {@link startEarlyQuickModelThread} started, once (then it is the caller's). */
export function takeEarlyQuickModelThread(): QuickModelThread | undefined {
  const t = early;
  early = undefined;
  return t;
}

/** Stops an early thread that no report took. */
export function dropEarlyQuickModelThread(): void {
  const t = takeEarlyQuickModelThread();
  if (t) void t.thread.terminate();
}
