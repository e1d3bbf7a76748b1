import type { Worker } from 'node:worker_threads';
import { SluiceError } from '../../core/errors.js';
import { spawnModuleWorker } from '../../ml/spawnModuleWorker.js';
import type { ModelSectionInput } from '../reportPlugins.js';
import type { QuickModel } from '../reportSchema.js';
import { loadModelData } from './loadModelData.js';
import { fitQuickModel, quickModelJob } from './quickModelOfFrame.js';

export { noBetterThanBaseline, QUICK_MODEL_MAX_TRAIN } from './quickModelOfFrame.js';

/**
 * Frames from this many rows up train on a worker thread: there the fit takes longer than
 * starting a thread, and the report's statistics run in DuckDB meanwhile. Below, it trains inline.
 */
export const QUICK_MODEL_WORKER_ROWS = 10_000;

/**
 * The quick model plug-in (see `quickModelOfFrame`): reads the model frame shared with
 * prediction power (started here when the report calls this first), splits it on this thread
 * (the bounded training sample and the baseline are the worker's), and fits on a worker thread for frames of {@link QUICK_MODEL_WORKER_ROWS} rows or more. When
 * the input says the frame will be that large, the thread is started before the frame is read,
 * so that starting it overlaps the read. Same computation and seed either way, so the same result.
 */
export async function quickModel(input: ModelSectionInput): Promise<QuickModel | undefined> {
  if (!input.target) return undefined;
  const expected = input.rows === undefined ? 0 : input.rows - input.target.missing;
  let worker = expected >= QUICK_MODEL_WORKER_ROWS ? startWorker() : undefined;
  try {
    const data = await loadModelData(input);
    const job = quickModelJob(data.frame, data.target!, input.target.problemType, data.sampled);
    if (!job || data.frame.nRows < QUICK_MODEL_WORKER_ROWS) {
      if (worker) void worker.thread.terminate();
      return job ? fitQuickModel(job) : undefined;
    }
    worker ??= startWorker();
    worker.thread.postMessage(job);
    return await worker.answer;
  } catch (e) {
    if (worker) void worker.thread.terminate();
    throw e;
  }
}

/** A quick-model worker thread, listening from its start (an early error is its answer, never an unhandled event). */
function startWorker(): { thread: Worker; answer: Promise<QuickModel> } {
  const thread = spawnModuleWorker(import.meta.url, 'quickModelWorker');
  // A report that fails meanwhile does not wait for the fit to end.
  thread.unref();
  const answer = new Promise<QuickModel>((resolve, reject) => {
    const fail = (why: string) =>
      reject(
        new SluiceError('REPORT_QUICK_MODEL_FAILED', `the quick model failed: ${why}`, { hint: 'rerun the report; if it fails again, report it as a bug' }),
      );
    thread.once('message', (m: { result?: QuickModel; error?: string }) =>
      m.error === undefined && m.result ? resolve(m.result) : fail(m.error ?? 'no answer'),
    );
    thread.once('error', (e) => fail(e.message));
    thread.once('exit', (code) => fail(`its thread exited with code ${code} before answering`));
  });
  // Handled here: a worker terminated unused rejects, and only a posted job's answer is awaited.
  answer.catch(() => {});
  return { thread, answer };
}
