import { SluiceError } from '../core/errors.js';
import { describeInputChange, inputChangeOf, inputsChangedError } from './inputContract.js';
import type { VersionRef } from './RegistryReader.js';
import type { RegistryWriter } from './RegistryWriter.js';
import { CHAMPION, checkName, type ModelVersion } from './types.js';

/**
 * Points `alias` at a version. `champion` requires an approved version (SageMaker deploys only
 * approved packages). Pointing an alias where it already points changes nothing and records
 * nothing, so a replayed deploy step is harmless.
 */
export function promote(
  w: RegistryWriter,
  name: string,
  ref: VersionRef,
  alias: string,
  by: string,
  comment?: string,
  options: { allowSchemaChange?: boolean } = {},
): ModelVersion {
  checkName('alias', alias);
  if (alias === 'latest') throw new SluiceError('MODEL_BAD_NAME', '"latest" is reserved: it always means the newest version', { location: { field: 'alias' } });
  const version = w.read.resolve(name, ref);
  w.tx(() => {
    const cur = w.read.get(name, version);
    if (alias === CHAMPION && cur.status !== 'approved') {
      throw new SluiceError('MODEL_NOT_APPROVED', `${name} version ${version} is ${cur.status}; only an approved version can be champion`, {
        hint: `approve it first: sluice models approve ${name} ${version} --by <you>`,
        httpStatus: 409,
      });
    }
    const prior = w.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, alias) as { version: number } | undefined;
    if (prior?.version === version) return;
    // The input contract: a champion whose required inputs differ breaks the endpoint's clients.
    if (alias === CHAMPION && prior) {
      const change = inputChangeOf(w.read.get(name, prior.version).artifactPath, cur.artifactPath);
      if (change && !options.allowSchemaChange) throw inputsChangedError(name, version, prior.version, change);
      if (change) comment = `${comment ? `${comment}; ` : ''}inputs changed (allowed): ${describeInputChange(change)}`;
    }
    const now = new Date().toISOString();
    w.db
      .prepare(
        `INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(name, alias, version, now, by);
    w.record({
      name,
      version,
      kind: 'alias',
      alias,
      from: prior ? String(prior.version) : null,
      to: String(version),
      by,
      at: now,
      comment: comment ?? null,
    });
  });
  return w.read.get(name, version);
}

/** Removes an alias (recorded). Removing `champion` leaves the endpoint without a model. */
export function removeAlias(w: RegistryWriter, name: string, alias: string, by: string, comment?: string): void {
  w.tx(() => {
    const prior = w.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, alias) as { version: number } | undefined;
    if (!prior) throw w.read.unknownVersion(name, alias);
    w.db.prepare('DELETE FROM model_aliases WHERE name = ? AND alias = ?').run(name, alias);
    w.record({
      name,
      version: prior.version,
      kind: 'alias_removed',
      alias,
      from: String(prior.version),
      to: null,
      by,
      at: new Date().toISOString(),
      comment: comment ?? null,
    });
  });
}
