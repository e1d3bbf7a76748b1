import type { ModelSectionInput } from '../reportPlugins.js';
import type { QuickModel } from '../reportSchema.js';
import { loadModelData } from './loadModelData.js';
import { fitQuickModel, quickModelBaseline, quickModelJob, withBaseline } from './quickModelOfFrame.js';
import { startQuickModelThread, takeEarlyQuickModelThread } from './quickModelThread.js';

export { noBetterThanBaseline, QUICK_MODEL_MAX_TRAIN } from './quickModelOfFrame.js';

/**
 * Frames from this many rows up train on a worker thread: there the fit takes longer than
 * starting a thread, and the report's statistics run in DuckDB meanwhile. Below, it trains inline.
 */
export const QUICK_MODEL_WORKER_ROWS = 10_000;

/**
 * The quick model plug-in (see `quickModelOfFrame`): reads the model frame shared with
 * prediction power (started here when the report calls this first), splits it on this thread
 * (the bounded training sample is the worker's; the baseline is computed here meanwhile), and fits on a worker thread for frames of {@link QUICK_MODEL_WORKER_ROWS} rows or more. When
 * the input says the frame will be that large, the thread is started before the frame is read,
 * so that starting it overlaps the read. Same computation and seed either way, so the same result.
 */
export async function quickModel(input: ModelSectionInput): Promise<QuickModel | undefined> {
  if (!input.target) return undefined;
  const expected = input.rows === undefined ? 0 : input.rows - input.target.missing;
  // A thread started before the data was read (see startEarlyQuickModelThread), else one started now.
  let worker = takeEarlyQuickModelThread() ?? (expected >= QUICK_MODEL_WORKER_ROWS ? startQuickModelThread() : undefined);
  try {
    const data = await loadModelData(input);
    const job = quickModelJob(data.frame, data.target!, input.target.problemType, data.sampled);
    if (!job || data.frame.nRows < QUICK_MODEL_WORKER_ROWS) {
      if (worker) void worker.thread.terminate();
      return job ? withBaseline(fitQuickModel(job), quickModelBaseline(job)) : undefined;
    }
    worker ??= startQuickModelThread();
    worker.thread.postMessage(job);
    // The baseline on this thread while the worker fits.
    const baseline = quickModelBaseline(job);
    return withBaseline(await worker.answer, baseline);
  } catch (e) {
    if (worker) void worker.thread.terminate();
    throw e;
  }
}
