import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SluiceError } from '../core/errors.js';

export const BACKUP_MANIFEST = 'manifest.json';
export const BACKUP_FORMAT = 'sluice-backup/1';

const folderSize = z.strictObject({ path: z.string(), files: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });
const hashed = { file: z.string().min(1), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) };

/** What `sluice backup` writes beside the copies, and `sluice restore` checks before putting anything back. */
export const backupManifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  sluiceVersion: z.string(),
  createdAt: z.string(),
  project: z.string(),
  /** Every state database, copied with SQLite's online backup into `databases/`. */
  databases: z
    .array(
      z.strictObject({
        role: z.enum(['project', 'online']),
        /** Where it lives, relative to the project when inside it. */
        path: z.string().min(1),
        ...hashed,
        /** Each module's schema version (schema_migrations). */
        schema: z.record(z.string(), z.number().int()),
      }),
    )
    .min(1),
  /** Model version folders at backup time, with their own manifest (sluice-version.json). */
  models: z.array(
    z.strictObject({
      name: z.string(),
      version: z.number().int().positive(),
      path: z.string(),
      files: z.number().int(),
      bytes: z.number().int(),
      manifest: z.unknown(),
    }),
  ),
  stores: z.strictObject({
    offline: z.union([
      folderSize.extend({ type: z.literal('local') }),
      // Another backend: its type and what its `describe` records (s3: bucket, prefix, endpoint).
      z.object({ type: z.string().refine((t) => t !== 'local', 'a local store records its path and size') }).catchall(z.string()),
    ]),
    online: z.union([
      z.strictObject({ type: z.literal('sqlite'), path: z.string().nullable() }),
      z.strictObject({ type: z.literal('redis'), url: z.string() }),
    ]),
    reports: folderSize,
    archive: folderSize,
  }),
  /** True when the model, offline and report files were copied too (`--with-artifacts`). */
  withArtifacts: z.boolean(),
  /** The files copied into `files/<area>/` (only with artifacts). */
  files: z.array(z.strictObject({ area: z.enum(['models', 'offline', 'reports']), path: z.string().min(1), ...hashed })),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;

/** Reads and checks a backup folder's manifest; every problem is an error naming the file. */
export function readBackupManifest(dir: string): BackupManifest {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SluiceError('BACKUP_NOT_FOUND', `${dir} is not a folder`, { location: { file: dir }, hint: 'pass the folder "sluice backup DIR" wrote' });
  }
  const file = join(dir, BACKUP_MANIFEST);
  if (!existsSync(file)) {
    throw new SluiceError('BACKUP_MANIFEST_MISSING', `${dir} has no ${BACKUP_MANIFEST}: it is not a Sluice backup, or the backup did not finish`, {
      location: { file },
      hint: 'pass the folder "sluice backup DIR" wrote (it holds manifest.json and databases/)',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SluiceError('BACKUP_MANIFEST_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, {
      location: { file },
      hint: 'the manifest was damaged or edited; use another backup',
    });
  }
  const parsed = backupManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new SluiceError('BACKUP_MANIFEST_INVALID', `${file}: ${field || '(top level)'}: ${issue.message}`, {
      location: { file, field },
      hint: `a manifest of format ${BACKUP_FORMAT} is expected; the file was damaged, edited, or written by another Sluice version`,
    });
  }
  return parsed.data;
}
