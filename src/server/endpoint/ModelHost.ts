import { SluiceError } from '../../core/errors.js';
import type { Predictor } from './Predictor.js';

/** A predictor together with the requests currently using it. */
interface Slot {
  readonly predictor: Predictor;
  inflight: number;
  retired: boolean;
}

/** Why the host serves another version than the registry's champion (see followChampion). */
export interface FallbackNote {
  /** The champion that could not be loaded. */
  champion: string;
  /** Its load error, as a person reads it. */
  reason: string;
  /** The version served instead, or undefined when none could be loaded (503). */
  serving: string | undefined;
}

/** A request's hold on one predictor; release it when the response is built. */
export interface Lease {
  readonly predictor: Predictor;
  release(): void;
}

/**
 * Holds the predictor the endpoint serves and swaps it atomically.
 *
 * A swap loads the new predictor completely (the slow part: reading the artifact, warming up)
 * while the old one keeps serving, then switches a single reference. A request takes a
 * {@link Lease} on the predictor current when it starts and uses only that one, so a response
 * is never computed by one version and labelled with another, and nothing in flight fails. The
 * old predictor is closed once its last lease is released. Loads are serialized: two swaps
 * issued together complete in order.
 *
 * @example
 * const host = new ModelHost();
 * await host.load(() => loadPredictor(await registry.get('readmission', 'champion')));
 * const lease = host.acquire(); // undefined while nothing is loaded (GET /ping answers 503)
 */
export class ModelHost {
  private slot: Slot | undefined;
  /** Set while the champion cannot be loaded: what `/ping` reports. */
  fallback: FallbackNote | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly swapListeners = new Set<(p: Predictor | undefined, previous: Predictor | undefined) => void>();

  /** The predictor new requests get, or undefined. */
  get current(): Predictor | undefined {
    return this.slot?.predictor;
  }

  /** Takes the current predictor for one request; undefined when no model is loaded. */
  acquire(): Lease | undefined {
    const slot = this.slot;
    if (!slot) return undefined;
    slot.inflight++;
    let released = false;
    return {
      predictor: slot.predictor,
      release: () => {
        if (released) return;
        released = true;
        slot.inflight--;
        if (slot.retired && slot.inflight === 0) void closeQuietly(slot.predictor);
      },
    };
  }

  /**
   * Loads a predictor with `loader` and makes it current. If the loader fails, the current
   * predictor keeps serving and the error is thrown to the caller.
   */
  load(loader: () => Predictor | Promise<Predictor>): Promise<Predictor> {
    const run = async (): Promise<Predictor> => {
      const next = await loader();
      checkPredictor(next);
      this.switchTo({ predictor: next, inflight: 0, retired: false });
      return next;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Stops serving: new requests get 503 until the next load. */
  unload(): Promise<void> {
    const p = this.queue.then(() => this.switchTo(undefined));
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Called after every switch with the new and the previous predictor. */
  onSwap(fn: (p: Predictor | undefined, previous: Predictor | undefined) => void): () => void {
    this.swapListeners.add(fn);
    return () => this.swapListeners.delete(fn);
  }

  private switchTo(next: Slot | undefined): void {
    const prev = this.slot;
    this.slot = next; // the one reference new requests read: the swap is this assignment
    if (prev) {
      prev.retired = true;
      if (prev.inflight === 0) void closeQuietly(prev.predictor);
    }
    for (const fn of this.swapListeners) fn(next?.predictor, prev?.predictor);
  }
}

async function closeQuietly(p: Predictor): Promise<void> {
  try {
    await p.close?.();
  } catch {
    // A predictor that fails to close must not take the server down; it is unreachable anyway.
  }
}

function checkPredictor(p: Predictor): void {
  if (!p || typeof p.predict !== 'function' || !Array.isArray(p.labels) || !Array.isArray(p.inputs) || p.labels.length === 0) {
    throw new SluiceError('PREDICTOR_INVALID', 'the loaded predictor does not have name, version, labels, inputs and predict()', {
      hint: 'a Predictor needs at least one label and the list of its input columns',
      httpStatus: 500,
    });
  }
}
