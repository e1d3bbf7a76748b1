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
export async function promote(
  w: RegistryWriter,
  name: string,
  ref: VersionRef,
  alias: string,
  by: string,
  comment?: string,
  options: { allowSchemaChange?: boolean } = {},
): Promise<ModelVersion> {
  checkName('alias', alias);
  if (alias === 'latest') throw new SluiceError('MODEL_BAD_NAME', '"latest" is reserved: it always means the newest version', { location: { field: 'alias' } });
  const version = await w.read.resolve(name, ref);
  await w.tx(async (w) => {
    const cur = await w.read.get(name, version);
    if (alias === CHAMPION && cur.status !== 'approved') {
      throw new SluiceError('MODEL_NOT_APPROVED', `${name} version ${version} is ${cur.status}; only an approved version can be champion`, {
        hint: `approve it first: sluice models approve ${name} ${version} --by <you>`,
        httpStatus: 409,
      });
    }
    const prior = await w.db.one<{ version: number }>('SELECT version FROM model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    if (prior?.version === version) return;
    // The input contract: a champion whose required inputs differ breaks the endpoint's clients.
    if (alias === CHAMPION && prior) {
      const change = inputChangeOf((await w.read.get(name, prior.version)).artifactPath, cur.artifactPath);
      if (change && !options.allowSchemaChange) throw inputsChangedError(name, version, prior.version, change);
      if (change) comment = `${comment ? `${comment}; ` : ''}inputs changed (allowed): ${describeInputChange(change)}`;
    }
    const now = new Date().toISOString();
    await w.db.run(
      `INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [name, alias, version, now, by],
    );
    await w.record({
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
export async function removeAlias(w: RegistryWriter, name: string, alias: string, by: string, comment?: string): Promise<void> {
  await w.tx(async (w) => {
    const prior = await w.db.one<{ version: number }>('SELECT version FROM model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    if (!prior) throw await w.read.unknownVersion(name, alias);
    await w.db.run('DELETE FROM model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    await w.record({
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
