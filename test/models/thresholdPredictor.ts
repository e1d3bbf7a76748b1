import { setImmediate as tick } from 'node:timers/promises';
import type { ColumnSchema } from '../../src/core/types.js';
import type { PredictionResult, Predictor } from '../../src/server/endpoint/Predictor.js';

/**
 * A real, small predictor for endpoint tests: readmission risk rises with the number of
 * medications past a threshold. Gender must be a known category (like a flow step that errors
 * on unseen categories). Predicting after close() throws, so a test notices a predictor closed
 * under an in-flight request.
 */
export class ThresholdPredictor implements Predictor {
  readonly name: string;
  readonly labels = ['no', '>30', '<30'];
  readonly inputs: ColumnSchema[] = [
    { name: 'age', type: 'integer' },
    { name: 'gender', type: 'string' },
    { name: 'num_medications', type: 'float' },
    { name: 'insulin', type: 'boolean' },
  ];
  closed = false;
  calls = 0;

  constructor(
    readonly version: string,
    private readonly threshold: number,
    private readonly opts: { name?: string; yieldTicks?: number } = {},
  ) {
    this.name = opts.name ?? 'readmission';
  }

  async predict(records: Record<string, unknown>[]): Promise<PredictionResult[]> {
    if (this.closed) throw new Error(`predictor ${this.version} used after close`);
    this.calls++;
    // Yield to the event loop so swaps can happen while a request is in flight.
    for (let i = 0; i < (this.opts.yieldTicks ?? 0); i++) await tick();
    if (this.closed) throw new Error(`predictor ${this.version} closed during a request`);
    return records.map((r) => {
      if (r.gender !== null && r.gender !== 'Male' && r.gender !== 'Female') {
        return {
          error: {
            record: 0,
            field: 'gender',
            code: 'FLOW_UNSEEN_CATEGORY',
            message: `"gender" has the unseen category ${JSON.stringify(r.gender)}`,
            hint: 'known: Male, Female',
          },
        };
      }
      const meds = typeof r.num_medications === 'number' ? r.num_medications : this.threshold;
      const z = (meds - this.threshold) / 5 + (r.insulin === true ? 0.5 : 0);
      const risk = 1 / (1 + Math.exp(-z));
      const probabilities = [1 - risk, risk * 0.6, risk * 0.4];
      const best = probabilities.indexOf(Math.max(...probabilities));
      return { predicted_label: this.labels[best]!, probabilities, labels: [...this.labels] };
    });
  }

  close(): void {
    this.closed = true;
  }
}
