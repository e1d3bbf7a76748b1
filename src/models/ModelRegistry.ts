import { existsSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { migrate, openProjectDb, type OpenProjectDbOptions, type ProjectDb } from '../state/openProjectDb.js';
import { DELETED_PREFIX, hashDir, stageArtifact, tempDirIn } from './artifactFiles.js';
import { championStack, type ChampionEvent } from './championStack.js';
import { describeInputChange, inputChangeOf, inputsChangedError, type InputChange } from './inputContract.js';
import { decideDeployment, type DeploymentDecision, type MetricDirection } from './decideDeployment.js';
import { collectOrphans, type GarbageOptions, type GarbageReport } from './collectOrphans.js';
import { planRecovery, type RecoveredVersion } from './recoverVersions.js';
import { highestFolderVersion, scanVersionFolders } from './scanVersionFolders.js';
import { writeVersionManifest } from './versionManifest.js';
import { MODEL_MIGRATIONS } from './migrations.js';
import { toHistory, toVersion, type HistoryRow, type VersionRow } from './rows.js';
import {
  CHALLENGER,
  CHAMPION,
  checkName,
  checkStatus,
  type ModelHistoryEntry,
  type ModelStatus,
  type ModelSummary,
  type ModelVersion,
  type RegisterMeta,
} from './types.js';
import { stateDirOf, stateFolders } from '../core/projectLayout.js';

/** A version given as a number, a numeric string, or an alias (`champion`, `latest`, ...). */
export type VersionRef = number | string;

/**
 * The model registry: every trained model as a versioned package with status, aliases, tags,
 * metrics and lineage, in the project database, and its artifact folder under
 * `<project>/.sluice/models/<name>/<version>/`.
 *
 * Every status and alias change is one transaction that also appends to `model_history` (who,
 * when, from, to), so the history is complete by construction. Artifacts are copied to a
 * temporary folder first and renamed into place inside the transaction that allocates the
 * version: the database row and the folder appear together or not at all.
 *
 * @example
 * const reg = ModelRegistry.open('.');
 * const v = await reg.register('out/model', { name: 'readmission', metrics: { auc: 0.7 } });
 * reg.setStatus('readmission', v.version, 'approved', 'ana', 'holdout looks right');
 * reg.promote('readmission', v.version, 'champion', 'ana');
 */
export class ModelRegistry {
  private readonly listeners = new Set<(e: ModelHistoryEntry) => void>();

  constructor(
    readonly db: ProjectDb,
    /** `<project>/.sluice/models` */
    readonly modelsDir: string,
    private readonly ownsDb = false,
  ) {
    migrate(db, 'models', MODEL_MIGRATIONS);
  }

  /** Opens the registry of the project in `projectDir` (its `<stateDir>/sluice.db`; stateDir defaults to `.sluice`). */
  static open(projectDir: string, stateDir = stateDirOf(projectDir, undefined), options: OpenProjectDbOptions = {}): ModelRegistry {
    const state = stateFolders(stateDir);
    // Opening never deletes: orphan collection is the explicit `sluice models gc`.
    return new ModelRegistry(openProjectDb(state.db, options), state.models, true);
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }

  /** Calls `fn` after every recorded change (in this process); returns the unsubscribe function. */
  onChange(fn: (e: ModelHistoryEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Registers the artifact in `artifactDir` as the next version of `meta.name`. The folder is
   * copied (the source stays where it is). With `meta.idempotencyKey`, a repeated call returns
   * the version the first call registered.
   */
  async register(artifactDir: string, meta: RegisterMeta): Promise<ModelVersion> {
    const name = checkName('model name', meta.name);
    const status = checkStatus(meta.status ?? 'pending');
    if (meta.idempotencyKey !== undefined) {
      const prior = this.db.prepare('SELECT version FROM model_versions WHERE name = ? AND idempotency_key = ?').get(name, meta.idempotencyKey) as
        | { version: number }
        | undefined;
      if (prior) return this.get(name, prior.version);
    }
    checkMetrics(meta.metrics ?? {});
    const modelDir = join(this.modelsDir, name);
    const staged = await stageArtifact(artifactDir, modelDir);
    let placed: string | undefined;
    let version: number;
    try {
      const artifactHash = await hashDir(staged);
      const by = meta.by ?? 'unknown';
      let reused = false;
      version = this.tx(() => {
        if (meta.idempotencyKey !== undefined) {
          // Checked again under the write lock: a concurrent twin may have committed meanwhile.
          const twin = this.db.prepare('SELECT version FROM model_versions WHERE name = ? AND idempotency_key = ?').get(name, meta.idempotencyKey) as
            | { version: number }
            | undefined;
          if (twin) {
            reused = true;
            return twin.version;
          }
        }
        const now = new Date().toISOString();
        this.db.prepare('INSERT OR IGNORE INTO model_names (name, last_version, created_at) VALUES (?, 0, ?)').run(name, now);
        const { last_version } = this.db.prepare('SELECT last_version FROM model_names WHERE name = ?').get(name) as { last_version: number };
        // Past every folder on disk too: a folder without a row (an older database, a lost row)
        // is someone's model, never overwritten; `sluice models recover` registers it again.
        const v = Math.max(last_version, highestFolderVersion(modelDir)) + 1;
        this.db.prepare('UPDATE model_names SET last_version = ? WHERE name = ?').run(v, name);
        this.db
          .prepare(
            `INSERT INTO model_versions (name, version, status, status_by, status_at, status_comment, description, created_at, created_by,
               artifact_dir, artifact_hash, metrics, tags, lineage, idempotency_key)
             VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            name,
            v,
            status,
            by,
            now,
            meta.description ?? null,
            now,
            by,
            join(name, String(v)),
            artifactHash,
            JSON.stringify(meta.metrics ?? {}),
            JSON.stringify(meta.tags ?? {}),
            JSON.stringify(meta.lineage ?? {}),
            meta.idempotencyKey ?? null,
          );
        this.record({ name, version: v, kind: 'registered', alias: null, from: null, to: status, by, at: now, comment: meta.description ?? null });
        // The folder carries its own manifest, so a lost database can be rebuilt from it.
        this.writeManifest(name, v, staged);
        // Inside the transaction: if the rename fails, the row is rolled back too.
        placed = join(modelDir, String(v));
        renameSync(staged, placed);
        return v;
      });
      if (reused) await rm(staged, { recursive: true, force: true });
    } catch (e) {
      await rm(staged, { recursive: true, force: true });
      // Renamed into place but the commit failed: the folder has no row, remove it now.
      if (placed !== undefined) await rm(placed, { recursive: true, force: true });
      throw e;
    }
    return this.get(name, version);
  }

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
    const row = this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, ref) as { version: number } | undefined;
    if (row) return row.version;
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
    const row = this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, CHAMPION) as { version: number } | undefined;
    return row ? this.get(name, row.version) : undefined;
  }

  /**
   * Sets the approval status (SageMaker's ModelApprovalStatus). The serving champion cannot be
   * rejected: roll back or promote another version first, so the endpoint never serves a model
   * marked rejected.
   */
  setStatus(name: string, ref: VersionRef, status: ModelStatus, by: string, comment?: string): ModelVersion {
    checkStatus(status);
    const version = this.resolve(name, ref);
    this.tx(() => {
      const cur = this.get(name, version);
      if (cur.status === status) return;
      if (status === 'rejected' && cur.aliases.includes(CHAMPION)) {
        throw new SluiceError('MODEL_CHAMPION_REJECT', `${name} version ${version} is the champion and cannot be rejected while it serves`, {
          hint: `run "sluice models rollback ${name}" or promote another version to champion first`,
          httpStatus: 409,
        });
      }
      const now = new Date().toISOString();
      this.db
        .prepare('UPDATE model_versions SET status = ?, status_by = ?, status_at = ?, status_comment = ? WHERE name = ? AND version = ?')
        .run(status, by, now, comment ?? null, name, version);
      this.record({ name, version, kind: 'status', alias: null, from: cur.status, to: status, by, at: now, comment: comment ?? null });
    });
    return this.get(name, version);
  }

  /** Merges tags into a version's tags (a value of `null` removes the tag). */
  setTags(name: string, ref: VersionRef, tags: Record<string, string | null>, by: string): ModelVersion {
    const version = this.resolve(name, ref);
    this.tx(() => {
      const cur = this.get(name, version);
      const next: Record<string, string> = { ...cur.tags };
      for (const [k, v] of Object.entries(tags)) {
        if (v === null) delete next[k];
        else next[k] = String(v);
      }
      const now = new Date().toISOString();
      this.db.prepare('UPDATE model_versions SET tags = ? WHERE name = ? AND version = ?').run(JSON.stringify(next), name, version);
      this.record({ name, version, kind: 'tags', alias: null, from: JSON.stringify(cur.tags), to: JSON.stringify(next), by, at: now, comment: null });
    });
    return this.get(name, version);
  }

  /**
   * Points `alias` at a version. `champion` requires an approved version (SageMaker deploys only
   * approved packages). Pointing an alias where it already points changes nothing and records
   * nothing, so a replayed deploy step is harmless.
   */
  promote(name: string, ref: VersionRef, alias: string, by: string, comment?: string, options: { allowSchemaChange?: boolean } = {}): ModelVersion {
    checkName('alias', alias);
    if (alias === 'latest')
      throw new SluiceError('MODEL_BAD_NAME', '"latest" is reserved: it always means the newest version', { location: { field: 'alias' } });
    const version = this.resolve(name, ref);
    this.tx(() => {
      const cur = this.get(name, version);
      if (alias === CHAMPION && cur.status !== 'approved') {
        throw new SluiceError('MODEL_NOT_APPROVED', `${name} version ${version} is ${cur.status}; only an approved version can be champion`, {
          hint: `approve it first: sluice models approve ${name} ${version} --by <you>`,
          httpStatus: 409,
        });
      }
      const prior = this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, alias) as { version: number } | undefined;
      if (prior?.version === version) return;
      // The input contract: a champion whose required inputs differ breaks the endpoint's clients.
      if (alias === CHAMPION && prior) {
        const change = inputChangeOf(this.get(name, prior.version).artifactPath, cur.artifactPath);
        if (change && !options.allowSchemaChange) throw inputsChangedError(name, version, prior.version, change);
        if (change) comment = `${comment ? `${comment}; ` : ''}inputs changed (allowed): ${describeInputChange(change)}`;
      }
      const now = new Date().toISOString();
      this.db
        .prepare(
          `INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        )
        .run(name, alias, version, now, by);
      this.record({
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
    return this.get(name, version);
  }

  /** Removes an alias (recorded). Removing `champion` leaves the endpoint without a model. */
  removeAlias(name: string, alias: string, by: string, comment?: string): void {
    this.tx(() => {
      const prior = this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, alias) as { version: number } | undefined;
      if (!prior) throw this.unknownVersion(name, alias);
      this.db.prepare('DELETE FROM model_aliases WHERE name = ? AND alias = ?').run(name, alias);
      this.record({
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

  /**
   * The champions the current one replaced, newest first, as a rollback would walk them: versions
   * since deleted or rejected, and the current champion, are left out. The endpoint falls back
   * to these when the champion's artifact cannot be loaded.
   */
  previousChampions(name: string): number[] {
    const current = (this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, CHAMPION) as { version: number } | undefined)
      ?.version;
    const events = this.db
      .prepare(`SELECT kind, to_value FROM model_history WHERE name = ? AND alias = ? AND kind IN ('alias', 'rollback', 'alias_removed') ORDER BY id`)
      .all(name, CHAMPION) as Array<{ kind: ChampionEvent['kind']; to_value: string | null }>;
    const stack = championStack(events.map((e) => ({ kind: e.kind, version: e.to_value === null ? null : Number(e.to_value) })));
    const alive = (v: number): boolean => {
      const r = this.db.prepare('SELECT status FROM model_versions WHERE name = ? AND version = ?').get(name, v) as { status: ModelStatus } | undefined;
      return r !== undefined && r.status !== 'rejected';
    };
    const out: number[] = [];
    for (const v of stack.reverse()) if (v !== current && alive(v) && !out.includes(v)) out.push(v);
    return out;
  }

  /**
   * Moves `champion` back to the champion it replaced (skipping versions since deleted or
   * rejected). Rolling back again walks further back.
   */
  rollback(name: string, by: string, comment?: string): ModelVersion {
    const target = this.tx(() => {
      const current = this.db.prepare('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, CHAMPION) as { version: number } | undefined;
      if (!current) {
        this.versions(name); // throws MODEL_NOT_FOUND for an unknown model
        throw new SluiceError('MODEL_NO_CHAMPION', `${name} has no champion to roll back`, {
          hint: `promote a version: sluice models promote ${name} <version>`,
          httpStatus: 409,
        });
      }
      const prev = this.previousChampions(name)[0];
      if (prev === undefined) {
        throw new SluiceError('MODEL_NO_PREVIOUS_CHAMPION', `${name} version ${current.version} has no earlier champion to roll back to`, {
          hint: `promote a specific version instead: sluice models promote ${name} <version>`,
          httpStatus: 409,
        });
      }
      const now = new Date().toISOString();
      this.db.prepare('UPDATE model_aliases SET version = ?, updated_at = ?, updated_by = ? WHERE name = ? AND alias = ?').run(prev, now, by, name, CHAMPION);
      this.record({
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
    return this.get(name, target);
  }

  /**
   * Deletes a version and its artifact folder. The champion cannot be deleted; other aliases
   * pointing to the version are removed (recorded). The folder is renamed away inside the
   * transaction and removed after it, so a crash leaves at most a `.deleted-*` folder that the
   * explicit `sluice models gc` removes, never a folder without its row or a row without its folder.
   */
  async delete(name: string, ref: VersionRef, by: string, comment?: string): Promise<void> {
    const version = this.resolve(name, ref);
    const modelDir = join(this.modelsDir, name);
    const trash = tempDirIn(modelDir, DELETED_PREFIX);
    this.tx(() => {
      const cur = this.get(name, version);
      if (cur.aliases.includes(CHAMPION)) {
        throw new SluiceError('MODEL_CHAMPION_DELETE', `${name} version ${version} is the champion and cannot be deleted`, {
          hint: `promote another version or run "sluice models rollback ${name}" first`,
          httpStatus: 409,
        });
      }
      const now = new Date().toISOString();
      for (const alias of cur.aliases) {
        this.db.prepare('DELETE FROM model_aliases WHERE name = ? AND alias = ?').run(name, alias);
        this.record({ name, version, kind: 'alias_removed', alias, from: String(version), to: null, by, at: now, comment: 'version deleted' });
      }
      this.db.prepare('DELETE FROM model_versions WHERE name = ? AND version = ?').run(name, version);
      this.record({ name, version, kind: 'deleted', alias: null, from: cur.status, to: null, by, at: now, comment: comment ?? null });
      if (existsSync(cur.artifactPath)) renameSync(cur.artifactPath, trash);
    });
    await rm(trash, { recursive: true, force: true });
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

  /**
   * The pipeline's deploy step: compares the candidate with the champion (both measured on the
   * new batch's holdout) and promotes the candidate to `champion` or `challenger`. Returns the
   * decision and its reason for the execution history. `approveWinner` approves a pending
   * candidate that wins (the pipeline's case: the batch it was trained on was approved).
   */
  deploy(
    name: string,
    ref: VersionRef,
    candidateMetric: number | null | undefined,
    championMetric: number | null | undefined,
    direction: MetricDirection,
    by: string,
    options: { approveWinner?: string; allowSchemaChange?: boolean } = {},
  ): DeploymentDecision & { version: number; inputChange?: InputChange } {
    const version = this.resolve(name, ref);
    const champ = this.champion(name);
    if (champ?.version === version) return { decision: 'champion', reason: `${name} version ${version} is already champion`, version };
    // A champion measured without a metric is "no finite metric" (replaced), not "no champion".
    let d = decideDeployment(name, candidateMetric, champ ? (championMetric ?? Number.NaN) : undefined, direction);
    // The input contract: a winner requiring other inputs than the champion stays challenger unless allowed.
    const inputChange = champ ? inputChangeOf(champ.artifactPath, this.get(name, version).artifactPath) : undefined;
    if (d.decision === 'champion' && inputChange && !options.allowSchemaChange) {
      d = {
        decision: 'challenger',
        reason: `${d.reason}, but it ${describeInputChange(inputChange)} compared with champion version ${champ!.version}; kept as challenger (set model.allowSchemaChange in sluice.yaml, or promote it with --allow-schema-change once clients send the new inputs)`,
      };
    }
    // Only an approved version can be champion; with `approveWinner` (a comment), a winner that is
    // still pending is approved first, by the same actor.
    if (d.decision === 'champion' && options.approveWinner !== undefined && this.get(name, version).status !== 'approved') {
      this.setStatus(name, version, 'approved', by, `${options.approveWinner}; ${d.reason}`);
    }
    this.promote(name, version, d.decision === 'champion' ? CHAMPION : CHALLENGER, by, d.reason, { allowSchemaChange: options.allowSchemaChange === true });
    return { ...d, version, ...(inputChange ? { inputChange } : {}) };
  }

  /**
   * `sluice models gc`: removes what an interrupted register or delete left behind (`.tmp-*`
   * folders of dead processes, `.deleted-*` folders) and, only with `orphans: true`, version
   * folders without a database row. Never runs by itself. See {@link collectOrphans}.
   */
  collectGarbage(options: GarbageOptions = {}): GarbageReport {
    if (!existsSync(this.modelsDir)) return { dryRun: options.dryRun === true, leftovers: [], unregistered: [], removed: [] };
    // Under the write lock: another process's register renames its folder into place inside its
    // own write transaction, so once we hold the lock every committed folder has its row, and a
    // folder without a row really has none (it is not a version about to commit).
    return this.tx(() => collectOrphans(this.db, this.modelsDir, options));
  }

  /**
   * `sluice models recover`: registers again every version folder the database has no row for,
   * from the folder's manifest (status, metrics, tags, lineage, aliases) or, for a folder older
   * than manifests, from its training manifest as `pending`. An alias a recovered folder claims
   * is set only when the database has no such alias; when several claim one, the latest wins.
   * `champion` goes only to an approved version. Recorded in the history as `recovered`.
   */
  async recover(
    by: string,
    options: { dryRun?: boolean } = {},
  ): Promise<{ recovered: RecoveredVersion[]; aliases: Array<{ name: string; alias: string; version: number }> }> {
    const plan = await planRecovery(scanVersionFolders(this.db, this.modelsDir).versions);
    const aliases: Array<{ name: string; alias: string; version: number }> = [];
    const claims = new Map<string, { name: string; alias: string; version: number; at: string }>();
    for (const r of plan) {
      for (const [alias, { at }] of Object.entries(r.aliases)) {
        if (alias === CHAMPION && r.status !== 'approved') continue;
        const key = `${r.name}\u0000${alias}`;
        const prior = claims.get(key);
        if (!prior || prior.at < at) claims.set(key, { name: r.name, alias, version: r.version, at });
      }
    }
    if (options.dryRun) {
      for (const c of claims.values()) if (!this.db.prepare('SELECT 1 FROM model_aliases WHERE name = ? AND alias = ?').get(c.name, c.alias)) aliases.push(c);
      return { recovered: plan, aliases };
    }
    this.tx(() => {
      const now = new Date().toISOString();
      for (const r of plan) {
        if (this.db.prepare('SELECT 1 FROM model_versions WHERE name = ? AND version = ?').get(r.name, r.version)) continue;
        this.db.prepare('INSERT OR IGNORE INTO model_names (name, last_version, created_at) VALUES (?, 0, ?)').run(r.name, r.createdAt);
        this.db.prepare('UPDATE model_names SET last_version = MAX(last_version, ?) WHERE name = ?').run(r.version, r.name);
        this.db
          .prepare(
            `INSERT INTO model_versions (name, version, status, status_by, status_at, status_comment, description, created_at, created_by,
               artifact_dir, artifact_hash, metrics, tags, lineage, idempotency_key)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            r.name,
            r.version,
            r.status,
            r.statusBy,
            r.statusAt,
            r.statusComment,
            r.description,
            r.createdAt,
            r.createdBy,
            join(r.name, String(r.version)),
            r.artifactHash,
            JSON.stringify(r.metrics),
            JSON.stringify(r.tags),
            JSON.stringify(r.lineage),
            this.freeIdempotencyKey(r.name, r.idempotencyKey),
          );
        this.record({
          name: r.name,
          version: r.version,
          kind: 'recovered',
          alias: null,
          from: null,
          to: r.status,
          by,
          at: now,
          comment: [`from ${r.source === 'manifest' ? 'its manifest' : 'the artifact folder'}`, ...r.notes].join('; '),
        });
      }
      for (const c of claims.values()) {
        if (this.db.prepare('SELECT 1 FROM model_aliases WHERE name = ? AND alias = ?').get(c.name, c.alias)) continue;
        this.db
          .prepare('INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)')
          .run(c.name, c.alias, c.version, now, by);
        this.record({
          name: c.name,
          version: c.version,
          kind: 'alias',
          alias: c.alias,
          from: null,
          to: String(c.version),
          by,
          at: now,
          comment: `recovered: the folder's manifest says ${c.alias} since ${c.at}`,
        });
        aliases.push(c);
      }
    });
    return { recovered: plan, aliases };
  }

  /** The key, unless another version of the model already holds it (then none: it must stay unique). */
  private freeIdempotencyKey(name: string, key: string | null): string | null {
    if (key === null) return null;
    return this.db.prepare('SELECT 1 FROM model_versions WHERE name = ? AND idempotency_key = ?').get(name, key) ? null : key;
  }

  /**
   * Writes a version's manifest (its row and aliases) into `dir` (default its folder). Called
   * after every change the version's row or aliases see, so the folder can rebuild the row.
   */
  private writeManifest(name: string, version: number, dir?: string): void {
    const row = this.db.prepare('SELECT * FROM model_versions WHERE name = ? AND version = ?').get(name, version) as
      | (VersionRow & { idempotency_key: string | null })
      | undefined;
    if (!row) return;
    const v = toVersion(this.modelsDir, row, []);
    const target = dir ?? v.artifactPath;
    if (!existsSync(target)) return;
    const aliases: Record<string, { at: string; by: string }> = {};
    for (const a of this.db.prepare('SELECT alias, updated_at, updated_by FROM model_aliases WHERE name = ? AND version = ?').all(name, version) as Array<{
      alias: string;
      updated_at: string;
      updated_by: string;
    }>) {
      aliases[a.alias] = { at: a.updated_at, by: a.updated_by };
    }
    writeVersionManifest(target, {
      name,
      version,
      status: v.status,
      statusBy: v.statusBy,
      statusAt: v.statusAt,
      statusComment: v.statusComment,
      description: v.description,
      createdAt: v.createdAt,
      createdBy: v.createdBy,
      artifactHash: v.artifactHash,
      metrics: v.metrics,
      tags: v.tags,
      lineage: v.lineage,
      idempotencyKey: row.idempotency_key,
      aliases,
    });
  }

  /** Rewrites the manifests of the versions that recorded changes touched (best effort). */
  private refreshManifests(events: readonly ModelHistoryEntry[]): void {
    const touched = new Map<string, { name: string; version: number }>();
    const touch = (name: string, version: number | null | undefined) => {
      if (version !== null && version !== undefined && Number.isInteger(version)) touched.set(`${name}\u0000${version}`, { name, version });
    };
    for (const e of events) {
      if (e.kind === 'registered' || e.kind === 'deleted') continue;
      touch(e.name, e.version);
      // An alias moved away from a version: that version's manifest must stop claiming it.
      if (e.alias !== null && e.from !== null && /^\d+$/.test(e.from)) touch(e.name, Number(e.from));
    }
    for (const t of touched.values()) {
      try {
        this.writeManifest(t.name, t.version);
      } catch {
        // The change is committed in the database; a manifest that could not be rewritten (disk
        // full) is only a stale copy, refreshed by the version's next change.
      }
    }
  }

  private latestVersion(name: string): number | undefined {
    const r = this.db.prepare('SELECT MAX(version) AS v FROM model_versions WHERE name = ?').get(name) as { v: number | null };
    return r.v ?? undefined;
  }

  private aliasesByVersion(name: string): Map<number, string[]> {
    const m = new Map<number, string[]>();
    for (const [alias, v] of Object.entries(this.aliases(name))) m.set(v, [...(m.get(v) ?? []), alias]);
    return m;
  }

  private pending: ModelHistoryEntry[] = [];

  private record(e: Omit<ModelHistoryEntry, 'id'>): void {
    const info = this.db
      .prepare('INSERT INTO model_history (name, version, kind, alias, from_value, to_value, by, at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.name, e.version, e.kind, e.alias, e.from, e.to, e.by, e.at, e.comment);
    this.pending.push({ id: Number(info.lastInsertRowid), ...e });
  }

  /**
   * Runs `fn` in an immediate (write-locking) transaction, then notifies listeners of what it
   * recorded: after the commit, never for rolled-back changes.
   */
  private tx<T>(fn: () => T): T {
    this.pending = [];
    let out: T;
    try {
      out = this.db.transaction(fn).immediate();
    } catch (e) {
      this.pending = [];
      throw e;
    }
    const events = this.pending;
    this.pending = [];
    this.refreshManifests(events);
    for (const e of events) for (const l of this.listeners) l(e);
    return out;
  }

  private unknownModel(name: string): SluiceError {
    const known = this.list().map((m) => m.name);
    return new SluiceError('MODEL_NOT_FOUND', `no model named "${name}"`, {
      hint: known.length ? `registered models: ${known.slice(0, 20).join(', ')}` : 'no model is registered yet',
      httpStatus: 404,
      location: { field: 'name' },
    });
  }

  private unknownVersion(name: string, ref: string): SluiceError {
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
}

function checkMetrics(metrics: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number') {
      throw new SluiceError('MODEL_BAD_METRIC', `metric "${k}" is ${JSON.stringify(v)}, not a number`, {
        location: { field: `metrics.${k}` },
        hint: 'metrics are numbers, e.g. {"auc": 0.71}',
      });
    }
  }
}
