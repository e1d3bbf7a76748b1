import { describe, expect, it } from 'vitest';
import type { Frame, Target } from '../../src/ml/frame.js';
import { rocAuc } from '../../src/ml/metrics/rocAuc.js';
import { binnedAuc, predictionPowerOfFrame } from '../../src/profile/model/predictionPower.js';
import { rng } from './helpers.js';

/** Each test row's smoothed class shares of its bin, written out row by row (what binnedAuc ranks without expanding). */
function rowProbabilities(trainBins: Uint8Array, codes: Int32Array, testBins: Uint8Array, k: number, nb: number): Float64Array {
  const counts = new Float64Array(nb * k);
  const prior = new Float64Array(k);
  for (let r = 0; r < trainBins.length; r++) {
    counts[trainBins[r]! * k + codes[r]!]!++;
    prior[codes[r]!]! += 1 / trainBins.length;
  }
  const out = new Float64Array(testBins.length * k);
  for (let r = 0; r < testBins.length; r++) {
    const b = testBins[r]!;
    let n = 0;
    for (let c = 0; c < k; c++) n += counts[b * k + c]!;
    for (let c = 0; c < k; c++) out[r * k + c] = n < 20 ? prior[c]! : (counts[b * k + c]! + 2 * prior[c]!) / (n + 2);
  }
  return out;
}

describe('prediction power (one binned feature at a time)', () => {
  it('ranks by bin exactly as ROC AUC ranks the rows (ties, empty bins, 2 and 4 classes)', () => {
    const r = rng(5);
    for (const [k, nb] of [
      [2, 3],
      [2, 40],
      [4, 7],
      [4, 64],
    ] as const) {
      const train = Uint8Array.from({ length: 2500 }, () => Math.floor(r() * (nb - 1))); // the last bin stays empty in training
      const codes = Int32Array.from(train, (b) => (r() < 0.6 ? b % k : Math.floor(r() * k)));
      const test = Uint8Array.from({ length: 400 }, () => Math.floor(r() * nb));
      const testCodes = Int32Array.from(test, (b) => (r() < 0.6 ? b % k : Math.floor(r() * k)));
      const expected = rocAuc(testCodes, rowProbabilities(train, codes, test, k, nb), k);
      expect(Math.abs(binnedAuc(train, codes, test, testCodes, k, nb) - expected)).toBeLessThan(1e-12);
      expect(expected).toBeGreaterThan(0.55);
    }
  });

  it('a copy of the target and a threshold of it score about 1, noise and an id about 0', () => {
    const r = rng(9);
    const n = 5000;
    const x = Float64Array.from({ length: n }, () => r() * 10);
    const labels = ['a', 'b', 'c'];
    const codes = Int32Array.from(x, (v) => (v < 3 ? 0 : v < 7 ? 1 : 2));
    const frame: Frame = {
      nRows: n,
      features: [
        { name: 'x', kind: 'numeric', values: x },
        { name: 'noise', kind: 'numeric', values: Float64Array.from({ length: n }, () => r()) },
        { name: 'copy', kind: 'categorical', codes: Int32Array.from(codes), levels: labels },
        { name: 'id', kind: 'categorical', codes: Int32Array.from({ length: n }, (_, i) => i), levels: Array.from({ length: n }, (_, i) => `id${i}`) },
      ],
    };
    const target: Target = { kind: 'classification', codes, labels };
    const power = Object.fromEntries(predictionPowerOfFrame(frame, target).map((p) => [p.feature, p.score]));
    expect(power.x).toBeGreaterThan(0.98);
    expect(power.copy).toBeGreaterThan(0.999);
    expect(power.noise).toBeLessThan(0.05);
    // An id seen once per row predicts nothing on rows it has not seen.
    expect(power.id).toBeLessThan(0.05);
    expect(predictionPowerOfFrame(frame, target)[0]!.method).toBe('binned_one_feature_auc');
  });

  it('a dozen rows show no leak: bins of fewer than 20 training rows predict the prior', () => {
    const codes = Int32Array.from({ length: 12 }, (_, i) => i % 2);
    const frame: Frame = { nRows: 12, features: [{ name: 'copy', kind: 'numeric', values: Float64Array.from(codes) }] };
    expect(predictionPowerOfFrame(frame, { kind: 'classification', codes, labels: ['a', 'b'] })[0]!.score).toBe(0);
  });
});
