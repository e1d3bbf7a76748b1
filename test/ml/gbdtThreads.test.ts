import { describe, expect, it } from 'vitest';
import type { Frame, Target } from '../../src/ml/frame.js';
import { fitBinMapper } from '../../src/ml/gbdt/binMapper.js';
import { type Binned, binFrame } from '../../src/ml/gbdt/binned.js';
import { histEngine } from '../../src/ml/gbdt/histEngine.js';
import { buildHistGH, buildHistSparseGH } from '../../src/ml/gbdt/histogram.js';
import { splitsRows } from '../../src/ml/gbdt/histParts.js';
import { partitionRows } from '../../src/ml/gbdt/partitionRows.js';
import { computeGradients } from '../../src/ml/gbdt/loss.js';
import { buildSparseRows, type SparseRows } from '../../src/ml/gbdt/sparseRows.js';
import { trainGbdt } from '../../src/ml/gbdt/trainGbdt.js';
import { Rng } from '../../src/ml/random.js';

/** Numeric columns, one mostly zero, a categorical one with missing codes, and a 3-class target. */
function dataset(n: number, seed: number, mostlyZero: boolean): { frame: Frame; target: Target } {
  const rng = new Rng(seed);
  const num = (p0: number): Float64Array => Float64Array.from({ length: n }, () => (rng.float() < p0 ? 0 : rng.float() < 0.03 ? NaN : rng.normal()));
  const p0 = mostlyZero ? 0.85 : 0;
  const features: Frame['features'] = [];
  for (let j = 0; j < 7; j++) features.push({ name: `x${j}`, kind: 'numeric', values: num(j < 2 ? 0 : p0) });
  features.push({
    name: 'kind',
    kind: 'categorical',
    codes: Int32Array.from({ length: n }, () => (rng.float() < 0.05 ? -1 : rng.float() < (mostlyZero ? 0.8 : 0.2) ? 0 : rng.int(6))),
    levels: ['a', 'b', 'c', 'd', 'e', 'f'],
  });
  const x0 = (features[0] as { values: Float64Array }).values;
  const x1 = (features[1] as { values: Float64Array }).values;
  const codes = Int32Array.from({ length: n }, (_, i) => {
    const s = (x0[i]! || 0) + 0.5 * (x1[i]! || 0) + 0.7 * rng.normal();
    return s < -0.5 ? 0 : s < 0.5 ? 1 : 2;
  });
  return { frame: { nRows: n, features }, target: { kind: 'classification', codes, labels: ['lo', 'mid', 'hi'] } };
}

/** Histograms of random row subsets from an engine, next to the typed-array loops' on the same rows. */
function compare(data: Binned, sparse: SparseRows | null, engine: ReturnType<typeof histEngine>, seed: number): void {
  const rng = new Rng(seed);
  const n = data.nRows;
  const gh = engine.gh.subarray(0, 2 * n);
  for (let i = 0; i < 2 * n; i++) gh[i] = i % 2 ? 0.05 + rng.float() : rng.normal();
  const build = engine.builder(gh, null);
  const hist = engine.pool.acquire();
  const want = new Float64Array(engine.pool.size);
  const spare = new Float64Array(engine.pool.size);
  // A segment below the paired threshold, odd-sized ones above it (the bigger one built in two
  // halves of rows, one a thread), and every row (in halves too).
  let halved = 0;
  for (const keep of [0.02, 0.37, 0.77, 1]) {
    let list = Uint32Array.from({ length: n }, (_, i) => i).filter(() => keep === 1 || rng.float() < keep);
    if (keep < 1 && list.length % 2 === 0) list = list.subarray(1);
    engine.rows.set(list);
    hist.fill(7); // stale contents must not leak through
    build(hist, engine.rows, 0, list.length, keep === 1);
    const typedLoops = (into: Float64Array, s: number, e: number, all: boolean): void => {
      if (sparse) buildHistSparseGH(into, data, sparse, list, s, e, gh, all);
      else buildHistGH(into, data, null, list, s, e, gh, all, spare);
    };
    if (splitsRows(data, list.length)) {
      // A big segment's histogram is its two halves' added (the same with any number of threads).
      const mid = list.length >> 1;
      const upper = new Float64Array(want.length);
      typedLoops(want, 0, mid, false);
      typedLoops(upper, mid, list.length, false);
      for (let k = 0; k < want.length; k++) want[k]! += upper[k]!;
      halved++;
    } else typedLoops(want, 0, list.length, keep === 1);
    expect(Array.from(hist)).toEqual(Array.from(want));
  }
  expect(halved).toBe(2);
  engine.pool.release(hist);
}

const Y = Int32Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 3);
const engineOptions = (threads: number) => ({ K: 3, loss: 'multiclass' as const, y: Y, threads, liveHistograms: 4 });

/** The engine's gradients (shared with its threads) next to `computeGradients` on copies. */
function compareGradients(engine: ReturnType<typeof histEngine>): void {
  const rng = new Rng(11);
  for (let i = 0; i < engine.raw.length; i++) engine.raw[i] = rng.normal();
  const sample = Uint32Array.from({ length: Y.length }, (_, i) => i).filter(() => rng.float() < 0.6);
  for (const s of [sample, null]) {
    const want = new Float32Array(engine.gh.length);
    computeGradients('multiclass', Float64Array.from(engine.raw), Y, 3, want, s);
    engine.gh.fill(0);
    engine.gradients(s);
    expect(Array.from(engine.gh)).toEqual(Array.from(want));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('gbdt histograms in WebAssembly and on worker threads', () => {
  for (const mostlyZero of [false, true]) {
    const kind = mostlyZero ? 'sparse rows' : 'dense rows';
    const { frame } = dataset(20_000, 1, mostlyZero);
    const data = binFrame(fitBinMapper(frame, { maxBins: 255 }), frame);
    const sparseRows = buildSparseRows(data);
    const sparse = mostlyZero ? sparseRows : null;

    it(`gives the typed-array loops' sums bit for bit (${kind}, one thread)`, () => {
      expect(sparseRows.skipped >= 0.3).toBe(mostlyZero);
      const engine = histEngine(data, sparse, engineOptions(1));
      try {
        compare(data, sparse, engine, 2);
        compareGradients(engine);
        expect(engine.workerParts()).toBe(0);
      } finally {
        engine.close();
      }
    });

    it(`gives the same sums when worker threads build parts of them (${kind}, two and three threads)`, async () => {
      for (const threads of [2, 3]) {
        const engine = histEngine(data, sparse, engineOptions(threads));
        try {
          // Workers start asynchronously; until one is ready the trainer builds every part.
          for (let round = 0; engine.workerParts() === 0; round++) {
            expect(round).toBeLessThan(1200);
            compare(data, sparse, engine, 3 + round);
            await sleep(100);
          }
          compare(data, sparse, engine, 99);
          compareGradients(engine);
        } finally {
          engine.close();
        }
      }
    }, 180_000);
  }

  it('builds the roots of every class in one pass with the sums of one build a class (one and two threads)', async () => {
    const n = 20_002; // halves of 10,001 rows: each ends with an unpaired row
    const { frame } = dataset(n, 6, false);
    const data = binFrame(fitBinMapper(frame, { maxBins: 255 }), frame);
    for (const threads of [1, 2]) {
      const engine = histEngine(data, null, { ...engineOptions(threads), y: new Int32Array(n) });
      try {
        const rng = new Rng(12);
        for (let i = 0; i < engine.gh.length; i++) engine.gh[i] = i % 2 ? 0.05 + rng.float() : rng.normal();
        engine.rows.set(Uint32Array.from({ length: n }, (_, i) => i));
        const want = [0, 1, 2].map((k) => {
          const h = engine.pool.acquire();
          engine.builder(engine.gh.subarray(k * 2 * n, (k + 1) * 2 * n), null)(h, engine.rows, 0, n, true);
          const copy = Float64Array.from(h);
          engine.pool.release(h);
          return copy;
        });
        // Counts too: a root holds every row.
        expect(want[0]![2]! + want[0]![5]!).toBeGreaterThan(0);
        // Until a worker is ready the trainer builds both halves; then the worker builds one.
        for (let round = 0; ; round++) {
          const roots = [0, 1, 2].map(() => engine.pool.acquire().fill(7));
          expect(engine.rootHistograms!(roots)).toBe(true);
          for (let k = 0; k < 3; k++) expect(Array.from(roots[k]!)).toEqual(Array.from(want[k]!));
          for (const h of roots) engine.pool.release(h);
          if (threads === 1 || engine.workerParts() > 0) break;
          expect(round).toBeLessThan(1200);
          await sleep(100);
        }
      } finally {
        engine.close();
      }
    }
    // Not for a segment too small to build in halves, nor from sparse rows: the trainer builds each root.
    const small = dataset(3000, 7, false).frame;
    const smallData = binFrame(fitBinMapper(small, { maxBins: 255 }), small);
    const smallEngine = histEngine(smallData, null, { ...engineOptions(1), y: new Int32Array(3000) });
    expect(smallEngine.rootHistograms!([0, 1, 2].map(() => smallEngine.pool.acquire()))).toBe(false);
    smallEngine.close();
    const zeros = dataset(20_000, 8, true).frame;
    const zerosData = binFrame(fitBinMapper(zeros, { maxBins: 255 }), zeros);
    const sparseEngine = histEngine(zerosData, buildSparseRows(zerosData), engineOptions(1));
    expect(sparseEngine.rootHistograms!([0, 1, 2].map(() => sparseEngine.pool.acquire()))).toBe(false);
    sparseEngine.close();
  }, 180_000);

  it("splits a big node's rows in two halves on two threads, in the order one thread gives", async () => {
    const { frame } = dataset(120_000, 4, false);
    const data = binFrame(fitBinMapper(frame, { maxBins: 255 }), frame);
    const n = data.nRows;
    const engine = histEngine(data, null, { ...engineOptions(2), y: new Int32Array(n) });
    try {
      const rng = new Rng(8);
      const goLeft = new Uint8Array(256);
      const scratch = new Uint32Array(n);
      // Until a worker has split halves, and three rounds after.
      for (let round = 0, after = 0; after < 3; round++) {
        expect(round).toBeLessThan(1200);
        if (engine.workerParts() > 0) after++;
        const f = rng.int(data.nFeatures);
        const share = round % 3 === 0 ? 0.02 : rng.float();
        for (let b = 0; b < 256; b++) goLeft[b] = rng.float() < share ? 1 : 0;
        const list = Uint32Array.from({ length: n }, (_, i) => i).filter(() => rng.float() < 0.8);
        const want = Uint32Array.from(list);
        const wantMid = partitionRows(want, 1000, list.length, data.bins.subarray(f * n, (f + 1) * n), goLeft, scratch);
        engine.rows.set(list);
        expect(engine.partition?.(f, goLeft, 1000, list.length)).toBe(wantMid);
        expect(Array.from(engine.rows.subarray(0, list.length))).toEqual(Array.from(want));
        await sleep(50);
      }
    } finally {
      engine.close();
    }
  }, 180_000);

  it('trains the same model with two threads as with one (multiclass, dense and sparse rows)', () => {
    for (const mostlyZero of [false, true]) {
      const { frame, target } = dataset(30_000, 5, mostlyZero);
      const params = { maxIter: 8, earlyStopping: false, subsample: 1 };
      const one = trainGbdt(frame, target, { ...params, threads: 1 }).toJSON();
      const two = trainGbdt(frame, target, { ...params, threads: 2 }).toJSON();
      const strip = (j: unknown): string => JSON.stringify(j).replace(/"threads":\d+/, '');
      expect(strip(two)).toBe(strip(one));
      expect(strip(one)).not.toBe(strip(trainGbdt(frame, target, { ...params, maxIter: 7, threads: 1 }).toJSON()));
    }
  }, 180_000);

  it('refuses a thread count that is not an integer from 1 to 64', () => {
    const { frame, target } = dataset(200, 1, false);
    for (const threads of [0, 1.5, 65]) {
      expect(() => trainGbdt(frame, target, { threads })).toThrow(/threads must be an integer from 1 to 64/);
    }
  });
});
