/**
 * Worker-thread entry of `histThreads.ts`: receives the plan once, then builds parts of the
 * histograms the trainer asks for, waiting on the shared control block in between.
 */
import { parentPort } from 'node:worker_threads';
import { type HistPlan, MemoryView } from './histParts.js';
import { histKernels } from './histKernels.js';
import { rowKernels } from './rowKernels.js';
import { ARG_PARTS, CMD, CMD_EXIT, CONTROL_INTS, claimParts, partWork, READY, SEQ } from './histThreads.js';

parentPort?.once('message', (plan: HistPlan) => {
  const c = new Int32Array(plan.memory.buffer, plan.control, CONTROL_INTS);
  const kernels = histKernels(plan.memory);
  const rowOps = rowKernels(plan.memory);
  const view = new MemoryView(plan.memory);
  let seen = Atomics.load(c, SEQ);
  Atomics.add(c, READY, 1);
  for (;;) {
    Atomics.wait(c, SEQ, seen);
    seen = Atomics.load(c, SEQ);
    if (c[CMD] === CMD_EXIT) break;
    try {
      claimParts(c, seen, c[ARG_PARTS]!, partWork(plan, kernels, rowOps, view, c));
    } catch {
      // claimParts flagged it in the control block; the trainer raises the error.
    }
  }
  parentPort!.close();
});
