import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelVersion } from './types.js';

/**
 * The file in every version folder that says what the registry knows about the version. The
 * database is the source of truth; this copy lets `sluice models recover` rebuild the rows of a
 * lost or older database from the folders. It is not part of the artifact hash.
 */
export const VERSION_MANIFEST = 'sluice-version.json';
export const VERSION_MANIFEST_FORMAT = 'sluice-model-version/1';

/** What a version folder says about itself. */
export interface VersionManifest extends Omit<ModelVersion, 'artifactPath' | 'aliases'> {
  format: typeof VERSION_MANIFEST_FORMAT;
  idempotencyKey: string | null;
  /** Aliases pointing here when the manifest was written, with when and by whom they were set. */
  aliases: Record<string, { at: string; by: string }>;
  /** When this manifest was written (a later one wins when two folders claim one alias). */
  writtenAt: string;
}

/** Writes the manifest into `dir` atomically (temporary file, then rename). */
export function writeVersionManifest(dir: string, m: Omit<VersionManifest, 'format' | 'writtenAt'>): void {
  const path = join(dir, VERSION_MANIFEST);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, JSON.stringify({ format: VERSION_MANIFEST_FORMAT, ...m, writtenAt: new Date().toISOString() }, null, 2) + '\n');
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The manifest of a version folder, or undefined when it has none or it cannot be read. */
export function readVersionManifest(dir: string): VersionManifest | undefined {
  const path = join(dir, VERSION_MANIFEST);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as VersionManifest;
    if (m.format !== VERSION_MANIFEST_FORMAT || typeof m.name !== 'string' || !Number.isInteger(m.version)) return undefined;
    return m;
  } catch {
    return undefined;
  }
}
