import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { runCliInProcess } from '../support/runCliInProcess.js';
import { SLUICE_BIN } from '../support/sluiceBin.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

const run = promisify(execFile);
let project: string;

/** `sluice models ARGS --project PROJECT`, the built CLI in this process. */
function sluice(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliInProcess(['models', ...args, '--project', project], { env: { SLUICE_USER: 'tester' } });
}

/** The same in a child process: the `sluice` command itself, for what separate processes do. */
async function sluiceProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [SLUICE_BIN, 'models', ...args, '--project', project], { env: { ...process.env, SLUICE_USER: 'tester' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  const reg = await ModelRegistry.open(project);
  for (let i = 1; i <= 2; i++) {
    const art = mkdtempSync(join(tmpdir(), 'sluice-cli-art-'));
    fakeArtifact('{}', art);
    await reg.register(art, {
      name: 'readmission',
      metrics: { auc: 0.7 },
      lineage: { seed: 7, trainingBatch: { file: 'inbox/b1.csv', contentHash: 'sha256:ab', executionId: 'ex-1' } },
    });
  }
  await reg.close();
});

describe('sluice models', () => {
  it('lists, shows, approves, promotes, rolls back, deletes', async () => {
    expect((await sluice('list')).stdout).toMatch(/readmission\s+2\s+2/);
    expect((await sluice('promote', 'readmission', '1')).stderr).toContain('MODEL_NOT_APPROVED');
    expect((await sluice('approve', 'readmission', '1', '-m', 'reviewed')).code).toBe(0);
    expect((await sluice('approve', 'readmission', '2')).code).toBe(0);
    expect((await sluice('promote', 'readmission', '1')).stdout).toContain('champion -> version 1');
    expect((await sluice('promote', 'readmission', '2')).code).toBe(0);
    expect((await sluice('rollback', 'readmission', '--by', 'ana')).stdout).toContain('version 2 -> version 1');
    const show = await sluice('show', 'readmission', 'champion');
    expect(show.stdout).toContain('readmission version 1 (champion)');
    expect(show.stdout).toContain('approved by tester');
    expect(show.stdout).toContain('inbox/b1.csv sha256:ab (execution ex-1)');
    const json = JSON.parse((await sluice('show', 'readmission', '--json')).stdout);
    expect(json.aliases).toEqual({ champion: 1 });
    const del = await sluice('delete', 'readmission', 'champion');
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('error[MODEL_CHAMPION_DELETE]');
    expect(del.stderr).toContain('hint:');
    const v2 = JSON.parse((await sluice('show', 'readmission', '2', '--json')).stdout).artifactPath as string;
    expect((await sluice('delete', 'readmission', '2')).code).toBe(0);
    expect(existsSync(v2)).toBe(false);
    const history = (await sluice('history', 'readmission')).stdout;
    expect(history).toMatch(/ana\s+1\s+rollback champion 2 -> 1/);
    expect((await sluice('show', 'nope')).stderr).toContain('error[MODEL_NOT_FOUND]');
  }, 240_000); // 16 processes: minutes on a loaded machine

  it('registers an artifact folder with metrics, tags and lineage', async () => {
    const art = mkdtempSync(join(tmpdir(), 'sluice-cli-reg-'));
    fakeArtifact('{}', art);
    const lineage = join(art, '..', `lineage-${Date.now()}.json`);
    writeFileSync(lineage, JSON.stringify({ seed: 3, fittedFlow: 'f.json' }));
    const r = await sluice(
      'register',
      'churn',
      art,
      '--metric',
      'auc=0.8',
      '--metric',
      'f1=0.5',
      '--tag',
      'team=care',
      '--lineage',
      lineage,
      '--status',
      'approved',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: 'churn',
      version: 1,
      status: 'approved',
      metrics: { auc: 0.8, f1: 0.5 },
      tags: { team: 'care' },
      lineage: { seed: 3 },
      createdBy: 'tester',
    });
    expect((await sluice('register', 'churn', art, '--metric', 'auc=high')).stderr).toContain('error[MODEL_BAD_METRIC]');
    expect((await sluice('register', 'churn', art, '--status', 'maybe')).stderr).toContain('error[MODEL_BAD_STATUS]');
  });

  it('a metric, tag or lineage key named __proto__ is refused with the option or the file, not dropped; nothing is registered', async () => {
    const art = mkdtempSync(join(tmpdir(), 'sluice-cli-reserved-'));
    fakeArtifact('{}', art);
    const lineage = join(art, '..', `lineage-reserved-${Date.now()}.json`);
    writeFileSync(lineage, '{"seed": 3, "trainingBatch": {"file": "b.csv", "__proto__": {"executionId": "ex-9"}}}');
    const cases: Array<[string[], string, string]> = [
      [['--metric', 'auc=0.8', '--metric', '__proto__=1'], 'the option --metric "__proto__=1" has a key "__proto__"', '--metric'],
      [['--tag', '__proto__=care'], 'the option --tag "__proto__=care" has a key "__proto__"', '--tag'],
      [['--lineage', lineage], `${lineage} has a key "__proto__" at trainingBatch.__proto__`, 'trainingBatch.__proto__'],
    ];
    for (const [options, message, field] of cases) {
      const r = await sluice('register', 'reserved', art, ...options, '--json');
      expect(r.code, r.stdout).not.toBe(0);
      expect(r.stderr).toContain('error[JSON_RESERVED_KEY]');
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(field);
      expect(r.stderr).toContain('hint: rename the key "__proto__" or leave it out');
    }
    expect((await sluice('show', 'reserved')).stderr).toContain('error[MODEL_NOT_FOUND]');
  });

  it('gives concurrent registrations from separate processes distinct versions', async () => {
    const arts = Array.from({ length: 5 }, (_, i) => {
      const d = mkdtempSync(join(tmpdir(), 'sluice-cli-par-'));
      fakeArtifact(JSON.stringify({ i }), d);
      return d;
    });
    const results = await Promise.all(arts.map((a) => sluiceProcess('register', 'parallel', a, '--json')));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const versions = results.map((r) => JSON.parse(r.stdout).version as number).sort((a, b) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5]);
    const reg = await ModelRegistry.open(project);
    try {
      const seen: number[] = [];
      for (const v of await reg.versions('parallel')) {
        seen.push(JSON.parse(readFileSync(join(v.artifactPath, 'model.json'), 'utf8')).i as number);
        const mine = results.find((r) => JSON.parse(r.stdout).version === v.version)!;
        expect(JSON.parse(mine.stdout).artifactHash).toBe(v.artifactHash);
      }
      // Each artifact landed in exactly one version folder.
      expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
      expect(readdirSync(join(project, '.sluice', 'models', 'parallel')).sort()).toEqual(['1', '2', '3', '4', '5']);
    } finally {
      await reg.close();
    }
  });

  it('a wiped database deletes no model folder; models gc --dry-run and models recover bring the rows back', async () => {
    const own = mkdtempSync(join(tmpdir(), 'sluice-cli-wipe-'));
    const reg = await ModelRegistry.open(own);
    for (let i = 1; i <= 3; i++) {
      const art = mkdtempSync(join(tmpdir(), 'sluice-cli-art-'));
      fakeArtifact(JSON.stringify({ i }), art);
      await reg.register(art, { name: 'm', status: 'approved' });
    }
    await reg.promote('m', 2, 'champion', 'ana');
    await reg.close();
    const dir = join(own, '.sluice', 'models', 'm');
    for (const f of ['sluice.db', 'sluice.db-wal', 'sluice.db-shm']) rmSync(join(own, '.sluice', f), { force: true });
    const at = (...args: string[]) => runCliInProcess(['models', ...args, '--project', own]).then((r) => (r.code === 0 ? r.stdout : r.stdout + r.stderr));
    expect(await at('list')).toContain('error[STATE_MISSING]');
    expect(await at('gc')).toContain('error[STATE_MISSING]');
    expect(readdirSync(dir).sort()).toEqual(['1', '2', '3']);
    const rec = await at('recover');
    expect(rec).toContain('recovered m version 2 (approved, from its manifest)');
    expect(rec).toContain('set m champion -> version 2');
    expect(await at('list')).toMatch(/m\s+3\s+3\s+champion=2/);
  }, 240_000);
});
