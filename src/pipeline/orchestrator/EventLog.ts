import type { Logger } from 'pino';
import { SluiceError } from '../../core/errors.js';
import type { ExecutionEvent, NewEvent } from '../events.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';

const RESULTS = new Set<string>(['ActivitySucceeded', 'ActivityFailed', 'ExecutionPaused']);

/** A pause that was resumed since is no longer the attempt's result (the attempt runs again). */
function isResumed(history: readonly ExecutionEvent[], e: ExecutionEvent): boolean {
  return e.type === 'ExecutionPaused' && history.some((r) => r.type === 'ExecutionResumed' && r.seq > e.seq);
}

/**
 * The write side of an execution's history: every event the orchestrator records goes through
 * here, and is logged (pino) and handed to `onEvent` (the live console, tests) once recorded.
 */
export class EventLog {
  constructor(
    readonly store: ExecutionStore,
    private readonly log: Logger,
    private readonly onEvent?: (e: ExecutionEvent) => void,
  ) {}

  /** Appends the planner's records if the history still ends at `lastSeq` (else null: plan again). */
  async appendPlanned(
    id: string,
    events: readonly NewEvent[],
    lastSeq: number,
    changes: Parameters<ExecutionStore['append']>[3] = {},
  ): Promise<ExecutionEvent[] | null> {
    const appended = await this.store.append(id, events, lastSeq, changes);
    if (appended) this.emit(appended);
    return appended;
  }

  /** Appends events that record things that happened (results), whatever else was appended meanwhile. */
  async appendFacts(id: string, events: NewEvent[], changes: { status?: 'waiting' } = {}): Promise<boolean> {
    for (let i = 0; i < 100; i++) {
      const last = await this.store.lastSeq(id);
      if (last < 0) throw new SluiceError('EXECUTION_NOT_FOUND', `no execution ${id}`, { httpStatus: 404 });
      if (await this.appendPlanned(id, events, last, changes)) return true;
    }
    throw new SluiceError('STORE_CONTENTION', `could not record events for ${id}`);
  }

  /**
   * Records an attempt's result (`ActivitySucceeded`, `ActivityFailed`, `ExecutionPaused`) unless
   * the attempt has one already: two workers that ran the same attempt (a lease that lapsed while
   * its worker was alive but stalled) record one result between them.
   */
  async appendResult(id: string, event: NewEvent & { step: string }): Promise<boolean> {
    for (let i = 0; i < 100; i++) {
      const last = await this.store.lastSeq(id);
      if (last < 0) throw new SluiceError('EXECUTION_NOT_FOUND', `no execution ${id}`, { httpStatus: 404 });
      const history = await this.store.events(id);
      const attempt = event.data.attempt;
      if (history.some((e) => e.step === event.step && e.data.attempt === attempt && RESULTS.has(e.type) && !isResumed(history, e))) return false;
      if (await this.appendPlanned(id, [event], last)) return true;
    }
    throw new SluiceError('STORE_CONTENTION', `could not record events for ${id}`);
  }

  private emit(events: ExecutionEvent[]): void {
    for (const e of events) {
      this.log.info({ executionId: e.executionId, seq: e.seq, event: e.type, step: e.step }, `${e.type}${e.step ? ` ${e.step}` : ''}`);
      this.onEvent?.(e);
    }
  }
}
