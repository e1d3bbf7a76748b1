import { SluiceError } from '../core/errors.js';
import { championStack, type ChampionEvent } from './championStack.js';
import type { RegistryWriter } from './RegistryWriter.js';
import { CHAMPION, type ModelStatus, type ModelVersion } from './types.js';

/**
 * The champions the current one replaced, newest first, as a rollback would walk them: versions
 * since deleted or rejected, and the current champion, are left out. The endpoint falls back
 * to these when the champion's artifact cannot be loaded.
 */
export async function previousChampions(w: Pick<RegistryWriter, 'db'>, name: string): Promise<number[]> {
  const current = (await w.db.one<{ version: number }>('SELECT version FROM model_aliases WHERE name = ? AND alias = ?', [name, CHAMPION]))?.version;
  const events = await w.db.query<{ kind: ChampionEvent['kind']; to_value: string | null }>(
    `SELECT kind, to_value FROM model_history WHERE name = ? AND alias = ? AND kind IN ('alias', 'rollback', 'alias_removed') ORDER BY id`,
    [name, CHAMPION],
  );
  const stack = championStack(events.map((e) => ({ kind: e.kind, version: e.to_value === null ? null : Number(e.to_value) })));
  const alive = async (v: number): Promise<boolean> => {
    const r = await w.db.one<{ status: ModelStatus }>('SELECT status FROM model_versions WHERE name = ? AND version = ?', [name, v]);
    return r !== undefined && r.status !== 'rejected';
  };
  const out: number[] = [];
  for (const v of stack.reverse()) if (v !== current && !out.includes(v) && (await alive(v))) out.push(v);
  return out;
}

/**
 * Moves `champion` back to the champion it replaced (skipping versions since deleted or
 * rejected). Rolling back again walks further back.
 */
export async function rollback(w: RegistryWriter, name: string, by: string, comment?: string): Promise<ModelVersion> {
  const target = await w.tx(async (w) => {
    const current = await w.db.one<{ version: number }>('SELECT version FROM model_aliases WHERE name = ? AND alias = ?', [name, CHAMPION]);
    if (!current) {
      await w.read.versions(name); // throws MODEL_NOT_FOUND for an unknown model
      throw new SluiceError('MODEL_NO_CHAMPION', `${name} has no champion to roll back`, {
        hint: `promote a version: sluice models promote ${name} <version>`,
        httpStatus: 409,
      });
    }
    const prev = (await previousChampions(w, name))[0];
    if (prev === undefined) {
      throw new SluiceError('MODEL_NO_PREVIOUS_CHAMPION', `${name} version ${current.version} has no earlier champion to roll back to`, {
        hint: `promote a specific version instead: sluice models promote ${name} <version>`,
        httpStatus: 409,
      });
    }
    const now = new Date().toISOString();
    await w.db.run('UPDATE model_aliases SET version = ?, updated_at = ?, updated_by = ? WHERE name = ? AND alias = ?', [prev, now, by, name, CHAMPION]);
    await w.record({
      name,
      version: prev,
      kind: 'rollback',
      alias: CHAMPION,
      from: String(current.version),
      to: String(prev),
      by,
      at: now,
      comment: comment ?? null,
    });
    return prev;
  });
  return w.read.get(name, target);
}
