import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { SluiceError, toSluiceError } from '../../core/errors.js';
import { redactUrl } from '../../state/redactUrl.js';
import { type ActivityJob, activityJobId } from './ActivityJob.js';
import type { ActivityJobHandler, ActivityQueue } from './ActivityQueue.js';

export interface PgBossQueueOptions {
  /** The queues to create (every activity kind), so that sending to any of them works. */
  queues: readonly string[];
  /** How long a claimed job stays claimed without its worker renewing the lease (renewed every third of it). */
  leaseMs: number;
  /** How often an idle worker looks for jobs. */
  pollMs: number;
  log: Logger;
  /** The PostgreSQL schema pg-boss keeps its tables in. Default `sluice_queue`. */
  schema?: string;
  /** Connections of the queue's own pool. Default 4. */
  pool?: number;
  /** The state PostgreSQL, for the LISTEN connection that wakes idle slots and orchestrators (set by {@link PgBossQueue.open}). */
  url?: string;
}

/** A run that no worker finishes is given up only by the orchestrator's crash rule (`maxStartsWithoutResult`), never by the queue. */
const RETRY_LIMIT = 100_000;

/**
 * {@link ActivityQueue} on pg-boss 10 in the state PostgreSQL (docs/architecture.md says why).
 * pg-boss claims jobs with `FOR UPDATE SKIP LOCKED`, so one job goes to one worker, and retries a
 * job whose lease (`expire_in` from `started_on`) passed. pg-boss 10 has no lease renewal, so a
 * worker extends the lease of each job it runs every third of the lease (one UPDATE of the job's
 * `expire_in`): a live worker keeps a long training run, a dead one loses its jobs one lease after
 * its last renewal. Expired leases are swept (pg-boss `expire()`) every quarter lease, so a job of
 * a dead worker is running again within 1.25 leases plus one poll.
 *
 * Polling is the floor, not the rule: a sent job and a finished one are announced with
 * PostgreSQL NOTIFY on one channel, and a process that works or orchestrates LISTENs on its own
 * connection, so an idle slot takes a new job and an orchestrator plans the next state at once
 * instead of at its next poll (one execution at a time, a state waited 1,061 ms for the two
 * polls, 49 to 94 ms now: docs/benchmarks.md, "Workers"). A lost notification (the LISTEN
 * connection down, PostgreSQL restarting) costs one poll, never a job.
 */
export class PgBossQueue implements ActivityQueue {
  private readonly running = new Set<AbortController>();
  private readonly slots: Promise<void>[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private stopped = false;
  /** Idle slots, each with the queues it takes from; a notice for one of them wakes one. */
  private wakeIdle: Array<{ queues: readonly string[]; wake: (queue?: string) => void }> = [];
  private readonly finished: Array<() => void> = [];
  private listener: pg.Client | undefined;
  private listening = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly opts: PgBossQueueOptions & { schema: string },
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.max(1000, opts.leaseMs / 4));
    this.sweeper.unref();
  }

  /** Connects, installs or migrates pg-boss's schema, and creates the queues. */
  static async open(url: string, opts: PgBossQueueOptions): Promise<PgBossQueue> {
    const schema = opts.schema ?? 'sluice_queue';
    const leaseSeconds = Math.max(1, Math.ceil(opts.leaseMs / 1000));
    const boss = new PgBoss({
      connectionString: url,
      schema,
      max: opts.pool ?? 4,
      application_name: 'sluice-queue',
      expireInSeconds: leaseSeconds,
      retryLimit: RETRY_LIMIT,
      retryDelay: 1,
      // Completed jobs stay a day (their ids keep a re-sent run from running again), then are archived.
      archiveCompletedAfterSeconds: 86_400,
    });
    // The pool's errors (PostgreSQL restarting) are logged; pg-boss and the workers carry on.
    boss.on('error', (e) => opts.log.warn({ err: e }, 'the job queue reported an error; retrying'));
    try {
      await boss.start();
      await createQueues(url, boss, schema, opts.queues, leaseSeconds);
    } catch (e) {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      throw new SluiceError('QUEUE_UNAVAILABLE', `the job queue in ${redactUrl(url)} could not start: ${toSluiceError(e).message}`, {
        retryable: true,
        hint: 'check that PostgreSQL is reachable and that the user may create a schema (pg-boss keeps its tables in sluice_queue)',
        cause: e,
      });
    }
    return new PgBossQueue(boss, { url, ...opts, schema });
  }

  /** The NOTIFY channel of this queue's schema. */
  private get channel(): string {
    return this.opts.schema;
  }

  async send(queue: string, job: ActivityJob): Promise<void> {
    // null: the same run was sent before (the id is derived from it), nothing new to announce.
    const id = await this.boss.send(queue, { ...job }, { id: activityJobId(job) });
    if (id) await this.announce(`job:${queue}`);
  }

  work(queues: readonly string[], concurrency: number, handler: ActivityJobHandler): void {
    this.listen();
    for (let i = 0; i < concurrency; i++) this.slots.push(this.slot(queues, i, handler));
  }

  /**
   * Calls `listener` when a job finished in any process (its result is recorded and its execution
   * woken): an orchestrator looks at the store at once instead of at its next poll.
   */
  onFinished(listener: () => void): void {
    this.finished.push(listener);
    this.listen();
  }

  /**
   * One worker slot: take a job from the queues in turn (starting at a different one per slot),
   * run it, repeat; when none has a job, wait for the poll or a notice. Woken by a notice, the slot
   * looks only in the queue announced: every process wakes one slot per notice and only one gets
   * the job, so the others go back to waiting after one query instead of a sweep of every queue.
   */
  private async slot(queues: readonly string[], first: number, handler: ActivityJobHandler): Promise<void> {
    let next = first;
    let announced: string | undefined;
    while (!this.stopped) {
      const order = announced !== undefined ? [announced] : queues.map((_, i) => queues[(next + i) % queues.length]!);
      announced = undefined;
      let took = false;
      for (const queue of order) {
        if (this.stopped) break;
        // pg-boss's fetch returns no job when PostgreSQL cannot be reached: the slot just polls again.
        const [job] = await this.boss.fetch<ActivityJob>(queue, { batchSize: 1 });
        if (!job) continue;
        next = (queues.indexOf(queue) + 1) % queues.length;
        took = true;
        await this.run(queue, job.id, job.data, handler);
        break;
      }
      if (!took && !this.stopped) announced = await this.idle(queues);
    }
  }

  /** Waits a poll, or until a job is announced on one of `queues` (resolves with that queue). */
  private idle(queues: readonly string[]): Promise<string | undefined> {
    return new Promise((resolve) => {
      const entry = {
        queues,
        wake: (queue?: string) => {
          clearTimeout(t);
          this.wakeIdle = this.wakeIdle.filter((w) => w !== entry);
          resolve(queue);
        },
      };
      const t = setTimeout(() => entry.wake(), this.opts.pollMs);
      this.wakeIdle.push(entry);
    });
  }

  /** NOTIFY on the queue's channel; a failure only costs the listeners a poll. */
  private async announce(payload: string): Promise<void> {
    try {
      await this.boss.getDb().executeSql('SELECT pg_notify($1, $2)', [this.channel, payload]);
    } catch (e) {
      this.opts.log.debug({ err: e }, 'could not announce on the job queue; listeners will poll');
    }
  }

  /** A notice: `job:<queue>` wakes one idle slot taking that queue; `done` tells the finished-listeners. */
  private heard(payload: string | undefined): void {
    if (payload === 'done') {
      for (const f of this.finished) f();
      return;
    }
    const queue = payload?.startsWith('job:') ? payload.slice(4) : undefined;
    const idle = this.wakeIdle.find((w) => queue !== undefined && w.queues.includes(queue));
    idle?.wake(queue);
  }

  /** Opens the LISTEN connection (once), and again a second after it is lost, until {@link stop}. */
  private listen(): void {
    if (this.listening || this.stopped || !this.opts.url) return;
    this.listening = true;
    const client = new pg.Client({ connectionString: this.opts.url, application_name: 'sluice-queue-listen' });
    this.listener = client;
    let lost = false;
    const again = (e?: unknown) => {
      if (lost) return;
      lost = true;
      this.listening = false;
      this.listener = undefined;
      client.end().catch(() => {});
      if (this.stopped) return;
      if (e) this.opts.log.debug({ err: e }, 'the job queue LISTEN connection was lost; polling until it is back');
      setTimeout(() => this.listen(), 1000).unref();
    };
    client.on('error', again);
    client.on('end', () => again());
    client.on('notification', (n) => {
      if (n.channel === this.channel) this.heard(n.payload);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN "${this.channel.replaceAll('"', '""')}"`))
      .then(() => {
        // Announced while not listening: look now rather than at the next poll.
        for (const w of [...this.wakeIdle]) w.wake();
        for (const f of this.finished) f();
      })
      .catch(again);
  }

  private async run(queue: string, id: string, job: ActivityJob, handler: ActivityJobHandler): Promise<void> {
    const lease = new AbortController();
    this.running.add(lease);
    const renew = setInterval(() => void this.renew(queue, id, lease), Math.max(200, this.opts.leaseMs / 3));
    let failure: unknown;
    try {
      await handler(job, lease.signal);
    } catch (e) {
      failure = e;
    } finally {
      clearInterval(renew);
      this.running.delete(lease);
    }
    // A lost lease belongs to another worker now: leave the job to it.
    if (lease.signal.aborted && !this.stopped) return;
    try {
      if (failure === undefined && !lease.signal.aborted) {
        await this.boss.complete(queue, id);
        // The run's result is recorded and its execution woken: orchestrators plan the next state now.
        await this.announce('done');
      } else await this.boss.fail(queue, id, { message: failure ? toSluiceError(failure).message : 'the worker stopped' });
    } catch (e) {
      // PostgreSQL away: the lease lapses and the job runs again; the run finds its result recorded.
      this.opts.log.warn({ err: e, queue, job: id }, 'could not mark the job done; it will be retried and find its result');
    }
  }

  /** Extends the job's lease from now; a job no longer ours (expired and taken again) aborts the run. */
  private async renew(queue: string, id: string, lease: AbortController): Promise<void> {
    try {
      const { rows } = await this.boss
        .getDb()
        .executeSql(
          `UPDATE ${this.opts.schema}.job SET expire_in = (now() - started_on) + make_interval(secs => $3) WHERE name = $1 AND id = $2 AND state = 'active' RETURNING id`,
          [queue, id, this.opts.leaseMs / 1000],
        );
      if (rows.length === 0 && !lease.signal.aborted) {
        this.opts.log.warn({ queue, job: id }, 'the lease of the job was lost (it expired and another worker may run it); stopping this run');
        lease.abort(new SluiceError('LEASE_LOST', `the lease of job ${id} was lost`));
      }
    } catch (e) {
      this.opts.log.warn({ err: e, queue, job: id }, 'could not renew the lease of the job; trying again');
    }
  }

  /** Hands jobs whose lease expired (their worker died) back to the queue. */
  private async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.boss.expire();
    } catch (e) {
      this.opts.log.warn({ err: e }, 'could not sweep expired leases; trying again');
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const w of this.wakeIdle.splice(0)) w.wake();
    await this.listener?.end().catch(() => {});
    for (const lease of this.running) lease.abort(new SluiceError('SHUTDOWN', 'the worker is stopping'));
    await Promise.allSettled(this.slots);
    await this.boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
  }
}

/**
 * Creates the queues that do not exist yet. Creating a pg-boss queue is DDL (a partition of the
 * job table with foreign keys to the queue table), and pg-boss takes no lock for it: processes
 * starting together on a fresh database (serve and its workers under compose or systemd) creating
 * different queues at once deadlock, and all but one failed with "deadlock detected". So the
 * creators take turns under a session advisory lock (on a connection of their own: pg-boss's
 * pool may hand each statement another); the queues that exist already need no lock.
 */
async function createQueues(url: string, boss: PgBoss, schema: string, queues: readonly string[], leaseSeconds: number): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  const missing = queues.filter((q) => !existing.has(q));
  if (missing.length === 0) return;
  const client = new pg.Client({ connectionString: url, application_name: 'sluice-queue-setup' });
  // An error of the idle connection (PostgreSQL going away) surfaces in the query that follows; never as an unhandled event.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`sluice:${schema}:create_queue`]);
    // Created by whoever held the lock before us: create_queue does nothing for an existing name.
    for (const name of missing) await boss.createQueue(name, { name, retryLimit: RETRY_LIMIT, retryDelay: 1, expireInSeconds: leaseSeconds });
  } finally {
    // Ending the session releases its advisory lock, even when a statement above failed.
    await client.end().catch(() => undefined);
  }
}
