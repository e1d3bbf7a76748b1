/**
 * Worker threads that build parts of each histogram (see `histParts.ts`) on the shared memory,
 * driven through an `Int32Array` control block with `Atomics.wait`/`notify` (no message per node,
 * so a node costs a wake-up, not a structured clone):
 *
 * 1. each worker receives the plan once, instantiates the kernels and counts itself in `READY`;
 * 2. per histogram the trainer writes the arguments, resets `DONE` and `NEXT`, bumps `SEQ` and
 *    wakes the workers; then every thread, the trainer included, claims parts from `NEXT` until
 *    none is left, and the trainer sleeps until `DONE` counts every part;
 * 3. `GRAD` shares the iteration's gradients the same way, by ranges of rows (one a thread);
 * 4. `PART` splits a big node's rows, each half by one thread (see `partition`);
 * 5. `ROOTS` builds the iteration's root histograms of every class, half of the rows a thread
 *    (see `roots`);
 * 6. `EXIT` as the command ends the workers.
 *
 * A big histogram is two halves of rows, one a thread (see `splitsRows`), so the second thread
 * reads other rows instead of the same rows' other features; smaller ones that are still worth
 * sharing (many features) go by feature ranges.
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
import { buildPart, buildRootsPart, buildsRoots, type HistPlan, type MemoryView, mergeHalves, mergeRoots, splitsRows } from './histParts.js';
import type { HistKernels } from './histKernels.js';
import { computeGradients } from './loss.js';
import { type RootKernels, rootKernels } from './rootKernels.js';
import type { RowKernels } from './rowKernels.js';

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
/** Parts of the command. */
export const ARG_PARTS = 10;
/** 1 when a histogram is built in two halves of rows (see `splitsRows`). */
export const ARG_HALVES = 11;
/** Where each half of a split node's rows splits (`PART`: two results). */
export const RES_MID = 12;
export const CONTROL_INTS = 16;

export const CMD_HIST = 1;
export const CMD_EXIT = 2;
export const CMD_GRAD = 3;
export const CMD_PART = 4;
export const CMD_ROOTS = 5;

/** Cells (rows x features) from which a histogram is shared with the workers. */
const MIN_SHARED_CELLS = 100_000;
/** Rows x raw-score columns from which gradients are shared with the workers. */
const MIN_SHARED_ROWS = 20_000;
/** Rows of a node from which the threads split its rows, half each. */
const MIN_SHARED_PARTITION = 50_000;
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
export function partWork(plan: HistPlan, kernels: HistKernels, rowOps: RowKernels, view: MemoryView, c: Int32Array): (t: number) => void {
  const [a, b, x, gh] = [c[ARG_HIST]!, c[ARG_START]!, c[ARG_END]!, c[ARG_GH]!];
  if (c[CMD] === CMD_PART) {
    // a: the feature; each half of rows [b, x) split stably through its own stretch of scratch.
    const { bins, scratch, table } = plan.partition;
    const col = bins + a * plan.gradients.n;
    const mid = b + ((x - b) >> 1);
    return (t) => {
      const [s, e] = t === 0 ? [b, mid] : [mid, x];
      c[RES_MID + t] = rowOps.partition(plan.rows, s, e, col, table, scratch + s * 4);
    };
  }
  if (c[CMD] === CMD_ROOTS) {
    // x: the rows (all of them); gh: the gradient pairs of every class.
    const kernels = rootKernelsOf(plan);
    return (t) => buildRootsPart(plan, kernels, view, t, x, gh);
  }
  if (c[CMD] === CMD_GRAD) {
    // a: rows in the sample (b = 1) or all rows (b = 0).
    const g = plan.gradients;
    const P = c[ARG_PARTS]!;
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
  const halves = c[ARG_HALVES] === 1;
  return (t) => buildPart(plan, kernels, view, t, a, b, x, gh, halves);
}

let roots: { memory: WebAssembly.Memory; kernels: RootKernels } | null = null;

/** The root kernels on the plan's memory, instantiated once per memory in each thread. */
function rootKernelsOf(plan: HistPlan): RootKernels {
  if (roots?.memory !== plan.memory) roots = { memory: plan.memory, kernels: rootKernels(plan.memory, plan.roots!.K) };
  return roots.kernels;
}

export class HistThreads {
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array;
  private readonly rows: Uint32Array;
  private readonly scratch: Uint32Array;
  /** Parts of histograms the workers built (the rest the trainer built). */
  workerParts = 0;
  /** Whether the plan's root counts are filled (see `roots`). */
  private counted = false;

  constructor(
    private readonly plan: HistPlan,
    private readonly kernels: HistKernels,
    private readonly rowOps: RowKernels,
    private readonly view: MemoryView,
    threads: number,
  ) {
    this.control = new Int32Array(plan.memory.buffer, plan.control, CONTROL_INTS);
    this.rows = new Uint32Array(plan.memory.buffer, plan.rows, plan.gradients.n);
    this.scratch = new Uint32Array(plan.memory.buffer, plan.partition.scratch, plan.gradients.n);
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
    const halves = splitsRows(this.plan, end - start);
    const big = halves || (end - start) * this.plan.nFeatures >= MIN_SHARED_CELLS;
    this.control[ARG_HALVES] = halves ? 1 : 0;
    this.run(CMD_HIST, hist, start, end, gh, big, halves ? 2 : this.plan.parts.length);
    if (halves) mergeHalves(this.plan, this.view, hist);
  }

  /**
   * The root histograms of every class from all `n` rows at the byte addresses `targets`, from
   * the gradient pairs at byte `gh` (see `buildRootsPart`), when `buildsRoots` says so; returns
   * whether it built them.
   */
  roots(targets: number[], n: number, gh: number): boolean {
    const { plan } = this;
    if (!buildsRoots(plan, n) || targets.length !== plan.roots!.K) return false;
    if (!this.counted) {
      countSlots(plan, n);
      this.counted = true;
    }
    new Uint32Array(plan.memory.buffer, plan.roots!.args, targets.length).set(targets);
    this.run(CMD_ROOTS, 0, 0, n, gh, true, 2);
    mergeRoots(plan, this.view);
    return true;
  }

  /**
   * Gradients of every raw-score column (see `computeGradients`) into the pairs at byte `gh`:
   * of the first `m` rows of the plan's sample list, or of all `m` rows when `sampled` is false.
   */
  gradients(m: number, sampled: boolean, gh: number): void {
    this.run(CMD_GRAD, m, sampled ? 1 : 0, 0, gh, m * this.plan.gradients.K >= MIN_SHARED_ROWS, this.workers.length + 1);
  }

  /**
   * Splits rows `[start, end)` of the partition stably by feature `f` and the split's table
   * (already in the plan's table): rows going left first; returns where the others start. A
   * big node is split in two halves, one a thread, then the first half's right rows and the
   * second half's left rows swap places (the same order as splitting it whole).
   */
  partition(f: number, start: number, end: number): number {
    const { plan, control: c } = this;
    const big = end - start >= MIN_SHARED_PARTITION;
    if (!big || !this.sharing()) {
      const { bins, scratch, table } = plan.partition;
      return this.rowOps.partition(plan.rows, start, end, bins + f * plan.gradients.n, table, scratch);
    }
    this.run(CMD_PART, f, start, end, 0, true, 2);
    const mid = start + ((end - start) >> 1);
    const l0 = c[RES_MID]!;
    const l1 = c[RES_MID + 1]!;
    // [start, l0) left, [l0, mid) right | [mid, l1) left, [l1, end) right: swap the middle two.
    const rows = this.rows;
    const tmp = this.scratch;
    const right0 = mid - l0;
    const left1 = l1 - mid;
    if (right0 <= left1) {
      tmp.set(rows.subarray(l0, mid));
      rows.copyWithin(l0, mid, l1);
      rows.set(tmp.subarray(0, right0), l0 + left1);
    } else {
      tmp.set(rows.subarray(mid, l1));
      rows.copyWithin(l0 + left1, l0, mid);
      rows.set(tmp.subarray(0, left1), l0);
    }
    return l0 + left1;
  }

  /** Whether a command can be shared: a worker is ready and none failed. */
  private sharing(): boolean {
    const c = this.control;
    return this.workers.length > 0 && Atomics.load(c, READY) > 0 && Atomics.load(c, FAILED) === 0;
  }

  /**
   * Runs command `cmd` in `nParts` parts, shared with the workers when `big` and one is ready
   * (gradients unshared in one part: any split of the rows gives the same).
   */
  private run(cmd: number, a: number, b: number, x: number, gh: number, big: boolean, parts: number): void {
    const { plan, control: c } = this;
    const shared = big && this.sharing();
    c[CMD] = cmd;
    c[ARG_HIST] = a;
    c[ARG_START] = b;
    c[ARG_END] = x;
    c[ARG_GH] = gh;
    const nParts = !shared && cmd === CMD_GRAD ? 1 : parts;
    c[ARG_PARTS] = nParts;
    const work = partWork(plan, this.kernels, this.rowOps, this.view, c);
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

/** The rows of each histogram slot over all `n` rows (`f64`, at the plan's `roots.counts`). */
function countSlots(plan: HistPlan, n: number): void {
  const F = plan.nFeatures;
  const nSlots = plan.offsets[F]!;
  const slots = new Uint16Array(plan.memory.buffer, plan.slots, n * F);
  const tally = new Float64Array(nSlots);
  for (let i = 0; i < n * F; i++) tally[slots[i]!]!++;
  new Float64Array(plan.memory.buffer, plan.roots!.counts, nSlots).set(tally);
}
