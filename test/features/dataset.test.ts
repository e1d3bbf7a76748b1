import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { FeatureStore } from '../../src/features/FeatureStore.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-pit-'));
let fs: FeatureStore;
let engine: Engine;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(async () => {
  fs = await FeatureStore.open({ projectDir: dir });
  engine = await Engine.open();
  const spec = (name: string) => ({
    name,
    recordIdentifier: 'id',
    eventTime: 't',
    features: [
      { name: 'id', type: 'integral' as const },
      { name: 't', type: 'timestamp' as const },
      { name: 'v', type: 'integral' as const },
    ],
  });
  await fs.createGroup(spec('g'));
  await fs.createGroup(spec('h'));
  // v tells when the value became true: a value from the future is easy to spot.
  await fs.ingest('g', { file: file('g1.csv', 'id,t,v\n1,2024-01-01,1\n2,2024-01-03,3\n') });
  await fs.ingest('g', { file: file('g2.csv', 'id,t,v\n1,2024-01-05,5\n2,2024-01-08,8\n') });
  await fs.ingest('g', { file: file('g3.csv', 'id,t,v\n1,2024-01-10,10\n') });
  // The same id and event time written again later: the last write wins, no duplicate row.
  await fs.ingest('g', { file: file('g4.csv', 'id,t,v\n1,2024-01-05,55\n') });
  await fs.ingest('h', { file: file('h1.csv', 'id,t,v\n1,2024-01-02,102\n2,2024-01-02,202\n') });
});
afterAll(async () => {
  await fs.close();
  engine.close();
});

const ENTITIES = `id,event_time,label
1,2023-12-31T23:59:59Z,a
1,2024-01-01T00:00:00Z,b
1,2024-01-04T23:59:59Z,c
1,2024-01-05T00:00:00Z,d
1,2024-01-09T12:00:00Z,e
1,2024-01-20T00:00:00Z,f
2,2024-01-07T00:00:00Z,g
2,2024-01-09T00:00:00Z,h
3,2024-01-09T00:00:00Z,i
`;

describe('point-in-time datasets', () => {
  it('matches the crafted expectations, with deletions, duplicates and a second group', async () => {
    // id 4: values on Jan 1 and Jan 2, deleted on Jan 6.
    await fs.ingest('g', { file: file('keep.csv', 'id,t,v\n4,2024-01-01,40\n') });
    await fs.putRecord('g', { id: 4, t: '2024-01-02T00:00:00Z', v: 41 });
    expect(await fs.deleteRecord('g', '4', { eventTime: '2024-01-06T00:00:00Z' })).toBe(true);
    const ents = ENTITIES + '4,2024-01-03T00:00:00Z,j\n4,2024-01-07T00:00:00Z,k\n';
    const out = join(dir, 'train.csv');
    const r = await fs.buildDataset(
      { file: file('entities.csv', ents) },
      {
        features: [
          { group: 'g', features: ['v'] },
          { group: 'h', features: ['v'] },
        ],
        out,
      },
    );
    expect(r.columns).toEqual(['id', 'event_time', 'label', 'v', 'h__v']);
    await readTable(engine, out, { name: 'train' });
    const rows = await engine.query('SELECT label, v, h__v FROM train');
    expect(rows.map((x) => [x.label, x.v, x.h__v])).toEqual([
      ['a', null, null], // before any value
      ['b', 1, null], // equal timestamp counts
      ['c', 1, 102],
      ['d', 55, 102], // the re-written Jan 5 value, once
      ['e', 55, 102],
      ['f', 10, 102],
      ['g', 3, 202],
      ['h', 8, 202],
      ['i', null, null], // unknown id
      ['j', 41, null],
      ['k', null, null], // deleted on Jan 6
    ]);
    const withDeleted = await fs.buildDataset({ file: join(dir, 'entities.csv') }, { features: [{ group: 'g', features: ['v'] }], includeDeleted: true });
    expect(withDeleted.sample.at(-1)?.v).toBe(41);
    const bounded = await fs.buildDataset({ file: join(dir, 'entities.csv') }, { features: [{ group: 'g', features: ['v'] }], ttlSeconds: 3 * 86400 });
    expect(bounded.sample.map((x) => x.v)).toEqual([null, 1, null, 55, null, null, null, 8, null, 41, null]);
  });

  it('never leaks a later value on random data (checked against a brute-force join)', async () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const day0 = Date.parse('2024-01-01T00:00:00Z');
    const feats: Array<{ id: number; t: number }> = [];
    const seen = new Set<string>();
    for (let i = 0; i < 1500; i++) {
      const f = { id: 100 + Math.floor(rnd() * 50), t: day0 + Math.floor(rnd() * 90 * 86400) * 1000 };
      if (seen.has(`${f.id}:${f.t}`)) continue;
      seen.add(`${f.id}:${f.t}`);
      feats.push(f);
    }
    // Several batches, so that one id's history spans many files.
    for (let b = 0; b < 5; b++) {
      const part = feats.filter((_, i) => i % 5 === b);
      const byId = new Map<number, typeof part>();
      for (const f of part) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
      // One row per id per batch (a batch keeps the latest per id), so spread rows over sub-batches.
      const depth = Math.max(...[...byId.values()].map((l) => l.length));
      for (let k = 0; k < depth; k++) {
        const rows = [...byId.values()].map((l) => l[k]).filter((f) => f !== undefined);
        const text = 'id,t,v\n' + rows.map((f) => `${f.id},${new Date(f.t).toISOString()},${f.t / 1000}`).join('\n') + '\n';
        await fs.ingest('g', { file: file(`r${b}_${k}.csv`, text) });
      }
    }
    const ents: Array<{ id: number; t: number }> = [];
    for (let i = 0; i < 1000; i++) ents.push({ id: 100 + Math.floor(rnd() * 55), t: day0 + Math.floor(rnd() * 95 * 86400) * 1000 });
    const text = 'id,event_time\n' + ents.map((e) => `${e.id},${new Date(e.t).toISOString()}`).join('\n') + '\n';
    const r = await fs.buildDataset({ file: file('rand_entities.csv', text) }, { features: [{ group: 'g', features: ['v'] }] });
    expect(r.rows).toBe(1000);
    const all = await fs.buildDataset(
      { file: join(dir, 'rand_entities.csv') },
      { features: [{ group: 'g', features: ['v'] }], out: join(dir, 'rand.parquet') },
    );
    expect(all.rows).toBe(1000);
    await readTable(engine, join(dir, 'rand.parquet'), { name: 'rand' });
    const got = await engine.query<{ v: number | null }>('SELECT v FROM rand');
    let matched = 0;
    ents.forEach((e, i) => {
      const best = feats.filter((f) => f.id === e.id && f.t <= e.t).reduce<number | null>((m, f) => (m === null || f.t > m ? f.t : m), null);
      const v = got[i]!.v;
      if (v !== null) {
        expect(v * 1000).toBeLessThanOrEqual(e.t);
        matched += 1;
      }
      expect(v === null ? null : v * 1000).toBe(best);
    });
    expect(matched).toBeGreaterThan(500);
  });

  it('explains bad requests', async () => {
    const ents = file('e2.csv', 'id,when\n1,2024-01-01\n');
    const e1 = await fs.buildDataset({ file: ents }, { features: [{ group: 'g', features: ['v'] }] }).catch((e) => e as SluiceError);
    expect((e1 as SluiceError).code).toBe('DATASET_TIME_COLUMN_MISSING');
    const e2 = await fs.buildDataset({ file: ents }, { features: [{ group: 'g', features: ['nope'] }], timeColumn: 'when' }).catch((e) => e as SluiceError);
    expect((e2 as SluiceError).code).toBe('FEATURE_UNKNOWN');
    const e3 = await fs
      .buildDataset({ file: file('e3.csv', 'patient,event_time\n1,2024-01-01\n') }, { features: [{ group: 'g', features: [] }] })
      .catch((e) => e as SluiceError);
    expect((e3 as SluiceError).code).toBe('DATASET_ID_COLUMN_MISSING');
    const e4 = await fs
      .buildDataset({ file: file('e4.csv', 'id,event_time\n1,2024-01-01\n1,someday\n') }, { features: [{ group: 'g', features: [] }] })
      .catch((e) => e as SluiceError);
    expect([(e4 as SluiceError).code, (e4 as SluiceError).location?.record]).toEqual(['DATASET_TIME_INVALID', 1]);
    const e5 = await fs.buildDataset({ file: ents }, { features: [{ group: 'ghost', features: [] }], timeColumn: 'when' }).catch((e) => e as SluiceError);
    expect((e5 as SluiceError).httpStatus).toBe(404);
  });
});
