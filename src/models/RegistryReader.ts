import { SluiceError } from '../core/errors.js';
import type { ProjectDb } from '../state/openProjectDb.js';
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
    private readonly db: ProjectDb,
    private readonly modelsDir: string,
  ) {}

  /** Every model name with its version count, latest version and aliases. */
  list(): ModelSummary[] {
    const rows = this.db
      .prepare(
        `SELECT n.name, n.last_version AS latest, COUNT(v.version) AS versions
         FROM model_names n LEFT JOIN model_versions v ON v.name = n.name GROUP BY n.name ORDER BY n.name`,
      )
      .all() as Array<{ name: string; latest: number; versions: number }>;
    return rows
      .filter((r) => r.versions > 0)
      .map((r) => ({ name: r.name, versions: r.versions, latestVersion: this.latestVersion(r.name) ?? r.latest, aliases: this.aliases(r.name) }));
  }

  /** All versions of a model, newest first. */
  versions(name: string): ModelVersion[] {
    const rows = this.db.prepare('SELECT * FROM model_versions WHERE name = ? ORDER BY version DESC').all(name) as VersionRow[];
    if (rows.length === 0) throw this.unknownModel(name);
    const aliases = this.aliasesByVersion(name);
    return rows.map((r) => toVersion(this.modelsDir, r, aliases.get(r.version) ?? []));
  }

  /** Alias -> version for one model. */
  aliases(name: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db.prepare('SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY alias').all(name) as Array<{
      alias: string;
      version: number;
    }>) {
      out[r.alias] = r.version;
    }
    return out;
  }

  /** The version an alias points at, or undefined. */
  aliasVersion(name: string, alias: string): number | undefined {
    const row = this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, alias) as { version: number } | undefined;
    return row?.version;
  }

  /**
   * Resolves a version reference: a number, a numeric string, `latest`, or an alias.
   * Throws MODEL_NOT_FOUND (404) naming what exists.
   */
  resolve(name: string, ref: VersionRef): number {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) {
      const v = Number(ref);
      if (this.db.prepare('SELECT 1 FROM model_versions WHERE name = ? AND version = ?').get(name, v)) return v;
      throw this.unknownVersion(name, String(ref));
    }
    if (ref === 'latest') {
      const v = this.latestVersion(name);
      if (v === undefined) throw this.unknownModel(name);
      return v;
    }
    const v = this.aliasVersion(name, ref);
    if (v !== undefined) return v;
    throw this.unknownVersion(name, ref);
  }

  /** One version by number or alias. */
  get(name: string, ref: VersionRef): ModelVersion {
    const version = this.resolve(name, ref);
    const row = this.db.prepare('SELECT * FROM model_versions WHERE name = ? AND version = ?').get(name, version) as VersionRow;
    return toVersion(this.modelsDir, row, this.aliasesByVersion(name).get(version) ?? []);
  }

  /** The serving version, or undefined when the model has no champion. */
  champion(name: string): ModelVersion | undefined {
    const v = this.aliasVersion(name, CHAMPION);
    return v !== undefined ? this.get(name, v) : undefined;
  }

  /** The recorded changes of a model (optionally one version), oldest first. */
  history(name: string, version?: number): ModelHistoryEntry[] {
    const rows = (
      version === undefined
        ? this.db.prepare('SELECT * FROM model_history WHERE name = ? ORDER BY id').all(name)
        : this.db.prepare('SELECT * FROM model_history WHERE name = ? AND version = ? ORDER BY id').all(name, version)
    ) as HistoryRow[];
    return rows.map(toHistory);
  }

  latestVersion(name: string): number | undefined {
    const r = this.db.prepare('SELECT MAX(version) AS v FROM model_versions WHERE name = ?').get(name) as { v: number | null };
    return r.v ?? undefined;
  }

  unknownModel(name: string): SluiceError {
    const known = this.list().map((m) => m.name);
    return new SluiceError('MODEL_NOT_FOUND', `no model named "${name}"`, {
      hint: known.length ? `registered models: ${known.slice(0, 20).join(', ')}` : 'no model is registered yet',
      httpStatus: 404,
      location: { field: 'name' },
    });
  }

  unknownVersion(name: string, ref: string): SluiceError {
    const versions = (this.db.prepare('SELECT version FROM model_versions WHERE name = ? ORDER BY version').all(name) as Array<{ version: number }>).map(
      (r) => r.version,
    );
    if (versions.length === 0) return this.unknownModel(name);
    const aliases = Object.keys(this.aliases(name));
    return new SluiceError('MODEL_NOT_FOUND', `${name} has no version or alias "${ref}"`, {
      hint: `versions: ${versions.join(', ')}${aliases.length ? `; aliases: ${aliases.join(', ')}` : ''}; or "latest"`,
      httpStatus: 404,
      location: { field: 'version' },
    });
  }

  private aliasesByVersion(name: string): Map<number, string[]> {
    const m = new Map<number, string[]>();
    for (const [alias, v] of Object.entries(this.aliases(name))) m.set(v, [...(m.get(v) ?? []), alias]);
    return m;
  }
}
