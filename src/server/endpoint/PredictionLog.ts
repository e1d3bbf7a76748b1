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
  /** Rows are written in one transaction every this many ms (default 200). */
  flushMs?: number;
  /** Source of randomness for sampling (tests pass a deterministic one). */
  random?: () => number;
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
 * what was predicted can later be joined with what happened. Writes are buffered and flushed in
 * one transaction per interval: logging never adds a disk write to a request's latency.
 */
export class PredictionLog {
  private buffer: Row[] = [];
  /** Flushes that failed (their rows are lost). */
  dropped = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly insert;
  private readonly random: () => number;

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
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch {
        // The log is best effort: a locked or full disk must not take the endpoint down.
        this.dropped++;
      }
    }, options.flushMs ?? 200);
    this.timer.unref();
  }

  /** Logs a request's predictions if it is sampled; returns the request id when it was. */
  maybeLog(model: string, version: string, records: readonly Record<string, unknown>[], predictions: readonly Prediction[]): string | undefined {
    if (this.options.sampleRate <= 0 || this.random() >= this.options.sampleRate) return undefined;
    const requestId = randomUUID();
    const at = new Date().toISOString();
    for (let i = 0; i < predictions.length; i++) {
      const p = predictions[i]!;
      this.buffer.push({
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

  /** Writes buffered rows now. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    this.db.transaction(() => {
      for (const r of rows) this.insert.run(r.at, r.requestId, r.record, r.model, r.version, r.input, r.label, r.probabilities);
    })();
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
