import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameFromStableView } from '../../src/data/frameFromStableView.js';
import { type FrameFromViewOptions, frameFromView, MAX_LEVELS } from '../../src/data/frameFromView.js';
import { Engine } from '../../src/engine/Engine.js';
import { createProfileView } from '../../src/profile/profileView.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  // Levels first seen out of alphabetical order, missing values, rows without a label, a numeric
  // column read as categorical, a quote in a value, and a column of more levels than are kept.
  await engine.exec(`CREATE TABLE t AS SELECT
      i,
      CASE WHEN i % 7 = 3 THEN NULL ELSE ['zeta', 'alpha', 'mid''quote', 'beta'][1 + (i * 5) % 4] END AS cat,
      CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 5) * 1.5 END AS x,
      (i % 3) AS small,
      'id' || (i % 400) AS many,
      CASE WHEN i % 13 = 0 THEN NULL WHEN i % 4 = 0 THEN 'yes' ELSE 'no' END AS label,
      CASE WHEN i % 17 = 0 THEN NULL ELSE i / 10.0 END AS amount
    FROM range(3000) r(i)`);
});
afterAll(() => engine.close());

const features: FrameFromViewOptions['features'] = [
  { name: 'cat', kind: 'categorical' },
  { name: 'x', kind: 'numeric' },
  { name: 'small', kind: 'categorical' },
  { name: 'i', kind: 'numeric' },
];

describe('frameFromStableView (the model frame of a table, read without a copy)', () => {
  it('gives the frame frameFromView gives: levels in order of first appearance, codes, missing values, the target', async () => {
    for (const options of [
      { features, target: { column: 'label', cast: 'VARCHAR' as const } },
      { features, target: { column: 'amount', cast: 'DOUBLE' as const } },
      { features },
      { features: [], target: { column: 'label', cast: 'VARCHAR' as const } },
    ]) {
      const direct = await frameFromStableView(engine, 't', options);
      expect(direct).toEqual(await frameFromView(engine, 't', options));
      expect(direct.sampled).toBe(false);
    }
    const { frame } = await frameFromStableView(engine, 't', { features });
    const cat = frame.features[0]!;
    expect(cat.kind === 'categorical' && cat.levels).toEqual(['zeta', 'alpha', "mid'quote", 'beta']);
    expect(cat.kind === 'categorical' && cat.codes[3]).toBe(-1);
  });

  it('falls back to the copy where frameFromView pools levels, samples, or returns extra columns', async () => {
    const pooled = { features: [{ name: 'many', kind: 'categorical' as const }] };
    const frame = await frameFromStableView(engine, 't', pooled);
    const many = frame.frame.features[0]!;
    expect(many.kind === 'categorical' && many.levels.length).toBe(MAX_LEVELS);
    expect(frame).toEqual(await frameFromView(engine, 't', pooled));
    const sampled = await frameFromStableView(engine, 't', { features, maxRows: 500 });
    expect(sampled.sampled).toBe(true);
    expect(sampled).toEqual(await frameFromView(engine, 't', { features, maxRows: 500 }));
    const extra = await frameFromStableView(engine, 't', { features, extra: ['i'] });
    expect(extra.extra[0]).toHaveLength(3000);
  });

  it('the profile view of a table is stable; of a view it is not (it is copied, as a chain of steps runs once)', async () => {
    await engine.exec('CREATE VIEW v AS SELECT * FROM t WHERE i > 5');
    expect((await createProfileView(engine, 't')).stable).toBe(true);
    expect((await createProfileView(engine, 'v')).stable).toBe(false);
  });
});
