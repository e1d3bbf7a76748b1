import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/ml/frame.js';
import { fitBinMapper } from '../../src/ml/gbdt/binMapper.js';
import { binFrame } from '../../src/ml/gbdt/binned.js';
import { expNonPositive } from '../../src/ml/gbdt/expNonPositive.js';
import { histEngine } from '../../src/ml/gbdt/histEngine.js';
import { computeGradients } from '../../src/ml/gbdt/loss.js';
import { partitionRows } from '../../src/ml/gbdt/partitionRows.js';
import { Rng } from '../../src/ml/random.js';

describe('gbdt row loops: partition, leaf updates and softmax gradients', () => {
  const n = 5_000;
  const rng = new Rng(3);
  const frame: Frame = {
    nRows: n,
    features: [
      { name: 'a', kind: 'numeric', values: Float64Array.from({ length: n }, () => (rng.float() < 0.05 ? NaN : rng.normal())) },
      { name: 'b', kind: 'numeric', values: Float64Array.from({ length: n }, () => rng.int(7)) },
    ],
  };
  const data = binFrame(fitBinMapper(frame, { maxBins: 255 }), frame);
  const y = Int32Array.from({ length: n }, () => rng.int(3));

  it('partitions rows and adds leaf values in WebAssembly as the typed-array loops do', () => {
    const engine = histEngine(data, null, { K: 3, loss: 'multiclass', y, threads: 1, liveHistograms: 4 });
    try {
      expect(engine.partition).toBeDefined();
      const scratch = new Uint32Array(n);
      for (let round = 0; round < 20; round++) {
        const f = round % 2;
        const goLeft = Uint8Array.from({ length: 256 }, () => (rng.float() < 0.5 ? 1 : 0));
        // A random subset of rows in a random segment of the list, as a tree node holds.
        const list = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.float() < 0.7);
        const start = rng.int(50);
        const end = list.length - rng.int(50);
        engine.rows.set(list);
        const want = Uint32Array.from(list);
        const wantMid = partitionRows(want, start, end, data.bins.subarray(f * n, (f + 1) * n), goLeft, scratch);
        const mid = engine.partition!(f, goLeft, start, end);
        expect(mid).toBe(wantMid);
        expect(Array.from(engine.rows.subarray(0, list.length))).toEqual(Array.from(want));
        // The split is right: every row before mid goes left, every one after goes right.
        for (let i = start; i < end; i++) expect(goLeft[data.bins[f * n + engine.rows[i]!]!]).toBe(i < mid ? 1 : 0);

        const k = round % 3;
        const v = rng.normal() * 0.1;
        const raw = Float64Array.from(engine.raw, () => rng.normal());
        engine.raw.set(raw);
        for (let i = start; i < mid; i++) raw[k * n + engine.rows[i]!]! += v;
        engine.addToRows(k, start, mid, v);
        expect(Array.from(engine.raw)).toEqual(Array.from(raw));
      }
    } finally {
      engine.close();
    }
  });

  it('computes e^x for x <= 0 within 4e-16 of Math.exp, exactly 1 at 0, and never 0 below -700', () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    expect(expNonPositive(-1e6)).toBeGreaterThan(0);
    expect(expNonPositive(-1e6)).toBe(expNonPositive(-700));
    let worst = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = i < 50_000 ? -rng.float() * 2 : -rng.float() * 700;
      worst = Math.max(worst, Math.abs(expNonPositive(x) / Math.exp(x) - 1));
    }
    expect(worst).toBeLessThan(4e-16);
  });

  it('computes three-class softmax gradients in WebAssembly with the same bits as computeGradients', () => {
    const engine = histEngine(data, null, { K: 3, loss: 'multiclass', y, threads: 1, liveHistograms: 4 });
    try {
      // Scores far apart too: e^x underflows toward the clamp at -700 and past it.
      const spread = [4, 40, 400, 2000];
      for (let i = 0; i < 3 * n; i++) engine.raw[i] = rng.normal() * spread[i % 4]!;
      engine.raw[7] = 0;
      engine.raw[n + 7] = 0;
      engine.raw[2 * n + 7] = 0;
      const sample = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.float() < 0.5);
      for (const rows of [null, sample]) {
        // NaN marks the pairs left alone (rows outside the sample).
        const expected = new Float32Array(3 * 2 * n).fill(NaN);
        engine.gh.fill(NaN);
        computeGradients('multiclass', Float64Array.from(engine.raw), y, 3, expected, rows);
        engine.gradients(rows);
        expect(Array.from(engine.gh)).toEqual(Array.from(expected));
        expect(expected.filter((v) => Number.isNaN(v)).length).toBe(rows ? 6 * (n - rows.length) : 0);
      }
    } finally {
      engine.close();
    }
  });

  it('gives the same f32 softmax gradients as Math.exp would, for three classes and for four', () => {
    for (const K of [3, 4]) {
      const m = 20_000;
      const yk = Int32Array.from({ length: m }, () => rng.int(K));
      const raw = Float64Array.from({ length: K * m }, () => rng.normal() * 4);
      const gh = new Float32Array(K * 2 * m);
      const sample = Uint32Array.from({ length: m }, (_, i) => i).filter(() => rng.float() < 0.5);
      computeGradients('multiclass', raw, yk, K, gh, sample);
      let checked = 0;
      let differing = 0;
      for (const r of sample) {
        let mx = -Infinity;
        for (let c = 0; c < K; c++) mx = Math.max(mx, raw[c * m + r]!);
        const e = Array.from({ length: K }, (_, c) => Math.exp(raw[c * m + r]! - mx));
        const z = e.reduce((a, b) => a + b, 0);
        for (let c = 0; c < K; c++) {
          const p = e[c]! / z;
          if (gh[c * 2 * m + 2 * r] !== Math.fround(p - (yk[r] === c ? 1 : 0))) differing++;
          if (gh[c * 2 * m + 2 * r + 1] !== Math.fround(Math.max(p * (1 - p), 1e-16))) differing++;
          checked++;
        }
      }
      expect(differing).toBe(0);
      expect(checked).toBe(sample.length * K);
      // Rows outside the sample are left alone.
      const out = Uint32Array.from({ length: m }, (_, i) => i).find((i) => !sample.includes(i))!;
      expect(gh[2 * out]).toBe(0);
    }
  });
});
