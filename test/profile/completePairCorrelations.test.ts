import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { completePairCorrelations } from '../../src/profile/completePairCorrelations.js';
import { rng } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

/** Textbook two-pass Pearson, in a different order of operations from the code under test. */
function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let r = 0; r < n; r++) {
    sab += (a[r]! - ma) * (b[r]! - mb);
    saa += (a[r]! - ma) ** 2;
    sbb += (b[r]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Average ranks (ties share the mean of their positions), by sorting. */
function ranks(a: number[]): number[] {
  const order = a.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const out = new Array<number>(a.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e < order.length && order[e]![0] === order[s]![0]) e++;
    for (let k = s; k < e; k++) out[order[k]![1]] = (s + 1 + e) / 2;
    s = e;
  }
  return out;
}

describe('completePairCorrelations', () => {
  it('equals two-pass Pearson and Spearman over several chunks: table-ranked integers, binary-searched floats, negatives and ties', async () => {
    const r = rng(3);
    const cols: number[][] = [[], [], [], []];
    for (let i = 0; i < 10_000; i++) {
      const a = Math.floor(r() * 30) - 10;
      cols[0]!.push(a);
      cols[1]!.push(Math.round((a * 0.7 + r() * 20) * 8) / 8 - 1e6);
      cols[2]!.push(Math.round(r() * 1e9));
      cols[3]!.push(i % 2 === 0 ? 0.1 : -r());
    }
    await engine.exec('CREATE TABLE t (a INTEGER, b DOUBLE, c BIGINT, d DOUBLE)');
    const values = cols[0]!.map((_, i) => `(${cols.map((c) => c[i]).join(', ')})`).join(', ');
    await engine.exec(`INSERT INTO t VALUES ${values}`);
    const pairs = [
      { i: 0, j: 1 },
      { i: 0, j: 2 },
      { i: 1, j: 3 },
      { i: 2, j: 3 },
    ];
    const got = await completePairCorrelations(engine, 't', ['a::DOUBLE', 'b', 'c::DOUBLE', 'd'], pairs);
    expect(got).toBeDefined();
    pairs.forEach(({ i, j }, k) => {
      expect(Math.abs(got![k]!.p - pearson(cols[i]!, cols[j]!))).toBeLessThan(1e-12);
      expect(Math.abs(got![k]!.s - pearson(ranks(cols[i]!), ranks(cols[j]!)))).toBeLessThan(1e-12);
    });
    expect(got![0]!.p).toBeGreaterThan(0.5);
  });

  it('leaves columns holding NaN or an infinity to the caller', async () => {
    await engine.exec(
      `CREATE TABLE u AS SELECT range::DOUBLE AS a, CASE WHEN range = 7 THEN 'NaN'::DOUBLE ELSE range % 5 END AS b, CASE WHEN range = 3 THEN 'inf'::DOUBLE ELSE -range END AS c FROM range(100)`,
    );
    expect(await completePairCorrelations(engine, 'u', ['a', 'b'], [{ i: 0, j: 1 }])).toBeUndefined();
    expect(await completePairCorrelations(engine, 'u', ['a', 'c'], [{ i: 0, j: 1 }])).toBeUndefined();
  });
});
