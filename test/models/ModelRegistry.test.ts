import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { hashFile } from '../../src/models/artifactFiles.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { ModelHistoryEntry } from '../../src/models/types.js';
import { errorOf, rejectionOf } from '../support/errors.js';


let project: string;
let reg: ModelRegistry;

function artifact(content: string): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-art-'));
  writeFileSync(join(d, 'model.json'), JSON.stringify({ kind: 'test', content }));
  mkdirSync(join(d, 'weights'));
  writeFileSync(join(d, 'weights', 'w.bin'), Buffer.from(content));
  return d;
}

const code = (fn: () => unknown): string => errorOf(fn).code;

const codeAsync = async (fn: () => Promise<unknown>): Promise<string> => (await rejectionOf(fn)).code;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'sluice-reg-'));
  reg = ModelRegistry.open(project);
});
afterEach(() => reg.close());

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
    expect(reg.list().map((m) => [m.name, m.versions, m.latestVersion])).toEqual([
      ['other', 1, 1],
      ['readmission', 2, 2],
    ]);
  });

  it('is idempotent with an idempotency key, and refuses bad input with a located error', async () => {
    const a = await reg.register(artifact('x'), { name: 'm', idempotencyKey: 'ex-1/train' });
    const b = await reg.register(artifact('y'), { name: 'm', idempotencyKey: 'ex-1/train' });
    expect(b.version).toBe(a.version);
    expect(reg.versions('m')).toHaveLength(1);
    expect(await codeAsync(() => reg.register(artifact('x'), { name: '../evil' }))).toBe('MODEL_BAD_NAME');
    expect(await codeAsync(() => reg.register(join(project, 'nope'), { name: 'm' }))).toBe('MODEL_ARTIFACT_MISSING');
    expect(await codeAsync(() => reg.register(artifact('x'), { name: 'm', metrics: { auc: 'high' as unknown as number } }))).toBe('MODEL_BAD_METRIC');
    expect(readdirSync(join(project, '.sluice', 'models', 'm'))).toEqual(['1']);
  });

  it('registers once when two registries race with the same idempotency key', async () => {
    const other = ModelRegistry.open(project);
    try {
      const [a, b] = await Promise.all([
        reg.register(artifact('x'), { name: 'race', idempotencyKey: 'ex-9/train' }),
        other.register(artifact('y'), { name: 'race', idempotencyKey: 'ex-9/train' }),
      ]);
      expect(a.version).toBe(b.version);
      expect(readdirSync(join(project, '.sluice', 'models', 'race'))).toEqual([String(a.version)]);
    } finally {
      other.close();
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
    expect(code(() => reg.promote('m', 1, 'champion', 'ana'))).toBe('MODEL_NOT_APPROVED');
    reg.setStatus('m', 1, 'approved', 'ana', 'looks good');
    reg.promote('m', 1, 'champion', 'ana');
    reg.promote('m', 1, 'champion', 'ana'); // no-op, not recorded
    reg.promote('m', 'champion', 'prod-eu', 'bob');
    const v = reg.get('m', 'prod-eu');
    expect(v.version).toBe(1);
    expect(v.aliases.sort()).toEqual(['champion', 'prod-eu']);
    expect(v.statusBy).toBe('ana');
    expect(v.statusComment).toBe('looks good');
    const h = reg.history('m');
    expect(h.map((e) => [e.kind, e.alias, e.from, e.to, e.by])).toEqual([
      ['registered', null, null, 'pending', 'pipeline'],
      ['status', null, 'pending', 'approved', 'ana'],
      ['alias', 'champion', null, '1', 'ana'],
      ['alias', 'prod-eu', null, '1', 'bob'],
    ]);
    for (const e of h) expect(Date.parse(e.at)).not.toBeNaN();
    expect(seen.map((e) => e.id)).toEqual(h.map((e) => e.id));
    // A failed change notifies nobody and records nothing.
    expect(code(() => reg.setStatus('m', 1, 'rejected', 'eve'))).toBe('MODEL_CHAMPION_REJECT');
    expect(reg.history('m')).toHaveLength(4);
    expect(seen).toHaveLength(4);
    reg.removeAlias('m', 'prod-eu', 'bob');
    expect(reg.aliases('m')).toEqual({ champion: 1 });
  });

  it('refuses unknown models, versions, aliases, statuses', async () => {
    await reg.register(artifact('1'), { name: 'm' });
    expect(code(() => reg.get('nope', 1))).toBe('MODEL_NOT_FOUND');
    expect(code(() => reg.get('m', 9))).toBe('MODEL_NOT_FOUND');
    expect(code(() => reg.get('m', 'champion'))).toBe('MODEL_NOT_FOUND');
    expect(code(() => reg.setStatus('m', 1, 'maybe' as never, 'x'))).toBe('MODEL_BAD_STATUS');
    expect(code(() => reg.promote('m', 1, '12', 'x'))).toBe('MODEL_BAD_NAME');
    expect(code(() => reg.promote('m', 1, 'latest', 'x'))).toBe('MODEL_BAD_NAME');
    expect(reg.get('m', 'latest').version).toBe(1);
    const e = (() => {
      try {
        reg.get('m', 9);
      } catch (err) {
        return err as SluiceError;
      }
      return undefined;
    })();
    expect(e?.httpStatus).toBe(404);
    expect(e?.hint).toContain('versions: 1');
  });
});

describe('ModelRegistry: rollback', () => {
  it('walks back through previous champions, skipping deleted and rejected versions', async () => {
    for (let i = 1; i <= 5; i++) {
      await reg.register(artifact(String(i)), { name: 'm', status: 'approved', by: 'pipeline' });
    }
    expect(code(() => reg.rollback('m', 'ana'))).toBe('MODEL_NO_CHAMPION');
    reg.promote('m', 1, 'champion', 'ana');
    expect(code(() => reg.rollback('m', 'ana'))).toBe('MODEL_NO_PREVIOUS_CHAMPION');
    reg.promote('m', 2, 'champion', 'ana');
    reg.promote('m', 3, 'champion', 'ana');
    reg.promote('m', 4, 'champion', 'ana');
    expect(reg.rollback('m', 'bob').version).toBe(3);
    expect(reg.rollback('m', 'bob').version).toBe(2); // further back, not a toggle to 4
    reg.promote('m', 5, 'champion', 'ana');
    expect(reg.rollback('m', 'bob').version).toBe(2);
    reg.promote('m', 4, 'champion', 'ana');
    reg.setStatus('m', 2, 'rejected', 'eve', 'bias found');
    expect(reg.rollback('m', 'bob').version).toBe(1); // skips rejected 2
    const last = reg.history('m').at(-1)!;
    expect([last.kind, last.from, last.to, last.by]).toEqual(['rollback', '4', '1', 'bob']);
    expect(reg.champion('m')?.version).toBe(1);
  });
});

describe('ModelRegistry: delete', () => {
  it('removes the artifacts (no orphans) and refuses the champion', async () => {
    await reg.register(artifact('1'), { name: 'm', status: 'approved' });
    await reg.register(artifact('2'), { name: 'm', status: 'approved' });
    reg.promote('m', 1, 'champion', 'ana');
    reg.promote('m', 2, 'challenger', 'ana');
    expect(await codeAsync(() => reg.delete('m', 1, 'eve'))).toBe('MODEL_CHAMPION_DELETE');
    expect(existsSync(reg.get('m', 1).artifactPath)).toBe(true);
    await reg.delete('m', 'challenger', 'eve', 'worse');
    expect(reg.aliases('m')).toEqual({ champion: 1 });
    expect(readdirSync(join(project, '.sluice', 'models', 'm'))).toEqual(['1']);
    expect(reg.history('m', 2).map((e) => e.kind)).toEqual(['registered', 'alias', 'alias_removed', 'deleted']);
  });

  it('collects folders an interrupted register or delete left behind', async () => {
    await reg.register(artifact('1'), { name: 'm' });
    const dir = join(project, '.sluice', 'models', 'm');
    mkdirSync(join(dir, '.tmp-999999999-abc'));
    mkdirSync(join(dir, '.deleted-1-abc'));
    mkdirSync(join(dir, '7'));
    reg.close();
    reg = ModelRegistry.open(project);
    expect(readdirSync(dir)).toEqual(['1']);
  });
});

describe('ModelRegistry: deploy decision', () => {
  it('promotes a better candidate to champion, keeps a worse one as challenger with the reason', async () => {
    for (let i = 1; i <= 3; i++) await reg.register(artifact(String(i)), { name: 'm', status: 'approved' });
    const first = reg.deploy('m', 1, 0.7, undefined, 'maximize', 'pipeline');
    expect(first.decision).toBe('champion');
    const worse = reg.deploy('m', 2, 0.68, 0.7, 'maximize', 'pipeline');
    expect(worse.decision).toBe('challenger');
    expect(worse.reason).toContain('does not beat');
    expect(reg.aliases('m')).toEqual({ champion: 1, challenger: 2 });
    expect(reg.history('m', 2).at(-1)?.comment).toBe(worse.reason);
    const better = reg.deploy('m', 3, 0.72, 0.69, 'maximize', 'pipeline');
    expect(better.decision).toBe('champion');
    expect(reg.aliases('m')).toEqual({ champion: 3, challenger: 2 });
    expect(reg.rollback('m', 'ana').version).toBe(1);
    await reg.register(artifact('4'), { name: 'm', status: 'approved' });
    const unmeasured = reg.deploy('m', 4, 0.5, undefined, 'maximize', 'pipeline');
    expect(unmeasured.decision).toBe('champion');
    expect(unmeasured.reason).toContain('the champion of "m" has no finite holdout metric');
  });
});
