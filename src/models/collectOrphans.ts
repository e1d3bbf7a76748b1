import { rmSync } from 'node:fs';
import type { StateDb } from '../state/StateDb.js';
import { scanVersionFolders } from './scanVersionFolders.js';

export interface GarbageOptions {
  /** Report only; remove nothing. */
  dryRun?: boolean;
  /** Also remove version folders the database has no row for (default: only report them). */
  orphans?: boolean;
}

/** What orphan collection removed (or, in a dry run, would remove). */
export interface GarbageReport {
  dryRun: boolean;
  /**
   * `.tmp-*` folders of dead processes, `.deleted-*` folders, and unregistered copies of a
   * pipeline step's artifact that is registered under another version: removed (unless a dry run).
   */
  leftovers: string[];
  /**
   * Version folders without a database row. Removed only with `orphans: true`: such a folder is
   * usually a registered model whose row was lost, and `sluice models recover` brings it back.
   */
  unregistered: string[];
  /** The paths actually removed. */
  removed: string[];
}

/**
 * Finds what an interrupted register or delete left under `modelsDir` and removes it, unless a
 * dry run. Only the explicit `sluice models gc` calls this: opening the registry never deletes
 * anything. Call it holding the database write lock (see `ModelRegistry.collectGarbage`), so a
 * version about to commit is not mistaken for an orphan.
 */
export async function collectOrphans(db: StateDb, modelsDir: string, options: GarbageOptions = {}): Promise<GarbageReport> {
  const scan = await scanVersionFolders(db, modelsDir);
  const dryRun = options.dryRun === true;
  const leftovers = [
    ...scan.leftovers.filter((l) => !l.live).map((l) => l.path),
    ...scan.versions.filter((v) => v.duplicateOf !== undefined).map((v) => v.path),
  ];
  const unregistered = scan.versions.filter((v) => !v.hasRow && v.duplicateOf === undefined).map((v) => v.path);
  const doomed = [...leftovers, ...(options.orphans ? unregistered : [])];
  if (!dryRun) for (const p of doomed) rmSync(p, { recursive: true, force: true });
  return { dryRun, leftovers, unregistered, removed: dryRun ? [] : doomed };
}
