/**
 * Worker-thread entry of the report's quick model: receives one job (the 80/20 split's training
 * and held-out rows), answers with the fitted quick model, without its baseline (or the error) and exits. The only I/O
 * here is the message port.
 */
import { parentPort } from 'node:worker_threads';
import { fitQuickModel, type QuickModelJob } from './quickModelOfFrame.js';

parentPort?.once('message', (job: QuickModelJob) => {
  try {
    parentPort!.postMessage({ result: fitQuickModel(job) });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
  parentPort!.close();
});
