/**
 * Worker-thread entry of AutoML training: receives the shared data once, then fit tasks, and
 * answers each with its result or failure. The only I/O in `src/ml` is this message port.
 */
import { parentPort } from 'node:worker_threads';
import type { Frame, Target } from '../frame.js';
import { type FitTask, runFitTask, toFailure } from './fitTask.js';

let data: { frame: Frame; target: Target } | null = null;

parentPort?.on('message', (msg: { type: 'data'; frame: Frame; target: Target } | { type: 'task'; task: FitTask }) => {
  if (msg.type === 'data') {
    data = { frame: msg.frame, target: msg.target };
    return;
  }
  try {
    if (!data) throw new Error('worker received a task before its data');
    const result = runFitTask(data.frame, data.target, msg.task);
    parentPort!.postMessage(
      { type: 'result', result },
      result.outputs.map((o) => o.buffer as ArrayBuffer),
    );
  } catch (e) {
    parentPort!.postMessage({ type: 'failure', failure: toFailure(msg.task.id, e) });
  }
});
