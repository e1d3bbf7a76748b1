import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../src/models/artifactFiles.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { ModelHistoryEntry } from '../../src/models/types.js';
import { rejectionOf } from '../support/errors.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

let project: string;
let reg: ModelRegistry;

function artifact(content: string): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-art-'));
  fakeArtifact({ kind: 'test', content }, d);
  mkdirSync(join(d, 'weights'));
  writeFileSync(join(d, 'weights', 'w.bin'), Buffer.from(content));
  return d;
}

const codeAsync = async (fn: () => Promise<unknown>): Promise<string> => (await rejectionOf(fn)).code;

beforeEach(async () => {
  project = mkdtempSync(join(tmpdir(), 'sluice-reg-'));
  reg = await ModelRegistry.open(project);
});
afterEach(async () => await reg.close());

describe('ModelRegistry: register', () => {
  it('copies the artifact atomically, numbers versions per name, keeps lineage', async () => {
    const src = artifact('one');
    const batch = join(project, 'batch.csv');
    writeFileSync(batch, 'a,b\n1,2\n');
    const v1 = await reg.register(src, {
      name: 'readmission',
      metrics: { auc: 0.7 },
      tags: { team: 'care' },
      by: 'pipeline',
      lineage: {
        trainingBatch: { file: batch, contentHash: await hashFile(batch), executionId: 'ex-1' },
        fittedFlow: 'flows/diabetes.fitted.json',
        insightsReport: '.sluice/reports/ex-1/report.html',
        approval: { by: 'ana', at: '2026-01-01T00:00:00Z', comment: 'fine' },
        trainingConfig: { learner: 'gbt', rounds: 100 },
        seed: 42,
      },
    });
    expect(v1.version).toBe(1);
    expect(v1.status).toBe('pending');
    expect(v1.artifactPath).toBe(join(project, '.sluice', 'models', 'readmission', '1'));
    expect(readFileSync(join(v1.artifactPath, 'weights', 'w.bin'), 'utf8')).toBe('one');
    expect(existsSync(join(src, 'model.json'))).toBe(true); // source kept
    expect(v1.artifactHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(v1.lineage.trainingBatch?.contentHash).toMatch(/^sha256:/);
    expect(v1.lineage.seed).toBe(42);
    expect(v1.metrics).toEqual({ auc: 0.7 });

    const v2 = await reg.register(artifact('two'), { name: 'readmission' });
    const o1 = await reg.register(artifact('other'), { name: 'other' });
    expect([v2.version, o1.version]).toEqual([2, 1]);
    expect(v2.artifactHash).not.toBe(v1.artifactHash);
    // No temp folders remain beside the versions.
    expect(readdirSync(join(project, '.sluice', 'models', 'readmission')).sort()).toEqual(['1', '2']);
    expect((await reg.list()).map((m) => [m.name, m.versions, m.latestVersion])).toEqual([
      ['other', 1, 1],
      ['readmission', 2, 2],
    ]);
  });

  it('is idempotent with an idempotency key, and refuses bad input with a located error', async () => {
    const a = await reg.register(artifact('x'), { name: 'm', idempotencyKey: 'ex-1/train' });
    const b = await reg.register(artifact('y'), { name: 'm', idempotencyKey: 'ex-1/train' });
    expect(b.version).toBe(a.version);
    expect(await reg.versions('m')).toHaveLength(1);
    expect(await codeAsync(() => reg.register(artifact('x'), { name: '../evil' }))).toBe('MODEL_BAD_NAME');
    expect(await codeAsync(() => reg.register(join(project, 'nope'), { name: 'm' }))).toBe('ARTIFACT_NOT_FOUND');
    expect(await codeAsync(() => reg.register(artifact('x'), { name: 'm', metrics: { auc: 'high' as unknown as number } }))).toBe('MODEL_BAD_METRIC');
    expect(readdirSync(join(project, '.sluice', 'models', 'm'))).toEqual(['1']);
  });

  it('registers once when two registries race with the same idempotency key', async () => {
    const other = await ModelRegistry.open(project);
    try {
      const [a, b] = await Promise.all([
        reg.register(artifact('x'), { name: 'race', idempotencyKey: 'ex-9/train' }),
        other.register(artifact('y'), { name: 'race', idempotencyKey: 'ex-9/train' }),
      ]);
      expect(a.version).toBe(b.version);
      expect(readdirSync(join(project, '.sluice', 'models', 'race'))).toEqual([String(a.version)]);
    } finally {
      await other.close();
    }
  });

  it('never reuses a version number after a delete', async () => {
    await reg.register(artifact('1'), { name: 'm' });
    await reg.register(artifact('2'), { name: 'm' });
    await reg.delete('m', 2, 'ana');
    const v = await reg.register(artifact('3'), { name: 'm' });
    expect(v.version).toBe(3);
  });
});

describe('ModelRegistry: status, aliases, history', () => {
  it('records who and when for every status and alias change', async () => {
    const seen: ModelHistoryEntry[] = [];
    reg.onChange((e) => seen.push(e));
    await reg.register(artifact('1'), { name: 'm', by: 'pipeline' });
    expect(await codeAsync(() => reg.promote('m', 1, 'champion', 'ana'))).toBe('MODEL_NOT_APPROVED');
    await reg.setStatus('m', 1, 'approved', 'ana', 'looks good');
    await reg.promote('m', 1, 'champion', 'ana');
    await reg.promote('m', 1, 'champion', 'ana'); // no-op, not recorded
    await reg.promote('m', 'champion', 'prod-eu', 'bob');
    const v = await reg.get('m', 'prod-eu');
    expect(v.version).toBe(1);
    expect(v.aliases.sort()).toEqual(['champion', 'prod-eu']);
    expect(v.statusBy).toBe('ana');
    expect(v.statusComment).toBe('looks good');
    const h = await reg.history('m');
    expect(h.map((e) => [e.kind, e.alias, e.from, e.to, e.by])).toEqual([
      ['registered', null, null, 'pending', 'pipeline'],
      ['status', null, 'pending', 'approved', 'ana'],
      ['alias', 'champion', null, '1', 'ana'],
      ['alias', 'prod-eu', null, '1', 'bob'],
    ]);
    for (const e of h) expect(Date.parse(e.at)).not.toBeNaN();
    expect(seen.map((e) => e.id)).toEqual(h.map((e) => e.id));
    // A failed change notifies nobody and records nothing.
    expect(await codeAsync(() => reg.setStatus('m', 1, 'rejected', 'eve'))).toBe('MODEL_CHAMPION_REJECT');
    expect(await reg.history('m')).toHaveLength(4);
    expect(seen).toHaveLength(4);
    await reg.removeAlias('m', 'prod-eu', 'bob');
    expect(await reg.aliases('m')).toEqual({ champion: 1 });
  });

  it('refuses unknown models, versions, aliases, statuses', async () => {
    await reg.register(artifact('1'), { name: 'm' });
    expect(await codeAsync(() => reg.get('nope', 1))).toBe('MODEL_NOT_FOUND');
    expect(await codeAsync(() => reg.get('m', 9))).toBe('MODEL_NOT_FOUND');
    expect(await codeAsync(() => reg.get('m', 'champion'))).toBe('MODEL_NOT_FOUND');
    expect(await codeAsync(() => reg.setStatus('m', 1, 'maybe' as never, 'x'))).toBe('MODEL_BAD_STATUS');
    expect(await codeAsync(() => reg.promote('m', 1, '12', 'x'))).toBe('MODEL_BAD_NAME');
    expect(await codeAsync(() => reg.promote('m', 1, 'latest', 'x'))).toBe('MODEL_BAD_NAME');
    expect((await reg.get('m', 'latest')).version).toBe(1);
    const e = await rejectionOf(() => reg.get('m', 9));
    expect(e?.httpStatus).toBe(404);
    expect(e?.hint).toContain('versions: 1');
  });
});

describe('ModelRegistry: rollback', () => {
  it('walks back through previous champions, skipping deleted and rejected versions', async () => {
    for (let i = 1; i <= 5; i++) {
      await reg.register(artifact(String(i)), { name: 'm', status: 'approved', by: 'pipeline' });
    }
    expect(await codeAsync(() => reg.rollback('m', 'ana'))).toBe('MODEL_NO_CHAMPION');
    await reg.promote('m', 1, 'champion', 'ana');
    expect(await codeAsync(() => reg.rollback('m', 'ana'))).toBe('MODEL_NO_PREVIOUS_CHAMPION');
    await reg.promote('m', 2, 'champion', 'ana');
    await reg.promote('m', 3, 'champion', 'ana');
    await reg.promote('m', 4, 'champion', 'ana');
    expect((await reg.rollback('m', 'bob')).version).toBe(3);
    expect((await reg.rollback('m', 'bob')).version).toBe(2); // further back, not a toggle to 4
    await reg.promote('m', 5, 'champion', 'ana');
    expect((await reg.rollback('m', 'bob')).version).toBe(2);
    await reg.promote('m', 4, 'champion', 'ana');
    await reg.setStatus('m', 2, 'rejected', 'eve', 'bias found');
    expect((await reg.rollback('m', 'bob')).version).toBe(1); // skips rejected 2
    const last = (await reg.history('m')).at(-1)!;
    expect([last.kind, last.from, last.to, last.by]).toEqual(['rollback', '4', '1', 'bob']);
    expect((await reg.champion('m'))?.version).toBe(1);
  });
});

describe('ModelRegistry: delete', () => {
  it('removes the artifacts (no orphans) and refuses the champion', async () => {
    await reg.register(artifact('1'), { name: 'm', status: 'approved' });
    await reg.register(artifact('2'), { name: 'm', status: 'approved' });
    await reg.promote('m', 1, 'champion', 'ana');
    await reg.promote('m', 2, 'challenger', 'ana');
    expect(await codeAsync(() => reg.delete('m', 1, 'eve'))).toBe('MODEL_CHAMPION_DELETE');
    expect(existsSync((await reg.get('m', 1)).artifactPath)).toBe(true);
    await reg.delete('m', 'challenger', 'eve', 'worse');
    expect(await reg.aliases('m')).toEqual({ champion: 1 });
    expect(readdirSync(join(project, '.sluice', 'models', 'm'))).toEqual(['1']);
    expect((await reg.history('m', 2)).map((e) => e.kind)).toEqual(['registered', 'alias', 'alias_removed', 'deleted']);
  });

  it('never deletes on open; gc removes leftovers, and unregistered folders only with --orphans', async () => {
    await reg.register(artifact('1'), { name: 'm' });
    const dir = join(project, '.sluice', 'models', 'm');
    mkdirSync(join(dir, '.tmp-999999999-abc'));
    mkdirSync(join(dir, '.deleted-1-abc'));
    mkdirSync(join(dir, '7'));
    await reg.close();
    reg = await ModelRegistry.open(project);
    expect(readdirSync(dir).sort()).toEqual(['.deleted-1-abc', '.tmp-999999999-abc', '1', '7']);
    const dry = await reg.collectGarbage({ dryRun: true });
    expect(dry.leftovers.sort()).toEqual([join(dir, '.deleted-1-abc'), join(dir, '.tmp-999999999-abc')]);
    expect(dry.unregistered).toEqual([join(dir, '7')]);
    expect(readdirSync(dir)).toHaveLength(4);
    expect((await reg.collectGarbage()).removed).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual(['1', '7']);
    expect((await reg.collectGarbage({ orphans: true })).removed).toEqual([join(dir, '7')]);
    expect(readdirSync(dir)).toEqual(['1']);
  });
});

describe('ModelRegistry: nothing deleted by inference, recovery from the folders', () => {
  async function championProject(): Promise<string[]> {
    await reg.register(artifact('1'), { name: 'm', status: 'approved', metrics: { auc: 0.7 }, lineage: { seed: 1 } });
    await reg.register(artifact('2'), { name: 'm', status: 'approved', metrics: { auc: 0.8 }, tags: { team: 'care' } });
    await reg.register(artifact('3'), { name: 'm' });
    await reg.promote('m', 1, 'champion', 'ana');
    await reg.promote('m', 2, 'champion', 'ana', 'better');
    await reg.promote('m', 3, 'challenger', 'pipeline');
    return (await reg.versions('m')).map((v) => v.artifactHash);
  }

  it('each version folder carries a manifest that follows status and alias changes, outside the artifact hash', async () => {
    const hashes = await championProject();
    const manifest = (v: number) => JSON.parse(readFileSync(join(project, '.sluice', 'models', 'm', String(v), 'sluice-version.json'), 'utf8'));
    expect(Object.keys(manifest(2).aliases)).toEqual(['champion']);
    expect(manifest(1).aliases).toEqual({});
    expect(manifest(2).tags).toEqual({ team: 'care' });
    expect(manifest(3).status).toBe('pending');
    await reg.setStatus('m', 3, 'approved', 'bob', 'ok');
    expect([manifest(3).status, manifest(3).statusBy]).toEqual(['approved', 'bob']);
    expect((await reg.versions('m')).map((v) => v.artifactHash)).toEqual(hashes);
  });

  it('a wiped database deletes nothing, and recover rebuilds versions, statuses and the champion', async () => {
    await championProject();
    const modelDir = join(project, '.sluice', 'models', 'm');
    await reg.close();
    for (const f of ['sluice.db', 'sluice.db-wal', 'sluice.db-shm']) rmSync(join(project, '.sluice', f), { force: true });
    expect(await codeAsync(() => ModelRegistry.open(project))).toBe('STATE_MISSING');
    reg = await ModelRegistry.open(project, undefined, { allowMissingState: true });
    expect(readdirSync(modelDir).sort()).toEqual(['1', '2', '3']);
    expect(await reg.list()).toEqual([]);
    const dry = await reg.recover('ops', { dryRun: true });
    expect(dry.recovered.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(await reg.list()).toEqual([]);
    const r = await reg.recover('ops');
    expect(r.aliases.map((a) => `${a.alias}=${a.version}`).sort()).toEqual(['challenger=3', 'champion=2']);
    expect(await reg.aliases('m')).toEqual({ champion: 2, challenger: 3 });
    expect((await reg.get('m', 2)).metrics).toEqual({ auc: 0.8 });
    expect((await reg.get('m', 1)).lineage).toEqual({ seed: 1 });
    expect((await reg.get('m', 3)).status).toBe('pending');
    expect((await reg.history('m', 2)).map((e) => e.kind)).toEqual(['recovered', 'alias']);
    // Numbering continues after the recovered versions, and a second recover finds nothing.
    expect((await reg.register(artifact('4'), { name: 'm' })).version).toBe(4);
    expect((await reg.recover('ops')).recovered).toEqual([]);
  });

  it('registering beside a folder without a row never overwrites it (an older database)', async () => {
    await reg.register(artifact('1'), { name: 'm' });
    const dir = join(project, '.sluice', 'models', 'm');
    mkdirSync(join(dir, '5'));
    writeFileSync(join(dir, '5', 'model.json'), 'precious');
    const v = await reg.register(artifact('2'), { name: 'm' });
    expect(v.version).toBe(6);
    expect(readFileSync(join(dir, '5', 'model.json'), 'utf8')).toBe('precious');
  });

  it('a copy a killed register left (same idempotency key as a registered version) is a leftover, not recovered', async () => {
    const v = await reg.register(artifact('1'), { name: 'm', idempotencyKey: 'ex-1:register' });
    const copy = join(project, '.sluice', 'models', 'm', '9');
    cpSync(v.artifactPath, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'sluice-version.json'), 'utf8'));
    writeFileSync(join(copy, 'sluice-version.json'), JSON.stringify({ ...manifest, version: 9 }));
    expect(await reg.collectGarbage({ dryRun: true })).toMatchObject({ leftovers: [copy], unregistered: [] });
    expect((await reg.recover('ops')).recovered).toEqual([]);
    await reg.collectGarbage();
    expect(existsSync(copy)).toBe(false);
  });

  it('a folder whose files changed since registration comes back pending, without its aliases', async () => {
    await championProject();
    writeFileSync(join(project, '.sluice', 'models', 'm', '2', 'model.json'), 'tampered');
    await reg.close();
    rmSync(join(project, '.sluice', 'sluice.db'));
    rmSync(join(project, '.sluice', 'sluice.db-wal'), { force: true });
    reg = await ModelRegistry.open(project, undefined, { allowMissingState: true });
    const r = await reg.recover('ops');
    expect(r.recovered.find((v) => v.version === 2)?.notes[0]).toContain('files changed since registration');
    expect((await reg.get('m', 2)).status).toBe('pending');
    expect(await reg.aliases('m')).toEqual({ challenger: 3 });
  });
});

describe('ModelRegistry: deploy decision', () => {
  it('promotes a better candidate to champion, keeps a worse one as challenger with the reason', async () => {
    for (let i = 1; i <= 3; i++) await reg.register(artifact(String(i)), { name: 'm', status: 'approved' });
    const first = await reg.deploy('m', 1, 0.7, undefined, 'maximize', 'pipeline');
    expect(first.decision).toBe('champion');
    const worse = await reg.deploy('m', 2, 0.68, 0.7, 'maximize', 'pipeline');
    expect(worse.decision).toBe('challenger');
    expect(worse.reason).toContain('does not beat');
    expect(await reg.aliases('m')).toEqual({ champion: 1, challenger: 2 });
    expect((await reg.history('m', 2)).at(-1)?.comment).toBe(worse.reason);
    const better = await reg.deploy('m', 3, 0.72, 0.69, 'maximize', 'pipeline');
    expect(better.decision).toBe('champion');
    expect(await reg.aliases('m')).toEqual({ champion: 3, challenger: 2 });
    expect((await reg.rollback('m', 'ana')).version).toBe(1);
    await reg.register(artifact('4'), { name: 'm', status: 'approved' });
    const unmeasured = await reg.deploy('m', 4, 0.5, undefined, 'maximize', 'pipeline');
    expect(unmeasured.decision).toBe('champion');
    expect(unmeasured.reason).toContain('the champion of "m" has no finite holdout metric');
  });
});
