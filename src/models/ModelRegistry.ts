import { existsSync } from 'node:fs';
import { stateDirOf, stateFolders } from '../core/projectLayout.js';
import { asStateDb } from '../state/asStateDb.js';
import { migrateState } from '../state/migrateState.js';
import { openProjectDb, type OpenProjectDbOptions, type ProjectDb } from '../state/openProjectDb.js';
import type { StateDb } from '../state/StateDb.js';
import { collectOrphans, type GarbageOptions, type GarbageReport } from './collectOrphans.js';
import type { DeploymentDecision, MetricDirection } from './decideDeployment.js';
import { deleteVersion } from './deleteVersion.js';
import { deployVersion } from './deployVersion.js';
import type { InputChange } from './inputContract.js';
import { MODEL_MIGRATIONS } from './migrations.js';
import { promote, removeAlias } from './moveAlias.js';
import { recoverRegistry } from './recoverRegistry.js';
import type { RecoveredVersion } from './recoverVersions.js';
import { registerVersion } from './registerVersion.js';
import { RegistryReader, type VersionRef } from './RegistryReader.js';
import { RegistryWriter } from './RegistryWriter.js';
import { previousChampions, rollback } from './rollbackChampion.js';
import type { ModelHistoryEntry, ModelStatus, ModelSummary, ModelVersion, RegisterMeta } from './types.js';
import { setStatus, setTags } from './versionStatus.js';

export type { VersionRef } from './RegistryReader.js';

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
 * const reg = await ModelRegistry.open('.');
 * const v = await reg.register('out/model', { name: 'readmission', metrics: { auc: 0.7 } });
 * await reg.setStatus('readmission', v.version, 'approved', 'ana', 'holdout looks right');
 * await reg.promote('readmission', v.version, 'champion', 'ana');
 *
 * The class is a facade: reads are RegistryReader's, each change is a function of its own file
 * run through a RegistryWriter (docs/architecture.md, "models/").
 */
export class ModelRegistry {
  private readonly read: RegistryReader;
  private readonly write: RegistryWriter;
  /** The shared state the registry lives in (SQLite or PostgreSQL). */
  readonly state: StateDb;
  private readonly migrated: Promise<void>;
  private sqlite: ProjectDb | undefined;

  constructor(
    db: StateDb | ProjectDb,
    /** `<project>/.sluice/models` */
    readonly modelsDir: string,
    private readonly ownsDb = false,
    /** The project's SQLite file, for {@link db} when the registry is on PostgreSQL. */
    private readonly sqlitePath?: string,
  ) {
    this.state = asStateDb(db);
    if (!('dialect' in db)) this.sqlite = db;
    this.migrated = migrateState(this.state, 'models', MODEL_MIGRATIONS);
    this.migrated.catch(() => {}); // reported by every call that awaits it
    this.read = new RegistryReader(this.state, modelsDir);
    this.write = new RegistryWriter(this.state, modelsDir, this.read);
  }

  /**
   * The project's SQLite connection: the registry's own with SQLite state; with PostgreSQL state,
   * the local file opened on first use (tests and maintenance read it; no store of the shared
   * state lives there any more: the prediction log is on {@link state} too).
   */
  get db(): ProjectDb {
    if (!this.sqlite) {
      if (!this.sqlitePath) throw new Error('this model registry has no SQLite project database');
      this.sqlite = openProjectDb(this.sqlitePath);
    }
    return this.sqlite;
  }

  /**
   * Opens the registry of the project in `projectDir` (its `<stateDir>/sluice.db`; stateDir
   * defaults to `.sluice`), or, with `options.state`, on that shared state (stores.state), closed
   * with the registry only with `ownsState`.
   */
  static async open(
    projectDir: string,
    stateDir = stateDirOf(projectDir, undefined),
    options: OpenProjectDbOptions & { state?: StateDb | undefined; ownsState?: boolean } = {},
  ): Promise<ModelRegistry> {
    const folders = stateFolders(stateDir);
    // Opening never deletes: orphan collection is the explicit `sluice models gc`.
    const reg = options.state
      ? new ModelRegistry(options.state, folders.models, options.ownsState === true, folders.db)
      : new ModelRegistry(openProjectDb(folders.db, options), folders.models, true);
    try {
      await reg.migrated;
    } catch (e) {
      await reg.close();
      throw e;
    }
    return reg;
  }

  async close(): Promise<void> {
    await this.migrated.catch(() => {});
    if (this.ownsDb) {
      await this.state.close();
      this.sqlite?.close();
    } else if (this.sqlitePath) this.sqlite?.close(); // opened by `db` for this registry
  }

  /** Calls `fn` after every recorded change (in this process); returns the unsubscribe function. */
  onChange(fn: (e: ModelHistoryEntry) => void): () => void {
    return this.write.onChange(fn);
  }

  /**
   * Registers the artifact in `artifactDir` as the next version of `meta.name`. The folder is
   * copied (the source stays where it is). With `meta.idempotencyKey`, a repeated call returns
   * the version the first call registered.
   */
  async register(artifactDir: string, meta: RegisterMeta): Promise<ModelVersion> {
    await this.migrated;
    return registerVersion(this.write, artifactDir, meta);
  }

  /** Every model name with its version count, latest version and aliases. */
  async list(): Promise<ModelSummary[]> {
    await this.migrated;
    return this.read.list();
  }

  /** All versions of a model, newest first. */
  async versions(name: string): Promise<ModelVersion[]> {
    await this.migrated;
    return this.read.versions(name);
  }

  /** Alias -> version for one model. */
  async aliases(name: string): Promise<Record<string, number>> {
    await this.migrated;
    return this.read.aliases(name);
  }

  /** Resolves a version reference (a number, a numeric string, `latest`, or an alias); MODEL_NOT_FOUND (404) names what exists. */
  async resolve(name: string, ref: VersionRef): Promise<number> {
    await this.migrated;
    return this.read.resolve(name, ref);
  }

  /** One version by number or alias. */
  async get(name: string, ref: VersionRef): Promise<ModelVersion> {
    await this.migrated;
    return this.read.get(name, ref);
  }

  /** The serving version, or undefined when the model has no champion. */
  async champion(name: string): Promise<ModelVersion | undefined> {
    await this.migrated;
    return this.read.champion(name);
  }

  /**
   * Sets the approval status (SageMaker's ModelApprovalStatus). The serving champion cannot be
   * rejected: roll back or promote another version first, so the endpoint never serves a model
   * marked rejected.
   */
  async setStatus(name: string, ref: VersionRef, status: ModelStatus, by: string, comment?: string): Promise<ModelVersion> {
    await this.migrated;
    return setStatus(this.write, name, ref, status, by, comment);
  }

  /** Merges tags into a version's tags (a value of `null` removes the tag). */
  async setTags(name: string, ref: VersionRef, tags: Record<string, string | null>, by: string): Promise<ModelVersion> {
    await this.migrated;
    return setTags(this.write, name, ref, tags, by);
  }

  /**
   * Points `alias` at a version. `champion` requires an approved version (SageMaker deploys only
   * approved packages). Pointing an alias where it already points changes nothing and records
   * nothing, so a replayed deploy step is harmless.
   */
  async promote(
    name: string,
    ref: VersionRef,
    alias: string,
    by: string,
    comment?: string,
    options: { allowSchemaChange?: boolean } = {},
  ): Promise<ModelVersion> {
    await this.migrated;
    return promote(this.write, name, ref, alias, by, comment, options);
  }

  /** Removes an alias (recorded). Removing `champion` leaves the endpoint without a model. */
  async removeAlias(name: string, alias: string, by: string, comment?: string): Promise<void> {
    await this.migrated;
    await removeAlias(this.write, name, alias, by, comment);
  }

  /**
   * The champions the current one replaced, newest first, as a rollback would walk them: versions
   * since deleted or rejected, and the current champion, are left out. The endpoint falls back
   * to these when the champion's artifact cannot be loaded.
   */
  async previousChampions(name: string): Promise<number[]> {
    await this.migrated;
    return previousChampions(this.write, name);
  }

  /**
   * Moves `champion` back to the champion it replaced (skipping versions since deleted or
   * rejected). Rolling back again walks further back.
   */
  async rollback(name: string, by: string, comment?: string): Promise<ModelVersion> {
    await this.migrated;
    return rollback(this.write, name, by, comment);
  }

  /**
   * Deletes a version and its artifact folder. The champion cannot be deleted; other aliases
   * pointing to the version are removed (recorded). The folder is renamed away inside the
   * transaction and removed after it, so a crash leaves at most a `.deleted-*` folder that the
   * explicit `sluice models gc` removes, never a folder without its row or a row without its folder.
   */
  async delete(name: string, ref: VersionRef, by: string, comment?: string): Promise<void> {
    await this.migrated;
    return deleteVersion(this.write, name, ref, by, comment);
  }

  /** The recorded changes of a model (optionally one version), oldest first. */
  async history(name: string, version?: number): Promise<ModelHistoryEntry[]> {
    await this.migrated;
    return this.read.history(name, version);
  }

  /**
   * The pipeline's deploy step: compares the candidate with the champion (both measured on the
   * new batch's holdout) and promotes the candidate to `champion` or `challenger`. Returns the
   * decision and its reason for the execution history. `approveWinner` approves a pending
   * candidate that wins (the pipeline's case: the batch it was trained on was approved).
   */
  async deploy(
    name: string,
    ref: VersionRef,
    candidateMetric: number | null | undefined,
    championMetric: number | null | undefined,
    direction: MetricDirection,
    by: string,
    options: { approveWinner?: string; allowSchemaChange?: boolean } = {},
  ): Promise<DeploymentDecision & { version: number; inputChange?: InputChange; cannotServe?: string[] }> {
    await this.migrated;
    return deployVersion(this.write, name, ref, candidateMetric, championMetric, direction, by, options);
  }

  /**
   * `sluice models gc`: removes what an interrupted register or delete left behind (`.tmp-*`
   * folders of dead processes, `.deleted-*` folders) and, only with `orphans: true`, version
   * folders without a database row. Never runs by itself. See {@link collectOrphans}.
   */
  async collectGarbage(options: GarbageOptions = {}): Promise<GarbageReport> {
    if (!existsSync(this.modelsDir)) return { dryRun: options.dryRun === true, leftovers: [], unregistered: [], removed: [] };
    // Under the write lock: another process's register renames its folder into place inside its
    // own write transaction, so once we hold the lock every committed folder has its row, and a
    // folder without a row really has none (it is not a version about to commit).
    await this.migrated;
    return this.write.tx((w) => collectOrphans(w.db, this.modelsDir, options));
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
    await this.migrated;
    return recoverRegistry(this.write, by, options);
  }
}
