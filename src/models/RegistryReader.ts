import { SluiceError } from '../core/errors.js';
import type { StateDb } from '../state/StateDb.js';
import { toHistory, toVersion, type HistoryRow, type VersionRow } from './rows.js';
import { CHAMPION, type ModelHistoryEntry, type ModelSummary, type ModelVersion } from './types.js';

/** A version given as a number, a numeric string, or an alias (`champion`, `latest`, ...). */
export type VersionRef = number | string;

/**
 * The read side of the model registry: names, versions, aliases, history, and the resolution of
 * a version reference, with MODEL_NOT_FOUND errors that name what exists.
 */
export class RegistryReader {
  constructor(
    private readonly db: StateDb,
    private readonly modelsDir: string,
  ) {}

  /** Every model name with its version count, latest version and aliases. */
  async list(): Promise<ModelSummary[]> {
    const rows = await this.db.query<{ name: string; latest: number; versions: number }>(
      `SELECT n.name, n.last_version AS latest, COUNT(v.version) AS versions
         FROM model_names n LEFT JOIN model_versions v ON v.name = n.name GROUP BY n.name, n.last_version ORDER BY n.name`,
    );
    const out: ModelSummary[] = [];
    for (const r of rows.filter((x) => x.versions > 0))
      out.push({ name: r.name, versions: r.versions, latestVersion: (await this.latestVersion(r.name)) ?? r.latest, aliases: await this.aliases(r.name) });
    return out;
  }

  /** All versions of a model, newest first. */
  async versions(name: string): Promise<ModelVersion[]> {
    const rows = await this.db.query<VersionRow>('SELECT * FROM model_versions WHERE name = ? ORDER BY version DESC', [name]);
    if (rows.length === 0) throw await this.unknownModel(name);
    const aliases = await this.aliasesByVersion(name);
    return rows.map((r) => toVersion(this.modelsDir, r, aliases.get(r.version) ?? []));
  }

  /** Alias -> version for one model. */
  async aliases(name: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of await this.db.query<{ alias: string; version: number }>('SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY alias', [name])) {
      out[r.alias] = r.version;
    }
    return out;
  }

  /** The version an alias points at, or undefined. */
  async aliasVersion(name: string, alias: string): Promise<number | undefined> {
    const row = await this.db.one<{ version: number }>('SELECT version FROM model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    return row?.version;
  }

  /**
   * Resolves a version reference: a number, a numeric string, `latest`, or an alias.
   * Throws MODEL_NOT_FOUND (404) naming what exists.
   */
  async resolve(name: string, ref: VersionRef): Promise<number> {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) {
      const v = Number(ref);
      if (
        Number.isSafeInteger(v) &&
        v <= 2_147_483_647 &&
        (await this.db.one('SELECT 1 AS found FROM model_versions WHERE name = ? AND version = ?', [name, v]))
      )
        return v;
      throw await this.unknownVersion(name, String(ref));
    }
    if (ref === 'latest') {
      const v = await this.latestVersion(name);
      if (v === undefined) throw await this.unknownModel(name);
      return v;
    }
    const v = await this.aliasVersion(name, ref);
    if (v !== undefined) return v;
    throw await this.unknownVersion(name, ref);
  }

  /** One version by number or alias. */
  async get(name: string, ref: VersionRef): Promise<ModelVersion> {
    const version = await this.resolve(name, ref);
    const row = (await this.db.one<VersionRow>('SELECT * FROM model_versions WHERE name = ? AND version = ?', [name, version]))!;
    return toVersion(this.modelsDir, row, (await this.aliasesByVersion(name)).get(version) ?? []);
  }

  /** The serving version, or undefined when the model has no champion. */
  async champion(name: string): Promise<ModelVersion | undefined> {
    const v = await this.aliasVersion(name, CHAMPION);
    return v !== undefined ? this.get(name, v) : undefined;
  }

  /** The recorded changes of a model (optionally one version), oldest first. */
  async history(name: string, version?: number): Promise<ModelHistoryEntry[]> {
    const rows =
      version === undefined
        ? await this.db.query<HistoryRow>('SELECT * FROM model_history WHERE name = ? ORDER BY id', [name])
        : await this.db.query<HistoryRow>('SELECT * FROM model_history WHERE name = ? AND version = ? ORDER BY id', [name, version]);
    return rows.map(toHistory);
  }

  async latestVersion(name: string): Promise<number | undefined> {
    const r = await this.db.one<{ v: number | null }>('SELECT MAX(version) AS v FROM model_versions WHERE name = ?', [name]);
    return r?.v ?? undefined;
  }

  async unknownModel(name: string): Promise<SluiceError> {
    const known = (await this.list()).map((m) => m.name);
    return new SluiceError('MODEL_NOT_FOUND', `no model named "${name}"`, {
      hint: known.length ? `registered models: ${known.slice(0, 20).join(', ')}` : 'no model is registered yet',
      httpStatus: 404,
      location: { field: 'name' },
    });
  }

  async unknownVersion(name: string, ref: string): Promise<SluiceError> {
    const versions = (await this.db.query<{ version: number }>('SELECT version FROM model_versions WHERE name = ? ORDER BY version', [name])).map(
      (r) => r.version,
    );
    if (versions.length === 0) return this.unknownModel(name);
    const aliases = Object.keys(await this.aliases(name));
    return new SluiceError('MODEL_NOT_FOUND', `${name} has no version or alias "${ref}"`, {
      hint: `versions: ${versions.join(', ')}${aliases.length ? `; aliases: ${aliases.join(', ')}` : ''}; or "latest"`,
      httpStatus: 404,
      location: { field: 'version' },
    });
  }

  private async aliasesByVersion(name: string): Promise<Map<number, string[]>> {
    const m = new Map<number, string[]>();
    for (const [alias, v] of Object.entries(await this.aliases(name))) m.set(v, [...(m.get(v) ?? []), alias]);
    return m;
  }
}
