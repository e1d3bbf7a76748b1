/**
 * Worker-thread entry of the report's quick model: receives one frame, answers with the quick
 * model (or the error) and exits. The only I/O here is the message port.
 */
import { parentPort } from 'node:worker_threads';
import type { Frame, Target } from '../../ml/frame.js';
import type { ProblemType } from '../targetStats.js';
import { quickModelOfFrame } from './quickModelOfFrame.js';

export interface QuickModelJob {
  frame: Frame;
  target: Target;
  problemType: ProblemType;
  sampled: boolean;
}

parentPort?.once('message', (job: QuickModelJob) => {
  try {
    parentPort!.postMessage({ result: quickModelOfFrame(job.frame, job.target, job.problemType, job.sampled) });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
  parentPort!.close();
});
