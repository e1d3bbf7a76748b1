import { randomUUID } from 'node:crypto';
import { migrate, type ProjectDb } from '../../state/openProjectDb.js';
import type { Prediction } from './Predictor.js';

export const PREDICTION_MIGRATIONS: readonly string[] = [
  `CREATE TABLE predictions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     request_id TEXT NOT NULL,
     record INTEGER NOT NULL,
     model TEXT NOT NULL,
     version TEXT NOT NULL,
     input TEXT NOT NULL,
     predicted_label TEXT NOT NULL,
     probabilities TEXT NOT NULL,
     -- Filled in later (by id or request_id + record) to compare prediction with outcome.
     actual TEXT
   );
   CREATE INDEX predictions_model ON predictions(model, version, at);
   CREATE INDEX predictions_request ON predictions(request_id, record);`,
];

export interface PredictionLogOptions {
  /** Fraction of requests logged, 0..1 (every record of a sampled request is logged). */
  sampleRate: number;
  /** Buffered rows are written every this many ms (default 100). */
  flushMs?: number;
  /**
   * Most rows written in one transaction (default 500): a larger backlog is written in several,
   * with the event loop free between them, so a flush never holds requests for long.
   */
  batchRows?: number;
  /**
   * Most rows waiting to be written (default 100,000). When the disk cannot keep up and the
   * queue is full, the records of newly sampled requests are not logged: they are counted
   * (`stats().dropped`, `sluice_prediction_log_rows_total{outcome="dropped"}`) and reported
   * through `onDrop`, never lost silently.
   */
  maxPending?: number;
  /** Told once per burst of drops (the first drop after rows were written again), with the totals. */
  onDrop?: (stats: PredictionLogStats) => void;
  /** Source of randomness for sampling (tests pass a deterministic one). */
  random?: () => number;
}

/** What the prediction log has done, for /metrics and for tests. */
export interface PredictionLogStats {
  /** Rows written to the `predictions` table. */
  written: number;
  /** Rows waiting in memory. */
  pending: number;
  /** Rows of sampled requests that were not logged because the queue was full or the process stopped with the disk failing. */
  dropped: number;
  /** Transactions that failed (their rows stay queued and are retried). */
  failedFlushes: number;
}

interface Row {
  at: string;
  requestId: string;
  record: number;
  model: string;
  version: string;
  input: string;
  label: string;
  probabilities: string;
}

/**
 * Sampled prediction logging to the `predictions` table, with the model name and version, so
 * what was predicted can later be joined with what happened.
 *
 * Off the request path: a request only appends to an in-memory queue; a timer writes the queue
 * in transactions of at most `batchRows` rows, yielding to the event loop between them. A
 * failed write keeps its rows queued for the next attempt (a locked database is retried, not
 * lost). The queue is bounded (`maxPending`): beyond it rows are dropped, counted and reported.
 * {@link close} writes everything left (the server calls it on shutdown, SIGTERM included).
 */
export class PredictionLog {
  private queue: Row[] = [];
  /** Index of the first row of `queue` not yet written. */
  private head = 0;
  private written = 0;
  private droppedRows = 0;
  private failedFlushes = 0;
  private dropReported = false;
  private draining = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly insert;
  private readonly random: () => number;
  private readonly batchRows: number;
  private readonly maxPending: number;

  constructor(
    private readonly db: ProjectDb,
    private readonly options: PredictionLogOptions,
  ) {
    if (!(options.sampleRate >= 0 && options.sampleRate <= 1)) throw new RangeError(`sampleRate must be within 0..1, got ${options.sampleRate}`);
    migrate(db, 'predictions', PREDICTION_MIGRATIONS);
    this.insert = db.prepare(
      'INSERT INTO predictions (at, request_id, record, model, version, input, predicted_label, probabilities) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.random = options.random ?? Math.random;
    this.batchRows = Math.max(1, options.batchRows ?? 500);
    this.maxPending = Math.max(1, options.maxPending ?? 100_000);
    this.timer = setInterval(() => this.drain(), options.flushMs ?? 100);
    this.timer.unref();
  }

  /** Logs a request's predictions if it is sampled; returns the request id when it was. */
  maybeLog(model: string, version: string, records: readonly Record<string, unknown>[], predictions: readonly Prediction[]): string | undefined {
    if (this.options.sampleRate <= 0 || this.random() >= this.options.sampleRate) return undefined;
    if (this.closed || this.pending + predictions.length > this.maxPending) {
      this.droppedRows += predictions.length;
      if (!this.dropReported) {
        this.dropReported = true;
        this.options.onDrop?.(this.stats());
      }
      return undefined;
    }
    const requestId = randomUUID();
    const at = new Date().toISOString();
    for (let i = 0; i < predictions.length; i++) {
      const p = predictions[i]!;
      this.queue.push({
        at,
        requestId,
        record: i,
        model,
        version,
        input: JSON.stringify(records[i] ?? {}),
        label: p.predicted_label,
        probabilities: JSON.stringify(p.probabilities),
      });
    }
    return requestId;
  }

  /**
   * Records what actually happened for a logged prediction (by the request id `maybeLog`
   * returned and the record's index), so predictions can be compared with outcomes. Returns
   * whether such a logged prediction exists.
   */
  recordActual(requestId: string, record: number, actual: string): boolean {
    this.flush();
    return this.db.prepare('UPDATE predictions SET actual = ? WHERE request_id = ? AND record = ?').run(actual, requestId, record).changes > 0;
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  stats(): PredictionLogStats {
    return { written: this.written, pending: this.pending, dropped: this.droppedRows, failedFlushes: this.failedFlushes };
  }

  /** Writes every queued row now, in one transaction per `batchRows`; throws if the database refuses (the rows stay queued). */
  flush(): void {
    while (this.pending > 0) this.writeBatch();
  }

  /** Stops logging and writes what is queued; rows the database still refuses are counted as dropped. */
  close(): void {
    clearInterval(this.timer);
    this.closed = true;
    try {
      this.flush();
    } catch {
      this.droppedRows += this.pending;
      this.queue = [];
      this.head = 0;
    }
  }

  /** The timer's flush: one batch, then the next after a turn of the event loop. */
  private drain(): void {
    if (this.draining || this.pending === 0) return;
    this.draining = true;
    const step = (): void => {
      if (this.pending === 0) {
        this.draining = false;
        return;
      }
      try {
        this.writeBatch();
      } catch {
        // A locked or full disk must not take the endpoint down: the rows stay queued for the next tick.
        this.failedFlushes++;
        this.draining = false;
        return;
      }
      if (this.pending > 0 && !this.closed) setImmediate(step);
      else this.draining = false;
    };
    step();
  }

  private writeBatch(): void {
    const end = Math.min(this.queue.length, this.head + this.batchRows);
    const rows = this.queue;
    const from = this.head;
    this.db.transaction(() => {
      for (let i = from; i < end; i++) {
        const r = rows[i]!;
        this.insert.run(r.at, r.requestId, r.record, r.model, r.version, r.input, r.label, r.probabilities);
      }
    })();
    this.written += end - from;
    this.head = end;
    this.dropReported = false;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
