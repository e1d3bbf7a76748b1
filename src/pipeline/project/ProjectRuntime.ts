import { machineLocalStores } from '../../core/machineLocalStores.js';
import pino, { type Logger } from 'pino';
import { SluiceError } from '../../core/errors.js';
import { openProjectDb, type ProjectDb } from '../../state/openProjectDb.js';
import { openStateDb } from '../../state/openStateDb.js';
import type { StateDb } from '../../state/StateDb.js';
import { stateSettings } from '../../state/stateSettings.js';
import { PgBossQueue } from '../queue/PgBossQueue.js';
import { checkQueueNames } from '../queue/checkQueueNames.js';
import type { Activity } from '../activities/Activity.js';
import { builtinActivities } from '../activities/builtinActivities.js';
import { BUILTIN_ACTIVITIES } from '../activities/builtinActivityDefinitions.js';
import { shareFolders } from '../activities/shareFolders.js';
import { type ProjectStores, projectStores } from '../../storage/projectStores.js';
import type { Approver } from '../approvals/Approver.js';
import { ApprovalMessenger, type NotificationSettings } from '../notify/ApprovalMessenger.js';
import { Mailer } from '../notify/Mailer.js';
import { Orchestrator, type OrchestratorOptions } from '../Orchestrator.js';
import { ExecutionStore } from '../store/ExecutionStore.js';
import { durationMs } from '../definition/duration.js';
import { projectInputRoots } from '../triggers/admitInputFile.js';
import { LiveApprovers } from './LiveApprovers.js';
import { InboxWatcher } from '../triggers/InboxWatcher.js';
import type { Project } from './loadProject.js';

export interface RuntimeOptions {
  logger?: Logger;
  /** Extra or replacement activities by name (plugins, tests). */
  // biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
  activities?: Record<string, Activity<any, unknown>>;
  concurrency?: number;
  pollMs?: number;
  /** See OrchestratorOptions: how many times a step may start without a result before it is failed. */
  maxStartsWithoutResult?: number;
  /** Called after each recorded event. */
  onEvent?: OrchestratorOptions['onEvent'];
}

/** Every queue of a project: one per activity kind (the built-in ones and those the runtime was given), and `command`. */
function queueNames(opts: RuntimeOptions): string[] {
  return [...new Set([...BUILTIN_ACTIVITIES, ...Object.keys(opts.activities ?? {}), 'command'])];
}

/**
 * A project's live parts wired together: state, execution store, activities, notifications,
 * orchestrator and inbox watcher. `sluice serve`, `sluice run` and the server use it.
 *
 * @example
 * const runtime = await ProjectRuntime.open(loadProject(dir));
 */
export class ProjectRuntime {
  /**
   * The project's SQLite file, for what is not on {@link state}. With SQLite state it is the
   * connection {@link state} shares, opened at once; with PostgreSQL state it is opened only if
   * something asks for it (nothing of the runtime does), so no state file appears beside it.
   */
  get db(): ProjectDb {
    this.sqlite ??= openProjectDb(this.project.paths.db, { evidenceDirs: [this.project.paths.archive] });
    return this.sqlite;
  }
  private sqlite: ProjectDb | undefined;
  /** The shared state as sluice.yaml `stores.state` / SLUICE_DATABASE_URL chose it (SQLite shares {@link db}'s connection). */
  readonly state: StateDb;
  readonly store: ExecutionStore;
  readonly orchestrator: Orchestrator;
  readonly notifications: NotificationSettings;
  readonly log: Logger;
  private warnedLocalStores = false;
  /** Where artifacts, reports, archived inputs and step outputs live (sluice.yaml `stores.*`; local folders by default). */
  readonly stores: ProjectStores;
  private readonly mailer: Mailer | undefined;
  private watcher: InboxWatcher | undefined;
  /** The job queue activity runs go through (PostgreSQL state), else undefined: activities run in the orchestrator's process. */
  readonly queue: PgBossQueue | undefined;
  /** Every queue name: one per activity kind, and `command`. */
  readonly queueNames: readonly string[];
  /** The users as sluice.yaml says now (re-read when the file changes). */
  readonly users: LiveApprovers;

  /** Opens the project's state (migrating it) and wires the runtime on it. */
  static async open(project: Project, opts: RuntimeOptions = {}): Promise<ProjectRuntime> {
    const { config, paths } = project;
    // First: a mistake in stores.* is reported before anything is opened.
    const stores = projectStores(paths, config.stores);
    let db: ProjectDb | undefined;
    let state: StateDb | undefined;
    let queue: PgBossQueue | undefined;
    try {
      const settings = stateSettings(config.stores.state, paths.db, project.file);
      if (settings.type === 'sqlite') db = openProjectDb(paths.db, { evidenceDirs: [paths.archive] });
      state = await openStateDb(settings, db ? { sqlite: db } : {});
      const store = await ExecutionStore.open(state);
      // Shared state on PostgreSQL: activity runs go through the job queue there, so any
      // \`sluice worker\` (or this process) can take them.
      if (settings.type === 'postgres')
        queue = await PgBossQueue.open(settings.url, {
          queues: queueNames(opts),
          leaseMs: durationMs(config.queue.lease),
          pollMs: durationMs(config.queue.poll),
          log: opts.logger ?? pino({ level: 'silent' }),
        });
      return new ProjectRuntime(project, opts, { db, state, stores, store, queue });
    } catch (e) {
      await queue?.stop();
      await state?.close();
      db?.close();
      await stores.close();
      throw e;
    }
  }

  private constructor(
    readonly project: Project,
    opts: RuntimeOptions,
    parts: { db: ProjectDb | undefined; state: StateDb; stores: ProjectStores; store: ExecutionStore; queue: PgBossQueue | undefined },
  ) {
    const { config, paths } = project;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.sqlite = parts.db;
    this.state = parts.state;
    this.stores = parts.stores;
    this.store = parts.store;
    this.queue = parts.queue;
    this.queueNames = queueNames(opts);
    if (config.smtp) {
      this.mailer = new Mailer(config.smtp);
    }
    const publicUrl = config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`;
    const users = new LiveApprovers(project.file, config.approvers, (message) => this.log.warn(message));
    this.users = users;
    this.notifications = {
      publicUrl,
      get approvers() {
        return users.current();
      },
      mailer: this.mailer,
      webhooks: config.webhooks,
    };
    const activities = shareFolders(
      builtinActivities(opts.activities, { store: this.store, publicUrl, state: this.state, notifications: this.notifications }),
      this.stores,
    );
    this.orchestrator = new Orchestrator({
      store: this.store,
      activities,
      project: paths,
      pipeline: project.pipeline,
      concurrency: opts.concurrency ?? config.concurrency,
      logger: this.log,
      approvals: new ApprovalMessenger(this.store, this.notifications),
      config,
      processDuplicates: config.duplicates === 'process',
      readLimits: { maxBytes: config.inputLimits.maxBytes, timeoutMs: durationMs(config.inputLimits.readTimeout) },
      diskFullRetry: { firstMs: durationMs(config.diskFull.retry), maxMs: durationMs(config.diskFull.maxRetry) },
      ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
      maxStartsWithoutResult: opts.maxStartsWithoutResult ?? config.queue.maxStarts,
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      ...(this.queue ? { queue: this.queue } : {}),
    });
  }

  /** The configured users as sluice.yaml says now. */
  get approvers(): readonly Approver[] {
    return this.users.current();
  }

  /** The configured approver of that name (case-insensitive), or a clear error. */
  approver(name: string): Approver {
    const a = this.approvers.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!a) {
      throw new SluiceError('APPROVER_UNKNOWN', `"${name}" is not a configured approver`, {
        httpStatus: 403,
        hint: `approvers in sluice.yaml: ${this.approvers.map((x) => x.name).join(', ') || '(none)'}`,
      });
    }
    return a;
  }

  /**
   * Starts the orchestrator loop and, with `watch`, the inbox watcher. With the job queue
   * (PostgreSQL state) this process also takes activity runs from every queue unless `work` is
   * false (`sluice serve --no-work`); without one it runs them itself, so `work: false` is refused.
   */
  async start(opts: { watch?: boolean; work?: boolean } = {}): Promise<void> {
    if (opts.work === false && !this.queue)
      throw new SluiceError('WORKERS_NEED_POSTGRES', '--no-work needs the state on PostgreSQL: with SQLite state activities run in sluice serve itself', {
        hint: 'set stores.state: { type: postgres, url: ... } in sluice.yaml (or SLUICE_DATABASE_URL) and run sluice worker processes, or leave --no-work out',
      });
    this.warnMachineLocalStores();
    this.orchestrator.startLoop();
    // A worker recorded a result: plan the execution's next state now, not at the next poll.
    this.queue?.onFinished(() => this.orchestrator.kick());
    if (this.queue && opts.work !== false) this.startWorker();
    if (opts.watch) {
      this.watcher = new InboxWatcher({
        orchestrator: this.orchestrator,
        inbox: this.project.paths.inbox,
        archive: this.project.paths.archive,
        stabilityMs: this.project.config.stabilityMs,
        logger: this.log,
        inputRoots: projectInputRoots(this.project),
        diskFullRetry: { firstMs: durationMs(this.project.config.diskFull.retry), maxMs: durationMs(this.project.config.diskFull.maxRetry) },
      });
      await this.watcher.start();
    }
  }

  /**
   * Takes activity runs from the job queue (`sluice worker`): from `queues` (default all), up to
   * `concurrency` at once (default sluice.yaml `queue.concurrency`). Needs the state on PostgreSQL.
   */
  startWorker(opts: { queues?: readonly string[]; concurrency?: number } = {}): void {
    if (!this.queue)
      throw new SluiceError(
        'WORKERS_NEED_POSTGRES',
        'sluice worker needs the state on PostgreSQL (stores.state: postgres): with SQLite state activities run in sluice serve',
        {
          hint: 'set stores.state: { type: postgres, url: postgres://... } in sluice.yaml (or SLUICE_DATABASE_URL), or run sluice serve alone',
        },
      );
    this.warnMachineLocalStores();
    const queues = opts.queues ? checkQueueNames(opts.queues, this.queueNames) : this.queueNames;
    this.queue.work(queues, opts.concurrency ?? this.project.config.queue.concurrency, (job, lease) => this.orchestrator.runQueued(job, lease));
  }

  /**
   * With the state on PostgreSQL (several processes, maybe several machines), names once the
   * stores that stay on this machine: another machine's worker or replica cannot read them.
   */
  private warnMachineLocalStores(): void {
    if (!this.queue || this.warnedLocalStores) return;
    this.warnedLocalStores = true;
    const local = machineLocalStores(this.project.config);
    if (local.length > 0)
      this.log.warn(
        { stores: local },
        `the state is on PostgreSQL but these stores are on this machine only: ${local.join(', ')}. Fine when every process runs on this machine or the folders are one network mount; otherwise workers and replicas on other machines will not find what this one wrote (docs/deployment.md)`,
      );
  }

  async close(): Promise<void> {
    await this.watcher?.stop();
    await this.queue?.stop();
    await this.orchestrator.stop();
    this.mailer?.close();
    await this.state.close();
    await this.stores.close();
    this.sqlite?.close();
  }
}
