/**
 * Typed reading from DuckDB (Engine.readColumns) and the frame built on it (frameFromView): the
 * numbers come straight from DuckDB's vectors, so these tests pin what must not change with
 * that: NULLs across vector boundaries, category codes and levels, pooling of rare levels, text
 * targets, samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameFromView, MAX_LEVELS, OTHER_LEVEL } from '../../src/data/frameFromView.js';
import { Engine } from '../../src/engine/Engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  // 5,000 rows: more than two of DuckDB's 2,048-row vectors, NULLs in each.
  await engine.exec(`CREATE TABLE t AS SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.5 END AS x, CASE WHEN i % 11 = 0 THEN NULL ELSE ['red', 'green', 'blue'][i % 3 + 1] END AS colour,
    'id-' || i AS code, CASE WHEN i % 13 = 0 THEN NULL WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END AS y FROM range(5000) r(i)`);
});
afterAll(() => engine.close());

describe('Engine.readColumns', () => {
  it('reads DOUBLE and INTEGER columns as typed arrays, NULL as NaN and -1, over several vectors', async () => {
    const [x, i, v] = await engine.readColumns('SELECT x::DOUBLE, (CASE WHEN i % 5 = 0 THEN NULL ELSE i END)::INTEGER, colour FROM t', [
      'double',
      'int32',
      'value',
    ]);
    expect(x).toBeInstanceOf(Float64Array);
    expect(i).toBeInstanceOf(Int32Array);
    expect(x!.length).toBe(5000);
    for (const r of [0, 1, 7, 2047, 2048, 2049, 4095, 4096, 4999]) {
      expect(Number.isNaN((x as Float64Array)[r]!)).toBe(r % 7 === 0);
      if (r % 7 !== 0) expect((x as Float64Array)[r]).toBe(r * 0.5);
      expect((i as Int32Array)[r]).toBe(r % 5 === 0 ? -1 : r);
      expect((v as unknown[])[r]).toBe(r % 11 === 0 ? null : ['red', 'green', 'blue'][r % 3]);
    }
  });

  it('refuses a column whose SQL type is not the kind asked for', async () => {
    await expect(engine.readColumns('SELECT i FROM t', ['double'])).rejects.toThrow(/BIGINT, not double/);
  });
});

describe('frameFromView', () => {
  it('codes categories in order of first appearance, missing as -1, and reads a text target', async () => {
    const { frame, targetValues, rows } = await frameFromView(engine, 't', {
      features: [
        { name: 'x', kind: 'numeric' },
        { name: 'colour', kind: 'categorical' },
      ],
      target: { column: 'y', cast: 'VARCHAR' },
    });
    const kept = Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 13 !== 0);
    expect(rows).toBe(kept.length);
    expect(frame.nRows).toBe(kept.length);
    const colour = frame.features[1]!;
    if (colour.kind !== 'categorical') throw new Error('expected a categorical feature');
    // Row 0 (red, i % 3 = 0) is left out (no target); row 1 is green, row 2 blue, row 3 red.
    expect(colour.levels).toEqual(['green', 'blue', 'red']);
    kept.forEach((i, r) => {
      expect(colour.codes[r]).toBe(i % 11 === 0 ? -1 : colour.levels.indexOf(['red', 'green', 'blue'][i % 3]!));
      expect(targetValues![r]).toBe(i % 2 === 0 ? 'yes' : 'no');
    });
  });

  it(`pools the rarest values beyond ${MAX_LEVELS} levels into one other level`, async () => {
    const { frame } = await frameFromView(engine, 't', { features: [{ name: 'code', kind: 'categorical' }] });
    const code = frame.features[0]!;
    if (code.kind !== 'categorical') throw new Error('expected a categorical feature');
    expect(code.levels).toHaveLength(MAX_LEVELS);
    expect(code.levels[MAX_LEVELS - 1]).toBe(OTHER_LEVEL);
    // All values are equally common: the first ones seen are kept, in that order.
    expect(code.levels.slice(0, 3)).toEqual(['id-0', 'id-1', 'id-2']);
    expect(code.codes[0]).toBe(0);
    expect(code.codes[4999]).toBe(MAX_LEVELS - 1);
  });

  it('samples a bounded number of rows and keeps the columns aligned', async () => {
    const { frame, extra, rows, sampled } = await frameFromView(engine, 't', { features: [{ name: 'i', kind: 'numeric' }], extra: ['code'], maxRows: 1000 });
    expect(sampled).toBe(true);
    expect(rows).toBe(5000);
    expect(frame.nRows).toBe(1000);
    const i = frame.features[0]!;
    if (i.kind !== 'numeric') throw new Error('expected a numeric feature');
    for (let r = 0; r < 1000; r++) expect(extra[0]![r]).toBe(`id-${i.values[r]}`);
  });
});
