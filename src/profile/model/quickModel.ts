import { SluiceError } from '../../core/errors.js';
import { spawnModuleWorker } from '../../ml/spawnModuleWorker.js';
import type { ModelSectionInput } from '../reportPlugins.js';
import type { QuickModel } from '../reportSchema.js';
import { loadModelData } from './loadModelData.js';
import { quickModelOfFrame } from './quickModelOfFrame.js';
import type { QuickModelJob } from './quickModelWorker.js';

export { noBetterThanBaseline, QUICK_MODEL_MAX_TRAIN } from './quickModelOfFrame.js';

/**
 * Frames from this many rows up train on a worker thread: there the fit takes longer than
 * starting a thread, and the report's statistics run in DuckDB meanwhile. Below, it trains inline.
 */
export const QUICK_MODEL_WORKER_ROWS = 10_000;

/**
 * The quick model plug-in (see {@link quickModelOfFrame}): reads the model frame shared with
 * prediction power, then fits on a worker thread for frames of {@link QUICK_MODEL_WORKER_ROWS}
 * rows or more. Same computation and seed either way, so the same result.
 */
export async function quickModel(input: ModelSectionInput): Promise<QuickModel | undefined> {
  if (!input.target) return undefined;
  const data = await loadModelData(input);
  const job: QuickModelJob = { frame: data.frame, target: data.target!, problemType: input.target.problemType, sampled: data.sampled };
  if (data.frame.nRows < QUICK_MODEL_WORKER_ROWS) return quickModelOfFrame(job.frame, job.target, job.problemType, job.sampled);
  return onWorker(job);
}

function onWorker(job: QuickModelJob): Promise<QuickModel | undefined> {
  return new Promise((resolve, reject) => {
    const worker = spawnModuleWorker(import.meta.url, 'quickModelWorker');
    // A report that fails meanwhile does not wait for the fit to end.
    worker.unref();
    const fail = (why: string) =>
      reject(
        new SluiceError('REPORT_QUICK_MODEL_FAILED', `the quick model failed: ${why}`, { hint: 'rerun the report; if it fails again, report it as a bug' }),
      );
    worker.once('message', (m: { result?: QuickModel; error?: string }) => (m.error === undefined ? resolve(m.result) : fail(m.error)));
    worker.once('error', (e) => fail(e.message));
    worker.once('exit', (code) => fail(`its thread exited with code ${code} before answering`));
    worker.postMessage(job);
  });
}
