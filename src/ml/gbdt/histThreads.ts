/**
 * Worker threads that build parts of each histogram (see `histParts.ts`) on the shared memory,
 * driven through an `Int32Array` control block with `Atomics.wait`/`notify` (no message per node,
 * so a node costs a wake-up, not a structured clone):
 *
 * 1. each worker receives the plan once, instantiates the kernels and counts itself in `READY`;
 * 2. per histogram the trainer writes the arguments, resets `DONE` and `NEXT`, bumps `SEQ` and
 *    wakes the workers; then every thread, the trainer included, claims parts from `NEXT` until
 *    none is left, and the trainer sleeps until `DONE` counts every part;
 * 3. `EXIT` as the command ends the workers.
 *
 * A claim carries the command's sequence number (`NEXT = seq << 8 | part`), so a worker that
 * wakes late, after the trainer built every part itself and moved on, claims nothing. On a busy
 * machine the trainer thus never waits for a worker that has not started: it builds the parts
 * no one took. The histogram is the same whoever builds which part, so the trees do not depend
 * on the thread count, the machine's load or how fast the workers started.
 */
import type { Worker } from 'node:worker_threads';
import { SluiceError } from '../../core/errors.js';
import { spawnModuleWorker } from '../spawnModuleWorker.js';
import { buildPart, type HistPlan, type MemoryView } from './histParts.js';
import type { HistKernels } from './histKernels.js';

/** Indices into the control block. */
export const SEQ = 0;
export const DONE = 1;
export const READY = 2;
export const FAILED = 3;
export const CMD = 4;
export const NEXT = 5;
export const ARG_HIST = 6;
export const ARG_START = 7;
export const ARG_END = 8;
export const ARG_GH = 9;
export const CONTROL_INTS = 16;

export const CMD_HIST = 1;
export const CMD_EXIT = 2;

/** Cells (rows x features) from which a histogram is shared with the workers. */
const MIN_SHARED_CELLS = 100_000;
/** How long the trainer waits for a part a worker claimed before it gives up. */
const WORKER_TIMEOUT_MS = 600_000;

/**
 * Claims and builds parts of command `seq` until none is left; returns how many it built.
 * Used by the trainer and by the workers alike.
 */
export function claimParts(c: Int32Array, seq: number, plan: HistPlan, kernels: HistKernels, view: MemoryView): number {
  const tag = (seq & 0x7fffff) << 8;
  const hist = c[ARG_HIST]!;
  const start = c[ARG_START]!;
  const end = c[ARG_END]!;
  const gh = c[ARG_GH]!;
  let built = 0;
  for (;;) {
    const v = Atomics.load(c, NEXT);
    if ((v & ~0xff) !== tag || (v & 0xff) >= plan.parts.length) return built;
    if (Atomics.compareExchange(c, NEXT, v, v + 1) !== v) continue;
    try {
      buildPart(plan, kernels, view, v & 0xff, hist, start, end, gh);
    } catch (e) {
      Atomics.store(c, FAILED, 1);
      throw e;
    } finally {
      // Counted even when it failed, so the trainer wakes up and reports the failure.
      if (Atomics.add(c, DONE, 1) + 1 === plan.parts.length) Atomics.notify(c, DONE);
    }
    built++;
  }
}

export class HistThreads {
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array;
  /** Parts of histograms the workers built (the rest the trainer built). */
  workerParts = 0;

  constructor(
    private readonly plan: HistPlan,
    private readonly kernels: HistKernels,
    private readonly view: MemoryView,
    threads: number,
  ) {
    this.control = new Int32Array(plan.memory.buffer, plan.control, CONTROL_INTS);
    for (let t = 1; t < threads; t++) {
      const worker = spawnModuleWorker(import.meta.url, 'histWorker');
      worker.unref();
      // A worker that fails to start never counts itself ready: the trainer builds the parts.
      worker.on('error', () => {});
      worker.postMessage(plan);
      this.workers.push(worker);
    }
  }

  /** Builds every part of the histogram at byte `hist` (see `buildPart`). */
  build(hist: number, start: number, end: number, gh: number): void {
    const { plan, control: c } = this;
    const nParts = plan.parts.length;
    const shared = this.workers.length > 0 && (end - start) * plan.nFeatures >= MIN_SHARED_CELLS && Atomics.load(c, READY) > 0 && Atomics.load(c, FAILED) === 0;
    if (!shared) {
      for (let t = 0; t < nParts; t++) buildPart(plan, this.kernels, this.view, t, hist, start, end, gh);
      return;
    }
    const seq = (c[SEQ]! + 1) & 0x7fffff;
    c[CMD] = CMD_HIST;
    c[ARG_HIST] = hist;
    c[ARG_START] = start;
    c[ARG_END] = end;
    c[ARG_GH] = gh;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, NEXT, seq << 8);
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    this.workerParts += nParts - claimParts(c, seq, plan, this.kernels, this.view);
    for (let done = Atomics.load(c, DONE); done < nParts; done = Atomics.load(c, DONE)) {
      if (Atomics.wait(c, DONE, done, WORKER_TIMEOUT_MS) === 'timed-out') {
        throw new SluiceError('ML_TRAIN_FAILED', `gbdt: a histogram worker thread did not answer in ${WORKER_TIMEOUT_MS / 1000} s`, {
          hint: 'train with threads: 1',
        });
      }
    }
    if (Atomics.load(c, FAILED) !== 0) {
      throw new SluiceError('ML_TRAIN_FAILED', 'gbdt: a histogram worker thread failed', { hint: 'train with threads: 1' });
    }
  }

  /** Ends the workers (they hold no state worth keeping). */
  close(): void {
    const c = this.control;
    c[CMD] = CMD_EXIT;
    Atomics.store(c, SEQ, (c[SEQ]! + 1) & 0x7fffff);
    Atomics.notify(c, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
