import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { runCliInProcess } from '../support/runCliInProcess.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sluice ARGS`, the built CLI in this process. */
function sluice(...args: string[]): Promise<Result> {
  return runCliInProcess(args, { env: { SLUICE_USER: 'ops', SLUICE_LOG: 'silent' } });
}

/** Every file under `dir` with the sha256 of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

let template: string;
let olderDb: string;

/** A project (sluice init) with two model versions, version 2 champion, and an archived file. */
beforeAll(async () => {
  template = mkdtempSync(join(tmpdir(), 'sluice-state-'));
  expect((await sluice('init', template)).code).toBe(0);
  const reg = await ModelRegistry.open(template);
  try {
    for (let i = 1; i <= 2; i++) {
      const art = mkdtempSync(join(tmpdir(), 'sluice-state-art-'));
      fakeArtifact(JSON.stringify({ i }), art);
      await reg.register(art, { name: 'readmission', status: 'approved' });
      if (i === 1) {
        reg.db.pragma('wal_checkpoint(TRUNCATE)');
        olderDb = join(template, 'older.db');
        await reg.db.backup(olderDb);
      }
    }
    await reg.promote('readmission', 2, 'champion', 'ana');
    reg.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    await reg.close();
  }
  mkdirSync(join(template, 'archive'), { recursive: true });
  writeFileSync(join(template, 'archive', 'batch-1.csv'), 'a,b\n1,2\n');
}, 120_000);

function copyProject(): { dir: string; db: string; models: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-state-case-'));
  const walk = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(from, e.name), join(to, e.name));
      else copyFileSync(join(from, e.name), join(to, e.name));
    }
  };
  walk(template, dir);
  return { dir, db: join(dir, '.sluice', 'sluice.db'), models: join(dir, '.sluice', 'models') };
}

function removeDb(db: string): void {
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
}

function expectNamedError(r: Result, code: string, file: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain(`error[${code}]`);
  expect(r.stderr).toContain(file);
  expect(r.stderr).toContain('hint:');
  expect(r.stderr).not.toContain('bug in Sluice');
}

describe('state faults: the database wiped, truncated or replaced with artifacts present', () => {
  const cases: Array<[string, (db: string) => void, string]> = [
    ['wiped', (db) => removeDb(db), 'STATE_MISSING'],
    [
      'truncated to 0 bytes',
      (db) => {
        rmSync(`${db}-wal`, { force: true });
        truncateSync(db, 0);
      },
      'STATE_MISSING',
    ],
    ['truncated to half', (db) => truncateSync(db, Math.floor(statSync(db).size / 2)), 'STATE_CORRUPT'],
    [
      'replaced by a text file',
      (db) => {
        removeDb(db);
        writeFileSync(db, 'not a database at all\n'.repeat(300));
      },
      'STATE_CORRUPT',
    ],
  ];
  for (const [what, damage, code] of cases) {
    it(`${what}: every command and serve refuse, naming the file; no file is deleted`, async () => {
      const p = copyProject();
      damage(p.db);
      const before = snapshot(p.dir);
      expectNamedError(await sluice('models', 'list', '--project', p.dir), code, p.db);
      expectNamedError(await sluice('models', 'gc', '--project', p.dir), code, p.db);
      expectNamedError(await sluice('executions', 'list', '--project', p.dir), code, p.db);
      expectNamedError(await sluice('serve', '--project', p.dir, '--port', '0', '--no-watch'), code, p.db);
      // Every file of the project, the damaged database included, is still there byte for byte.
      expect(snapshot(p.dir)).toEqual(before);
      expect(Object.keys(before).filter((f) => /^\.sluice\/models\/.*model\.json$/.test(f))).toHaveLength(2);
      expect(before).toHaveProperty(join('archive', 'batch-1.csv'));
    }, 300_000);
  }

  it('wiped: models recover rebuilds the registry from the folders, champion included', async () => {
    const p = copyProject();
    removeDb(p.db);
    const r = await sluice('models', 'recover', '--project', p.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('set readmission champion -> version 2');
    expect((await sluice('models', 'list', '--project', p.dir)).stdout).toMatch(/readmission\s+2\s+2\s+champion=2/);
  }, 300_000);

  it('replaced by an older copy: nothing is deleted, the newer version is kept and recovered', async () => {
    const p = copyProject();
    removeDb(p.db);
    copyFileSync(join(p.dir, 'older.db'), p.db);
    const before = snapshot(p.models);
    expect((await sluice('models', 'list', '--project', p.dir)).stdout).toMatch(/readmission\s+1\s+1/);
    expect((await sluice('models', 'gc', '--project', p.dir)).stdout).toContain('no database row');
    expect(snapshot(p.models)).toEqual(before);
    expect(Object.keys(before).filter((f) => f.endsWith('model.json'))).toHaveLength(2);
    const r = await sluice('models', 'recover', '--project', p.dir);
    expect(r.stdout).toContain('recovered readmission version 2 (approved, from its manifest)');
    expect((await sluice('models', 'list', '--project', p.dir)).stdout).toMatch(/readmission\s+2\s+2\s+champion=2/);
  }, 300_000);

  it('a database written by a newer Sluice is refused, naming the file', async () => {
    const p = copyProject();
    const reg = await ModelRegistry.open(p.dir);
    reg.db.prepare("INSERT INTO schema_migrations (module, version, applied_at) VALUES ('models', 99, 'x')").run();
    await reg.close();
    expectNamedError(await sluice('models', 'list', '--project', p.dir), 'STATE_TOO_NEW', p.db);
  }, 120_000);
});
