import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { readVersionManifest } from '../../src/models/versionManifest.js';
import { postgresStateDb } from '../../src/state/postgresStateDb.js';
import { fakeArtifact } from '../support/fakeArtifact.js';
import { stateDrivers } from '../support/stateDrivers.js';

const artifact = (content: string) => fakeArtifact({ kind: 'test', content });

/**
 * The model registry, the same on SQLite and PostgreSQL (issue 17, point 1): versions, statuses,
 * aliases, history, rollback, delete, idempotent and concurrent registration. Artifacts stay in
 * the models folder; the rows are in the shared state.
 */
describe.each(stateDrivers)('ModelRegistry conformance: $name', (driver) => {
  let reg: ModelRegistry;
  let modelsDir: string;
  beforeAll(async () => {
    await driver.start();
    modelsDir = join(mkdtempSync(join(tmpdir(), 'sluice-reg-')), 'models');
    reg = await ModelRegistry.open(join(modelsDir, '..'), join(modelsDir, '..'), { state: await driver.fresh() });
  }, 120_000);
  afterAll(async () => {
    await reg?.close();
    await driver.stop();
  }, 60_000);

  it('registers versions with increasing numbers, their folders and manifests, and lists them', async () => {
    const v1 = await reg.register(artifact('a'), { name: 'm', metrics: { auc: 0.7 }, tags: { t: 'x' }, by: 'ana', description: 'first' });
    const v2 = await reg.register(artifact('b'), { name: 'm', by: 'ana' });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1).toMatchObject({ name: 'm', status: 'pending', metrics: { auc: 0.7 }, tags: { t: 'x' }, createdBy: 'ana', description: 'first', aliases: [] });
    expect(existsSync(join(modelsDir, 'm', '1'))).toBe(true);
    expect(readVersionManifest(join(modelsDir, 'm', '2'))?.version).toBe(2);
    expect(await reg.list()).toEqual([{ name: 'm', versions: 2, latestVersion: 2, aliases: {} }]);
    expect((await reg.versions('m')).map((v) => v.version)).toEqual([2, 1]);
    expect(await reg.resolve('m', 'latest')).toBe(2);
    await expect(reg.get('m', 9)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(reg.get('nobody', 1)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('returns the first version again for a repeated idempotency key, leaving no second folder', async () => {
    const a = await reg.register(artifact('idem'), { name: 'idem', idempotencyKey: 'ex-1:register' });
    const b = await reg.register(artifact('idem'), { name: 'idem', idempotencyKey: 'ex-1:register' });
    expect(b.version).toBe(a.version);
    expect(readdirSync(join(modelsDir, 'idem')).filter((f) => /^\d+$/.test(f))).toEqual(['1']);
  });

  it('approves, promotes, records the history, rolls back and refuses what it must', async () => {
    await expect(reg.promote('m', 1, 'champion', 'ana')).rejects.toMatchObject({ code: 'MODEL_NOT_APPROVED' });
    await reg.setStatus('m', 1, 'approved', 'ana', 'ok');
    await reg.setStatus('m', 2, 'approved', 'ben');
    await reg.promote('m', 1, 'champion', 'ana');
    await reg.promote('m', 2, 'champion', 'ben');
    expect((await reg.champion('m'))?.version).toBe(2);
    expect(await reg.previousChampions('m')).toEqual([1]);
    await expect(reg.setStatus('m', 2, 'rejected', 'ana')).rejects.toMatchObject({ code: 'MODEL_CHAMPION_REJECT' });
    await expect(reg.delete('m', 2, 'ana')).rejects.toMatchObject({ code: 'MODEL_CHAMPION_DELETE' });
    const back = await reg.rollback('m', 'ana', 'regression');
    expect(back.version).toBe(1);
    expect(await reg.aliases('m')).toEqual({ champion: 1 });
    expect(readVersionManifest(join(modelsDir, 'm', '1'))?.aliases.champion?.by).toBe('ana');
    expect(readVersionManifest(join(modelsDir, 'm', '2'))?.aliases.champion).toBeUndefined();
    const history = await reg.history('m');
    expect(history.map((h) => [h.kind, h.version, h.by])).toEqual([
      ['registered', 1, 'ana'],
      ['registered', 2, 'ana'],
      ['status', 1, 'ana'],
      ['status', 2, 'ben'],
      ['alias', 1, 'ana'],
      ['alias', 2, 'ben'],
      ['rollback', 1, 'ana'],
    ]);
    expect(history.every((h, i) => i === 0 || h.id > history[i - 1]!.id)).toBe(true);
    await reg.setTags('m', 1, { team: 'core', t: null }, 'ana');
    expect((await reg.get('m', 'champion')).tags).toEqual({ team: 'core' });
  });

  it('deploys a better candidate as champion and a worse one as challenger', async () => {
    const v3 = await reg.register(artifact('c'), { name: 'm', metrics: { auc: 0.9 } });
    const d = await reg.deploy('m', v3.version, 0.9, 0.7, 'maximize', 'pipeline', { approveWinner: 'batch approved' });
    expect(d).toMatchObject({ decision: 'champion', version: 3 });
    const v4 = await reg.register(artifact('d'), { name: 'm' });
    expect((await reg.deploy('m', v4.version, 0.5, 0.9, 'maximize', 'pipeline')).decision).toBe('challenger');
    expect(await reg.aliases('m')).toEqual({ champion: 3, challenger: 4 });
  });

  it('deletes a version, its aliases and folder, and never reuses its number', async () => {
    await reg.delete('m', 4, 'ana', 'not needed');
    expect(existsSync(join(modelsDir, 'm', '4'))).toBe(false);
    expect(await reg.aliases('m')).toEqual({ champion: 3 });
    expect((await reg.register(artifact('e'), { name: 'm' })).version).toBe(5);
    await reg.removeAlias('m', 'champion', 'ana');
    expect(await reg.champion('m')).toBeUndefined();
  });

  it('gives concurrent registrations distinct versions, each with its folder (two connections on PostgreSQL)', async () => {
    const other =
      driver.name === 'postgres'
        ? await ModelRegistry.open(join(modelsDir, '..'), join(modelsDir, '..'), { state: await postgresStateDb(driver.url()), ownsState: true })
        : reg;
    try {
      const made = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : reg).register(artifact(`c${i}`), { name: 'race' })));
      expect(made.map((v) => v.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(readdirSync(join(modelsDir, 'race')).filter((f) => /^\d+$/.test(f)).length).toBe(6);
      expect(readdirSync(join(modelsDir, 'race')).filter((f) => !/^\d+$/.test(f))).toEqual([]);
    } finally {
      if (other !== reg) await other.close();
    }
  });
});
