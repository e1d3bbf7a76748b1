/**
 * Runs fit tasks on worker threads, one task per worker at a time, in submission order.
 *
 * The data are copied once into SharedArrayBuffers and posted to every worker, so workers
 * share one copy and tasks carry only row indices. A task that outlives its hard timeout, or a
 * worker that crashes, costs that worker: it is terminated and replaced, and the task fails
 * with a SluiceError. `abort()` terminates everything (cancellation).
 *
 * Workers start on `worker.ts`/`worker.js` through {@link spawnModuleWorker}. Size 0 runs tasks
 * inline on the calling thread (one at a time, yielding to the event loop between tasks).
 */
import type { Worker } from 'node:worker_threads';
import { SluiceError } from '../../core/errors.js';
import type { Feature, Frame, Target } from '../frame.js';
import { spawnModuleWorker } from '../spawnModuleWorker.js';
import { type FitFailure, type FitResult, type FitTask, runFitTask, toFailure } from './fitTask.js';

interface Pending {
  task: FitTask;
  hardTimeoutMs: number | undefined;
  resolve: (r: FitResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;
  private readonly shared: { frame: Frame; target: Target };

  constructor(
    readonly size: number,
    frame: Frame,
    target: Target,
  ) {
    this.shared = size > 0 ? { frame: shareFrame(frame), target: shareTarget(target) } : { frame, target };
    for (let i = 0; i < size; i++) this.slots.push({ worker: this.spawn(), job: null, timer: null });
  }

  /** Runs a task; resolves with its result, rejects with a SluiceError. */
  run(task: FitTask, hardTimeoutMs?: number): Promise<FitResult> {
    if (this.closed) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      this.queue.push({ task, hardTimeoutMs, resolve, reject });
      this.pump();
    });
  }

  /** Puts a task at the front of the queue (to finish a started candidate before new ones). */
  runFirst(task: FitTask, hardTimeoutMs?: number): Promise<FitResult> {
    if (this.closed) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      this.queue.unshift({ task, hardTimeoutMs, resolve, reject });
      this.pump();
    });
  }

  /** Number of tasks queued or running. */
  get load(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length + (this.inlineBusy ? 1 : 0);
  }

  /** Stops all workers; queued and running tasks reject with ML_CANCELLED. */
  abort(): void {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(cancelled());
    for (const s of this.slots) {
      if (s.timer) clearTimeout(s.timer);
      s.job?.reject(cancelled());
      s.job = null;
      void s.worker.terminate();
    }
  }

  /** Stops the workers once the caller is done (no task should be pending). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private inlineBusy = false;

  private pump(): void {
    if (this.size === 0) {
      if (this.inlineBusy) return;
      const job = this.queue.shift();
      if (!job) return;
      this.inlineBusy = true;
      setImmediate(() => {
        try {
          if (this.closed) job.reject(cancelled());
          else job.resolve(runFitTask(this.shared.frame, this.shared.target, job.task));
        } catch (e) {
          job.reject(failureError(toFailure(job.task.id, e)));
        }
        this.inlineBusy = false;
        this.pump();
      });
      return;
    }
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      if (job.hardTimeoutMs !== undefined) {
        slot.timer = setTimeout(() => this.replace(slot, timeoutError(job.task)), job.hardTimeoutMs);
      }
      slot.worker.postMessage({ type: 'task', task: job.task });
    }
  }

  private spawn(): Worker {
    const worker = spawnModuleWorker(import.meta.url, 'worker');
    worker.postMessage({ type: 'data', frame: this.shared.frame, target: this.shared.target });
    worker.on('message', (msg: { type: 'result'; result: FitResult } | { type: 'failure'; failure: FitFailure }) => {
      const slot = this.slots.find((s) => s.worker === worker);
      if (!slot?.job) return;
      const job = slot.job;
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      slot.job = null;
      if (msg.type === 'result') job.resolve(msg.result);
      else job.reject(failureError(msg.failure));
      this.pump();
    });
    worker.on('error', (e) => {
      const slot = this.slots.find((s) => s.worker === worker);
      if (slot) this.replace(slot, new SluiceError('ML_WORKER_CRASHED', `a training worker crashed: ${e.message}`, { httpStatus: 500, cause: e }));
    });
    return worker;
  }

  private replace(slot: Slot, error: SluiceError): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const job = slot.job;
    slot.job = null;
    void slot.worker.terminate();
    if (!this.closed) slot.worker = this.spawn();
    job?.reject(error);
    this.pump();
  }
}

function cancelled(): SluiceError {
  return new SluiceError('ML_CANCELLED', 'training was cancelled', { httpStatus: 409 });
}

function timeoutError(task: FitTask): SluiceError {
  return new SluiceError('ML_TASK_TIMEOUT', `${task.learner} did not finish within the time limit`, { httpStatus: 500 });
}

function failureError(f: FitFailure): SluiceError {
  return new SluiceError(f.error.code, f.error.message, f.error.hint ? { hint: f.error.hint } : {});
}

function shareFloat(a: Float64Array): Float64Array {
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

function shareInt(a: Int32Array): Int32Array {
  const s = new Int32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/** A copy of the frame in SharedArrayBuffers: posting it to a worker shares, not copies. */
function shareFrame(frame: Frame): Frame {
  return {
    nRows: frame.nRows,
    features: frame.features.map((f): Feature => (f.kind === 'numeric' ? { ...f, values: shareFloat(f.values) } : { ...f, codes: shareInt(f.codes) })),
  };
}

function shareTarget(t: Target): Target {
  return t.kind === 'classification' ? { ...t, codes: shareInt(t.codes) } : { ...t, values: shareFloat(t.values) };
}
