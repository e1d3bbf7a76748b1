import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import { readVersionManifest } from '../models/versionManifest.js';
import type { Project } from '../pipeline/project/loadProject.js';
import { fileFingerprint } from '../core/fileHash.js';
import { sluiceVersion } from '../training/sluiceVersion.js';
import { BACKUP_FORMAT, BACKUP_MANIFEST, type BackupManifest } from './backupManifest.js';
import { schemaVersionsOf } from './knownSchemas.js';
import { refusePostgresState } from './refusePostgresState.js';
import { folderSize, stateFiles } from './stateFiles.js';
import { projectRelative, stateLayout, type StateArea } from './stateLayout.js';

export interface BackupOptions {
  /** Also copy the model artifacts, the local offline store and the reports (default: only list them). */
  withArtifacts?: boolean;
}

/**
 * Backs up a project's state into `dir`, safely while `sluice serve` runs: every state database
 * is copied with SQLite's online backup API (a consistent snapshot, whatever the server writes
 * meanwhile), checked (`quick_check`) and hashed; `manifest.json` lists the databases with their
 * schema versions and sha256, each model version folder with its own manifest, and where the
 * offline store, reports and archive are and how big. With `withArtifacts` the model, offline and
 * report files are copied and hashed too (the archive of input files never is).
 *
 * The backup is assembled under a temporary name beside `dir` and renamed to it at the end, so a
 * folder named `dir` is always a whole backup. `dir` must not exist or be empty.
 */
export async function backupProject(project: Project, dir: string, opts: BackupOptions = {}): Promise<BackupManifest> {
  refusePostgresState(project, 'backup');
  const target = resolve(dir);
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new SluiceError('BACKUP_DIR_NOT_EMPTY', `${target} already exists and is not an empty folder`, {
      location: { file: target },
      hint: 'back up into a new folder, e.g. backups/$(date +%F-%H%M)',
    });
  }
  const layout = stateLayout(project);
  const root = project.paths.root;
  const main = layout.databases.find((d) => d.role === 'project')!;
  if (!existsSync(main.path) || statSync(main.path).size === 0) {
    throw new SluiceError('BACKUP_NO_STATE', `the project database ${main.path} does not exist or is empty: there is nothing to back up`, {
      location: { file: main.path },
      hint: 'run sluice backup in the project folder (or pass --project)',
    });
  }
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(join(tmp, 'databases'), { recursive: true });
  try {
    const databases: BackupManifest['databases'] = [];
    for (const db of layout.databases) {
      if (!existsSync(db.path)) continue; // an online store file not created yet
      const file = `databases/${db.role === 'project' ? 'sluice.db' : `online-${basename(db.path)}`}`;
      const copy = join(tmp, file);
      await snapshot(db.path, copy);
      const schema = checkCopy(copy, db.path);
      databases.push({ role: db.role, path: projectRelative(root, db.path), file, ...(await fileFingerprint(copy)), schema });
    }
    const files = opts.withArtifacts ? await copyAreas(layout.areas, tmp) : [];
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      sluiceVersion: sluiceVersion(),
      createdAt: new Date().toISOString(),
      project: root,
      databases,
      models: modelFolders(layout.areas.models!, root),
      stores: {
        offline:
          layout.offline.type === 'local'
            ? { type: 'local', path: projectRelative(root, layout.offline.path), ...folderSize(layout.offline.path) }
            : layout.offline,
        online:
          layout.online.type === 'sqlite' ? { type: 'sqlite', path: layout.online.path ? projectRelative(root, layout.online.path) : null } : layout.online,
        reports: { path: projectRelative(root, layout.areas.reports!), ...folderSize(layout.areas.reports!) },
        archive: { path: projectRelative(root, layout.archive), ...folderSize(layout.archive) },
      },
      withArtifacts: opts.withArtifacts === true,
      files,
    };
    await atomicWriteFile(join(tmp, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(target)) rmdirSync(target); // empty (checked above)
    await rename(tmp, target);
    return manifest;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** A consistent copy of a live database (SQLite online backup), as one self-contained file. */
async function snapshot(path: string, copy: string): Promise<void> {
  const src = new Database(path, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    await src.backup(copy);
  } finally {
    src.close();
  }
  const out = new Database(copy);
  try {
    out.pragma('journal_mode = DELETE'); // no -wal beside the copy: the file alone is the database
  } finally {
    out.close();
  }
}

/** Checks the copy (quick_check) and reads its schema versions. */
function checkCopy(copy: string, source: string): Record<string, number> {
  const db = new Database(copy, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') {
      throw new SluiceError('STATE_CORRUPT', `the state database ${source} is damaged: quick_check of its copy says "${String(check).slice(0, 200)}"`, {
        location: { file: source },
        hint: 'keep the damaged file and restore an older backup (docs/operations.md)',
        httpStatus: 500,
      });
    }
    return schemaVersionsOf(db);
  } finally {
    db.close();
  }
}

function modelFolders(modelsDir: string, root: string): BackupManifest['models'] {
  const out: BackupManifest['models'] = [];
  if (!existsSync(modelsDir)) return out;
  for (const name of readdirSync(modelsDir).sort()) {
    const dir = join(modelsDir, name);
    if (name.startsWith('.') || !statSync(dir).isDirectory()) continue;
    const versions = readdirSync(dir)
      .filter((v) => /^\d+$/.test(v))
      .map(Number)
      .sort((a, b) => a - b);
    for (const version of versions) {
      const path = join(dir, String(version));
      out.push({ name, version, path: projectRelative(root, path), ...folderSize(path), manifest: readVersionManifest(path) ?? null });
    }
  }
  return out;
}

/** Copies the files of each area into `files/<area>/`, hashed. Model folders never change once written; new files may appear meanwhile and are simply not in the backup. */
async function copyAreas(areas: Partial<Record<StateArea, string>>, tmp: string): Promise<BackupManifest['files']> {
  const out: BackupManifest['files'] = [];
  for (const area of ['models', 'offline', 'reports'] as const) {
    const from = areas[area];
    if (!from) continue;
    for (const f of stateFiles(from)) {
      const file = `files/${area}/${f.path}`;
      const dest = join(tmp, file);
      await mkdir(dirname(dest), { recursive: true });
      try {
        await copyFile(join(from, f.path), dest);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while we copied (a compaction)
        throw e;
      }
      out.push({ area, path: f.path, file, ...(await fileFingerprint(dest)) });
    }
  }
  return out;
}
