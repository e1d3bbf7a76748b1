import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { tempPathFor } from '../engine/atomicWriteFile.js';
import type { Project } from '../pipeline/project/loadProject.js';
import { fileFingerprint } from '../core/fileHash.js';
import { readBackupManifest, type BackupManifest } from './backupManifest.js';
import { knownSchemaVersions, schemaVersionsOf } from './knownSchemas.js';
import { fromProjectRelative, stateLayout } from './stateLayout.js';
import { refusePostgresState } from './refusePostgresState.js';
import { runningServer, serveLockPath } from '../state/serveLock.js';

export interface RestoreOptions {
  /**
   * Replace existing state: what is replaced is moved into a `replaced-<time>/` folder beside it,
   * never deleted. Also restores while `sluice serve` runs on the project (refused otherwise).
   */
  force?: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  databases: Array<{ role: string; path: string }>;
  files: { restored: number; unchanged: number };
  /** Folders holding what was moved aside (with --force, or stale -shm files). */
  replaced: string[];
  /** Model version folders on disk that the backup does not know (registered after it): `sluice models recover` registers them again. */
  newerModels: string[];
  /** Model version folders the backup lists that are not on disk (the backup did not copy them). */
  missingModels: string[];
}

/** A database's companion files: moved with it, never left beside another database. */
const COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * Puts a backup made by {@link backupProject} back into a project. Checks everything before
 * changing anything: the manifest, the sha256 of every file, each database's `quick_check` and
 * that its schema is not newer than this Sluice knows. Refuses to replace existing state (a
 * non-empty database or write-ahead log, a file whose bytes differ) unless `force`; replaced files
 * are moved into `replaced-<time>/` beside them, never deleted. Each file is written under a
 * temporary name and renamed into place. Refuses while `sluice serve` runs on the project
 * (its `.sluice/serve.lock` names a live process) unless `force`.
 */
export async function restoreProject(project: Project, dir: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
  refusePostgresState(project, 'restore');
  const from = resolve(dir);
  const manifest = readBackupManifest(from);
  const root = project.paths.root;
  const layout = stateLayout(project);

  // 0. A running server holds the databases open: a restore under it would be lost to its writes.
  const server = runningServer(project.paths.stateDir);
  if (server && !opts.force) {
    throw new SluiceError(
      'RESTORE_SERVER_RUNNING',
      `sluice serve is running on this project (pid ${server.pid}${server.address ? `, ${server.address}` : ''}, since ${server.startedAt})`,
      {
        location: { file: serveLockPath(project.paths.stateDir) },
        hint: `stop it first (kill ${server.pid}, or Ctrl-C where it runs), then run sluice restore again; --force restores anyway, but the server keeps using the database it has open (moved aside) until it is restarted`,
      },
    );
  }

  // 1. Verify the backup, touching nothing.
  const known = knownSchemaVersions();
  for (const db of manifest.databases) {
    const file = inside(from, db.file);
    await verifyHash(file, db.sha256, db.bytes);
    checkDatabase(file, known);
  }
  for (const f of manifest.files) await verifyHash(inside(from, f.file), f.sha256, f.bytes);

  // 2. Where each thing goes, and what it would replace.
  const dbTargets = manifest.databases.map((db) => ({
    db,
    target: db.role === 'project' ? project.paths.db : (layout.databases.find((d) => d.role === 'online')?.path ?? fromProjectRelative(root, db.path)),
  }));
  const fileTargets = [];
  for (const f of manifest.files) {
    const base = layout.areas[f.area];
    if (!base)
      throw new SluiceError(
        'RESTORE_NO_PLACE',
        `the backup holds ${f.area} files but this project keeps no local ${f.area} folder (stores.offline is not local)`,
        { hint: 'restore into a project whose sluice.yaml has a local offline store' },
      );
    const target = inside(base, f.path);
    const current = existsSync(target) ? (await fileFingerprint(target)).sha256 : undefined;
    fileTargets.push({ f, target, base, same: current === f.sha256, exists: current !== undefined });
  }
  const conflicts = [
    ...dbTargets.filter(({ target }) => holdsState(target)).map(({ target }) => target),
    ...fileTargets.filter((t) => t.exists && !t.same).map((t) => t.target),
  ];
  if (conflicts.length > 0 && !opts.force) {
    throw new SluiceError(
      'RESTORE_STATE_EXISTS',
      `the project already has state that the restore would replace: ${conflicts.slice(0, 5).join(', ')}${conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : ''}`,
      {
        location: { file: conflicts[0]! },
        hint: 'stop sluice serve and run again with --force: the replaced files are moved into a replaced-<time>/ folder beside them, never deleted',
      },
    );
  }

  // 3. Put it back: each file under a temporary name, renamed into place; what it replaces moved aside.
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const replaced = new Set<string>();
  const moveAside = (path: string, base: string): void => {
    const folder = join(base, `replaced-${stamp}`);
    const dest = join(folder, relative(base, path));
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(path, dest);
    replaced.add(folder);
  };
  for (const { db, target } of dbTargets) {
    await mkdir(dirname(target), { recursive: true });
    const tmp = tempPathFor(target);
    await copyDurably(inside(from, db.file), tmp);
    try {
      await verifyHash(tmp, db.sha256, db.bytes);
      for (const p of [target, ...COMPANIONS.map((c) => `${target}${c}`)]) if (existsSync(p)) moveAside(p, dirname(target));
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
  let restored = 0;
  for (const t of fileTargets) {
    if (t.same) continue;
    await mkdir(dirname(t.target), { recursive: true });
    const tmp = tempPathFor(t.target);
    await copyDurably(inside(from, t.f.file), tmp);
    if (t.exists) moveAside(t.target, t.base);
    await rename(tmp, t.target);
    restored++;
  }

  const listed = new Set(manifest.models.map((m) => `${m.name}/${m.version}`));
  const onDisk = modelFoldersOnDisk(layout.areas.models!);
  return {
    manifest,
    databases: dbTargets.map(({ db, target }) => ({ role: db.role, path: target })),
    files: { restored, unchanged: fileTargets.length - restored },
    replaced: [...replaced],
    newerModels: onDisk.filter((m) => !listed.has(m)),
    missingModels: [...listed].filter((m) => !onDisk.includes(m)),
  };
}

/** A path of the backup (or of an area) that must stay inside its folder. */
function inside(base: string, rel: string): string {
  const p = resolve(base, rel);
  if (p !== base && !p.startsWith(base + sep)) {
    throw new SluiceError('BACKUP_MANIFEST_INVALID', `the manifest names "${rel.slice(0, 200)}", which leaves ${base}`, {
      location: { file: join(base, 'manifest.json') },
      hint: 'the manifest was edited; use another backup',
    });
  }
  return p;
}

async function verifyHash(file: string, sha256: string, bytes: number): Promise<void> {
  if (!existsSync(file)) {
    throw new SluiceError('BACKUP_FILE_MISSING', `the backup lacks ${file}, which its manifest lists`, {
      location: { file },
      hint: 'the backup is incomplete; use another backup',
    });
  }
  const got = await fileFingerprint(file);
  if (got.sha256 !== sha256 || got.bytes !== bytes) {
    throw new SluiceError(
      'BACKUP_HASH_MISMATCH',
      `${file} does not match the backup manifest (sha256 ${got.sha256.slice(0, 12)}…, ${got.bytes} bytes; manifest says ${sha256.slice(0, 12)}…, ${bytes} bytes)`,
      {
        location: { file },
        hint: 'the backup was changed or damaged after it was made; nothing was restored. Use another backup',
      },
    );
  }
}

/** The copy opens, passes quick_check, and has no module newer than this Sluice knows. */
function checkDatabase(file: string, known: Record<string, number>): void {
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new Error(`quick_check says "${String(check).slice(0, 200)}"`);
    for (const [module, version] of Object.entries(schemaVersionsOf(db))) {
      if (version > (known[module] ?? 0)) {
        throw new SluiceError('BACKUP_TOO_NEW', `${file} has ${module} schema version ${version}; this Sluice knows up to ${known[module] ?? 0}`, {
          location: { file },
          hint: 'the backup was made by a newer Sluice: restore it with that version; nothing was restored',
        });
      }
    }
  } catch (e) {
    if (e instanceof SluiceError) throw e;
    throw new SluiceError('BACKUP_DATABASE_BAD', `${file} is not a readable database: ${(e as Error).message}`, {
      location: { file },
      hint: 'the backup is damaged; use another backup',
    });
  } finally {
    db?.close();
  }
}

/**
 * Whether a database (with its write-ahead log) holds anything: a row in any table, or a file
 * that cannot be read as a database. A database a command created empty (tables, no rows) is
 * not state; a write-ahead log without its database is.
 */
function holdsState(path: string): boolean {
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  if (size(path) === 0) return size(`${path}-wal`) > 0;
  let db;
  try {
    db = new Database(path, { fileMustExist: true });
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
      .all() as Array<{ name: string }>;
    return tables.some((t) => db!.prepare(`SELECT 1 FROM "${t.name.replace(/"/g, '""')}" LIMIT 1`).get() !== undefined);
  } catch {
    return true;
  } finally {
    db?.close();
  }
}

/** Copies a file and flushes it to disk before it is renamed into place. */
async function copyDurably(src: string, dest: string): Promise<void> {
  await copyFile(src, dest);
  const fh = await open(dest, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function modelFoldersOnDisk(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(modelsDir)) {
    const dir = join(modelsDir, name);
    if (name.startsWith('.') || !statSync(dir).isDirectory()) continue;
    for (const v of readdirSync(dir)) if (/^\d+$/.test(v)) out.push(`${name}/${v}`);
  }
  return out;
}
