/**
 * Worker threads that build parts of each histogram (see `histParts.ts`) on the shared memory,
 * driven through an `Int32Array` control block with `Atomics.wait`/`notify` (no message per node,
 * so a node costs a wake-up, not a structured clone):
 *
 * 1. each worker receives the plan once, instantiates the kernels and counts itself in `READY`;
 * 2. per histogram the trainer writes the arguments, resets `DONE` and `NEXT`, bumps `SEQ` and
 *    wakes the workers; then every thread, the trainer included, claims parts from `NEXT` until
 *    none is left, and the trainer sleeps until `DONE` counts every part;
 * 3. `GRAD` shares the iteration's gradients the same way, by ranges of rows;
 * 4. `EXIT` as the command ends the workers.
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
import { gradientKernels } from './gradientKernels.js';
import { buildPart, type HistPlan, type MemoryView } from './histParts.js';
import type { HistKernels } from './histKernels.js';
import { computeGradients } from './loss.js';

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
export const CMD_GRAD = 3;

/** Cells (rows x features) from which a histogram is shared with the workers. */
const MIN_SHARED_CELLS = 100_000;
/** Rows x raw-score columns from which gradients are shared with the workers. */
const MIN_SHARED_ROWS = 20_000;
/** How long the trainer waits for a part a worker claimed before it gives up. */
const WORKER_TIMEOUT_MS = 600_000;

/**
 * Claims and does parts of command `seq` (`work(part)`) until none is left; returns how many it
 * did. Used by the trainer and by the workers alike.
 */
export function claimParts(c: Int32Array, seq: number, nParts: number, work: (part: number) => void): number {
  const tag = (seq & 0x7fffff) << 8;
  let built = 0;
  for (;;) {
    const v = Atomics.load(c, NEXT);
    if ((v & ~0xff) !== tag || (v & 0xff) >= nParts) return built;
    if (Atomics.compareExchange(c, NEXT, v, v + 1) !== v) continue;
    try {
      work(v & 0xff);
    } catch (e) {
      Atomics.store(c, FAILED, 1);
      throw e;
    } finally {
      // Counted even when it failed, so the trainer wakes up and reports the failure.
      if (Atomics.add(c, DONE, 1) + 1 === nParts) Atomics.notify(c, DONE);
    }
    built++;
  }
}

/** The work of part `t` of the command in the control block `c` (trainer and workers alike). */
export function partWork(plan: HistPlan, kernels: HistKernels, view: MemoryView, c: Int32Array): (t: number) => void {
  const [a, b, x, gh] = [c[ARG_HIST]!, c[ARG_START]!, c[ARG_END]!, c[ARG_GH]!];
  if (c[CMD] === CMD_GRAD) {
    // a: rows in the sample (b = 1) or all rows (b = 0).
    const g = plan.gradients;
    const P = plan.parts.length;
    if (g.loss === 'multiclass' && g.K === 3 && !g.yFloat) {
      const softmax = gradientKernels(plan.memory);
      return (t) => softmax.softmax3(g.raw, g.y, gh, g.n, g.sample, b, Math.floor((t * a) / P), Math.floor(((t + 1) * a) / P));
    }
    const sample = b === 1 ? new Uint32Array(plan.memory.buffer, g.sample, a) : null;
    const raw = new Float64Array(plan.memory.buffer, g.raw, g.K * g.n);
    const y = g.yFloat ? new Float64Array(plan.memory.buffer, g.y, g.n) : new Int32Array(plan.memory.buffer, g.y, g.n);
    const ghAll = new Float32Array(plan.memory.buffer, gh, g.K * 2 * g.n);
    return (t) => computeGradients(g.loss, raw, y, g.K, ghAll, sample, Math.floor((t * a) / P), Math.floor(((t + 1) * a) / P));
  }
  return (t) => buildPart(plan, kernels, view, t, a, b, x, gh);
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
    this.run(CMD_HIST, hist, start, end, gh, (end - start) * this.plan.nFeatures >= MIN_SHARED_CELLS);
  }

  /**
   * Gradients of every raw-score column (see `computeGradients`) into the pairs at byte `gh`:
   * of the first `m` rows of the plan's sample list, or of all `m` rows when `sampled` is false.
   */
  gradients(m: number, sampled: boolean, gh: number): void {
    this.run(CMD_GRAD, m, sampled ? 1 : 0, 0, gh, m * this.plan.gradients.K >= MIN_SHARED_ROWS);
  }

  private run(cmd: number, a: number, b: number, x: number, gh: number, big: boolean): void {
    const { plan, control: c } = this;
    const nParts = plan.parts.length;
    c[CMD] = cmd;
    c[ARG_HIST] = a;
    c[ARG_START] = b;
    c[ARG_END] = x;
    c[ARG_GH] = gh;
    const work = partWork(plan, this.kernels, this.view, c);
    const shared = this.workers.length > 0 && big && Atomics.load(c, READY) > 0 && Atomics.load(c, FAILED) === 0;
    if (!shared) {
      for (let t = 0; t < nParts; t++) work(t);
      return;
    }
    const seq = (c[SEQ]! + 1) & 0x7fffff;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, NEXT, seq << 8);
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    this.workerParts += nParts - claimParts(c, seq, nParts, work);
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
