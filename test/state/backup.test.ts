import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { backupProject } from '../../src/backup/backupProject.js';
import { restoreProject } from '../../src/backup/restoreProject.js';
import { rejectionOf } from '../support/errors.js';
import { cli, cliAsync, diabetesCsv, newProject, predict, serve, trainChampion, type Served } from './liveProject.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

const servers: Served[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('sluice backup while the server runs, wipe, sluice restore, serve, predict', () => {
  it('gives the same predictions after restoring the databases, and after restoring artifacts too', async () => {
    const dir = await newProject();
    await trainChampion(dir);
    const sample = diabetesCsv(20, 500);
    const live = await serve(dir);
    servers.push(live);
    const before = await predict(live.base, sample);
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.model_version).toBe('1');

    // Back up while the server runs and answers requests.
    const bk = mkdtempSync(join(tmpdir(), 'sluice-bk-'));
    const load = Promise.all(Array.from({ length: 20 }, () => predict(live.base, sample)));
    const [plain, full] = await Promise.all([
      cliAsync(dir, ['backup', join(bk, 'plain')]),
      cliAsync(dir, ['backup', join(bk, 'full'), '--with-artifacts', '--json']),
    ]);
    expect((await load).every((r) => r.status === 200)).toBe(true);
    expect(plain.code, plain.stderr).toBe(0);
    expect(full.code, full.stderr).toBe(0);
    expect(plain.stdout).toContain('.sluice/sluice.db');
    const manifest = JSON.parse(full.stdout);
    expect(manifest).toMatchObject({
      format: 'sluice-backup/1',
      withArtifacts: true,
      models: [{ name: 'readmission', version: 1, manifest: { status: 'approved', aliases: { champion: {} } } }],
    });
    expect(manifest.databases[0].schema.models).toBeGreaterThan(0);
    expect(manifest.databases[0].sha256).toBe(sha(join(bk, 'full', 'databases', 'sluice.db')));
    expect(manifest.files.some((f: { path: string }) => f.path === 'readmission/1/model.json')).toBe(true);
    expect(readdirSync(bk).sort()).toEqual(['full', 'plain']); // no temporary folder left
    await live.stop();

    // 1. The database is lost; the model folders remain.
    rmSync(join(dir, '.sluice', 'sluice.db'), { force: true });
    rmSync(join(dir, '.sluice', 'sluice.db-wal'), { force: true });
    rmSync(join(dir, '.sluice', 'sluice.db-shm'), { force: true });
    const r1 = await cli(dir, ['restore', join(bk, 'plain')]);
    expect(r1.code, r1.stderr).toBe(0);
    const again = await serve(dir);
    servers.push(again);
    const after = await predict(again.base, sample);
    expect(after).toEqual(before);
    await again.stop();

    // 2. The whole state folder is lost: the backup with artifacts brings the model back too.
    const secret = readFileSync(join(dir, '.sluice', 'secret'));
    rmSync(join(dir, '.sluice'), { recursive: true });
    const r2 = await cli(dir, ['restore', join(bk, 'full')]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(/\d+ file\(s\) restored/);
    const third = await serve(dir);
    servers.push(third);
    expect(await predict(third.base, sample)).toEqual(before);
    await third.stop();
    // The signing secret is never in a backup: a restored server has a new one (everyone signs in again).
    expect(readFileSync(join(dir, '.sluice', 'secret'))).not.toEqual(secret);
    const models = await cli(dir, ['models', 'list']);
    expect(models.stdout).toContain('champion');
  }, 300_000);
});

/** A project with a non-empty database (one registered model) but no training: quick. */
async function smallProject(): Promise<string> {
  const dir = await newProject();
  fakeArtifact('{"kind":"test"}\n', join(dir, 'art'));
  const r = await cli(dir, ['models', 'register', 'm', 'art']);
  if (r.code !== 0) throw new Error(r.stderr);
  return dir;
}

describe('bad input: nothing is restored and nothing changes', () => {
  let dir: string;
  let project: ReturnType<typeof loadProject>;
  let db: string;
  beforeAll(async () => {
    dir = await smallProject();
    project = loadProject(dir);
    db = join(dir, '.sluice', 'sluice.db');
  });
  const bk = mkdtempSync(join(tmpdir(), 'sluice-bk-bad-'));
  const fresh = async (name: string) => {
    await backupProject(project, join(bk, name));
    return join(bk, name);
  };

  it('a missing folder, a folder without manifest, a manifest that is not JSON or not a manifest', async () => {
    expect((await rejectionOf(restoreProject(project, join(bk, 'nope')))).code).toBe('BACKUP_NOT_FOUND');
    mkdirSync(join(bk, 'empty'));
    const e = await rejectionOf(restoreProject(project, join(bk, 'empty')));
    expect(e.code).toBe('BACKUP_MANIFEST_MISSING');
    expect(e.location?.file).toBe(join(bk, 'empty', 'manifest.json'));
    const b = await fresh('json');
    writeFileSync(join(b, 'manifest.json'), '{"format": "sluice-backup/1",');
    expect((await rejectionOf(restoreProject(project, b))).code).toBe('BACKUP_MANIFEST_INVALID');
    writeFileSync(join(b, 'manifest.json'), '{"format": "something-else"}');
    const inv = await rejectionOf(restoreProject(project, b));
    expect(inv.code).toBe('BACKUP_MANIFEST_INVALID');
    expect(inv.message).toContain('format');
  });

  it('a tampered manifest or database is a hash mismatch naming the file, and the project is untouched', async () => {
    const before = sha(db);
    const b = await fresh('tampered');
    const m = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8'));
    m.databases[0].sha256 = '0'.repeat(64);
    writeFileSync(join(b, 'manifest.json'), JSON.stringify(m));
    const e = await rejectionOf(restoreProject(project, b, { force: true }));
    expect(e.code).toBe('BACKUP_HASH_MISMATCH');
    expect(e.location?.file).toBe(join(b, 'databases', 'sluice.db'));
    const c = await fresh('flipped');
    const bytes = readFileSync(join(c, 'databases', 'sluice.db'));
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(join(c, 'databases', 'sluice.db'), bytes);
    expect((await rejectionOf(restoreProject(project, c, { force: true }))).code).toBe('BACKUP_HASH_MISMATCH');
    // A manifest pointing outside the backup folder is refused before anything is read there.
    const d = await fresh('escape');
    const md = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    md.databases[0].file = '../../etc/passwd';
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(md));
    expect((await rejectionOf(restoreProject(project, d, { force: true }))).code).toBe('BACKUP_MANIFEST_INVALID');
    expect(sha(db)).toBe(before);
    expect(readdirSync(join(dir, '.sluice')).filter((f) => f.startsWith('replaced-'))).toEqual([]);
  });

  it('a backup whose schema is newer than this Sluice knows is refused (BACKUP_TOO_NEW)', async () => {
    const b = await fresh('newer');
    const file = join(b, 'databases', 'sluice.db');
    const copy = new Database(file);
    copy.prepare(`INSERT INTO schema_migrations (module, version, applied_at) VALUES ('models', 99, 'x')`).run();
    copy.close();
    const m = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8'));
    m.databases[0].sha256 = sha(file);
    m.databases[0].bytes = readFileSync(file).length;
    writeFileSync(join(b, 'manifest.json'), JSON.stringify(m));
    const e = await rejectionOf(restoreProject(project, b, { force: true }));
    expect(e.code).toBe('BACKUP_TOO_NEW');
    expect(e.message).toContain('models schema version 99');
  });

  it('existing state is not replaced without --force; with it, the old database is moved aside byte for byte', async () => {
    const b = await fresh('good');
    const cliErr = await cli(dir, ['restore', b]);
    expect(cliErr.code).toBe(1);
    expect(cliErr.stderr).toContain('error[RESTORE_STATE_EXISTS]');
    expect(cliErr.stderr).toContain(db);
    const old = sha(db);
    const r = await restoreProject(project, b, { force: true });
    expect(r.replaced).toHaveLength(1);
    expect(sha(join(r.replaced[0]!, 'sluice.db'))).toBe(old);
    expect((await cli(dir, ['models', 'list'])).stdout).toContain('m');
  });

  it('backing up into a non-empty folder, or a project without a database, is refused', async () => {
    mkdirSync(join(bk, 'full'));
    writeFileSync(join(bk, 'full', 'x'), 'keep');
    expect((await rejectionOf(backupProject(project, join(bk, 'full')))).code).toBe('BACKUP_DIR_NOT_EMPTY');
    expect(readFileSync(join(bk, 'full', 'x'), 'utf8')).toBe('keep');
    const empty = await newProject();
    const e = await rejectionOf(backupProject(loadProject(empty), join(bk, 'none')));
    expect(e.code).toBe('BACKUP_NO_STATE');
    expect(existsSync(join(bk, 'none'))).toBe(false);
  });
});

describe('sluice restore beside a running sluice serve', () => {
  it('is refused while the server runs, naming its pid; --force restores anyway; a stale lock is ignored', async () => {
    const dir = await smallProject();
    const bk = mkdtempSync(join(tmpdir(), 'sluice-bk-live-'));
    expect((await cli(dir, ['backup', join(bk, 'b')])).code).toBe(0);
    const db = join(dir, '.sluice', 'sluice.db');
    const lockFile = join(dir, '.sluice', 'serve.lock');
    const live = await serve(dir, { model: false });
    servers.push(live);
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: live.child.pid, address: live.base });

    const refused = await cli(dir, ['restore', join(bk, 'b')]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('error[RESTORE_SERVER_RUNNING]');
    expect(refused.stderr).toContain(`pid ${live.child.pid}`);
    expect(refused.stderr).toContain(lockFile);
    expect(refused.stderr).toMatch(/hint: stop it first/);
    expect(readdirSync(join(dir, '.sluice')).some((f) => f.startsWith('replaced-'))).toBe(false); // nothing moved
    const forced = await cli(dir, ['restore', join(bk, 'b'), '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(db);
    await live.stop();
    expect(existsSync(lockFile)).toBe(false); // released on shutdown

    // A lock left by a killed server: its pid is dead, or reused by another program.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(lockFile, JSON.stringify({ pid: dead, hostname: hostname(), startedAt: 'then' }));
    expect((await cli(dir, ['restore', join(bk, 'b')])).stderr).toContain('error[RESTORE_STATE_EXISTS]');
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(lockFile, JSON.stringify({ pid: other.pid, hostname: hostname(), startedAt: 'then' }));
      expect((await cli(dir, ['restore', join(bk, 'b')])).stderr).toContain('error[RESTORE_STATE_EXISTS]');
    } finally {
      other.kill();
    }
  }, 180_000);
});
