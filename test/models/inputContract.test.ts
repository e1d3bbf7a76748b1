import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../src/core/types.js';
import { compareInputs, describeInputChange } from '../../src/models/inputContract.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { modelsRoutes } from '../../src/server/routes/models.js';
import { MANIFEST_FORMAT } from '../../src/artifact/manifest.js';
import { splitHoldoutFile } from '../../src/training/splitHoldoutFile.js';
import { rejectionOf } from '../support/errors.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

const BASE: ColumnSchema[] = [
  { name: 'age', type: 'integer' },
  { name: 'gender', type: 'string' },
];
const WIDER: ColumnSchema[] = [...BASE, { name: 'extra_1', type: 'float' }, { name: 'extra_2', type: 'string' }];

/** A training output folder whose manifest records `inputs` (as trainModel writes it). */
function artifact(inputs: ColumnSchema[]): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-contract-art-'));
  writeFileSync(join(d, 'model.json'), JSON.stringify({ format: MANIFEST_FORMAT, formatVersion: 1, inputSignature: inputs }));
  fakeArtifact({ kind: 'test', inputs }, join(d, 'model'));
  return d;
}

let reg: ModelRegistry;
beforeEach(async () => {
  reg = await ModelRegistry.open(mkdtempSync(join(tmpdir(), 'sluice-contract-')));
  for (const inputs of [BASE, WIDER, BASE.map((c) => (c.name === 'age' ? { ...c, type: 'float' as const } : c)), BASE]) {
    const v = await reg.register(artifact(inputs), { name: 'm', by: 'test' });
    await reg.setStatus('m', v.version, 'approved', 'ana');
  }
  await reg.promote('m', 1, 'champion', 'ana');
});
afterEach(async () => await reg.close());

describe('the input contract (issue 13, point 10)', () => {
  it('compares required inputs: added, removed, retyped', () => {
    expect(compareInputs(BASE, [...BASE].reverse())).toBeUndefined();
    const c = compareInputs(BASE, WIDER)!;
    expect(describeInputChange(c)).toBe('requires new columns extra_1, extra_2');
    expect(describeInputChange(compareInputs(WIDER, [{ name: 'age', type: 'float' }])!)).toBe(
      'no longer requires gender, extra_1, extra_2; age is now float (was integer)',
    );
  });

  it('promotion refuses a version whose required inputs differ, unless told', async () => {
    const e = await rejectionOf(() => reg.promote('m', 2, 'champion', 'ana'));
    expect(e.code).toBe('MODEL_INPUTS_CHANGED');
    expect(e.httpStatus).toBe(409);
    expect(e.message).toContain('requires new columns extra_1, extra_2 compared with champion version 1');
    expect(e.hint).toContain('--allow-schema-change');
    expect((await reg.champion('m'))!.version).toBe(1);
    expect((await rejectionOf(() => reg.promote('m', 3, 'champion', 'ana'))).message).toContain('age is now float (was integer)');
    // Same inputs: promoted; another alias: never checked.
    expect((await reg.promote('m', 4, 'champion', 'ana')).version).toBe(4);
    expect((await reg.promote('m', 2, 'challenger', 'ana')).aliases).toContain('challenger');
    // Told: promoted, and the history says the inputs changed.
    await reg.promote('m', 2, 'champion', 'ana', 'clients updated', { allowSchemaChange: true });
    expect((await reg.champion('m'))!.version).toBe(2);
    expect((await reg.history('m', 2)).at(-1)!.comment).toBe('clients updated; inputs changed (allowed): requires new columns extra_1, extra_2');
  });

  it("the pipeline's deploy keeps a better model with other inputs as challenger, unless model.allowSchemaChange", async () => {
    const d = await reg.deploy('m', 2, 0.9, 0.7, 'maximize', 'pipeline:ex-1');
    expect(d.decision).toBe('challenger');
    expect(d.reason).toContain('requires new columns extra_1, extra_2 compared with champion version 1; kept as challenger');
    expect(d.inputChange?.added.map((c) => c.name)).toEqual(['extra_1', 'extra_2']);
    expect((await reg.champion('m'))!.version).toBe(1);
    const allowed = await reg.deploy('m', 3, 0.95, 0.7, 'maximize', 'pipeline:ex-2', { allowSchemaChange: true });
    expect(allowed.decision).toBe('champion');
    expect(allowed.inputChange?.retyped).toEqual([{ name: 'age', from: 'integer', to: 'float' }]);
    expect((await reg.champion('m'))!.version).toBe(3);
  });

  it('POST /api/models/:name/promote answers 409, and promotes with "allowSchemaChange": true', async () => {
    const app = Fastify();
    await app.register(modelsRoutes, { registry: reg, prefix: '/api' });
    const promote = (body: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/models/m/promote', headers: { 'x-sluice-user': 'ana' }, payload: body });
    const refused = await promote({ version: 2 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'MODEL_INPUTS_CHANGED', details: { added: [{ name: 'extra_1' }, { name: 'extra_2' }] } });
    expect((await promote({ version: 2, allowSchemaChange: 'yes' })).statusCode).toBe(400);
    expect((await promote({ version: 2, allowSchemaChange: true })).statusCode).toBe(200);
    expect((await reg.champion('m'))!.version).toBe(2);
    await app.close();
  });
});

describe('columns the flow does not know', () => {
  it('splitHoldoutFile leaves the dropped columns out of the training rows only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-contract-split-'));
    const csv = join(dir, 'batch.csv');
    writeFileSync(csv, `age,gender,extra_1,y\n${Array.from({ length: 50 }, (_, i) => `${i},F,${i / 2},${i % 2}`).join('\n')}\n`);
    const s = await splitHoldoutFile(csv, {
      fraction: 0.2,
      seed: 0,
      train: join(dir, 't.parquet'),
      holdout: join(dir, 'h.parquet'),
      drop: (cols) => cols.filter((c) => c === 'extra_1' || c === 'nope'),
    });
    expect(s.dropped).toEqual(['extra_1']);
    const { Engine } = await import('../../src/engine/Engine.js');
    const engine = await Engine.open();
    try {
      expect((await engine.describe(`SELECT * FROM read_parquet('${s.train}')`)).map((c) => c.name)).toEqual(['age', 'gender', 'y']);
      expect((await engine.describe(`SELECT * FROM read_parquet('${s.holdout}')`)).map((c) => c.name)).toEqual(['age', 'gender', 'extra_1', 'y']);
    } finally {
      engine.close();
    }
  });
});
