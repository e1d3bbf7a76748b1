/**
 * The harness of the workers benchmark (issue 17, point 7; bench/pipeline/workersBench.ts prints
 * it, test/bench/workersHarness.test.ts runs it small): N executions of a pipeline of cheap, real
 * command states (`true`, a process spawned per state), driven by real `sluice` processes (the
 * built CLI, bin/sluice.js):
 *
 * - SQLite state (the embedded default): one `sluice serve`, which orchestrates and runs every
 *   activity in its own process;
 * - PostgreSQL state: one `sluice serve --no-work` (orchestration only) and W `sluice worker`
 *   processes taking the activity runs from the pg-boss queue.
 *
 * Settings are the defaults a user gets (orchestrator poll 500 ms, `concurrency` 4,
 * `queue.poll` 1s, `queue.concurrency` 2), unless `queue` overrides them. Everything is measured
 * from what the product records: the executions' event histories (ActivityStarted/ActivitySucceeded
 * times) and pg-boss's job rows (created_on, started_on); CPU time from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import pino from 'pino';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { type Postgres, startPostgres } from '../../test/support/postgres.js';

export type Backend = 'sqlite' | 'postgres';

export interface WorkersBenchOptions {
  /** Executions per configuration (default 100). */
  executions?: number;
  /** `sluice worker` processes per PostgreSQL configuration (default 1, 2, 4). */
  workers?: readonly number[];
  /** Which state backends to measure (default both). */
  backends?: readonly Backend[];
  /** Executions run afterwards one at a time, for the overhead of a state with no backlog (default 5). */
  solo?: number;
  /** Command states per execution (default 4). */
  steps?: number;
  /** sluice.yaml `queue` settings (PostgreSQL), e.g. `{ poll: '1s' }`; default the product's defaults. */
  queue?: Record<string, string | number>;
  /** Give up on a configuration after this long (default 240 s): the row says how many finished. */
  timeoutMs?: number;
  /** An already running PostgreSQL to use (else one is started and stopped). */
  postgres?: Postgres;
  /** Progress lines (stderr in the benchmark). */
  log?: (line: string) => void;
}

export interface Spread {
  n: number;
  median: number;
  p95: number;
}

export interface WorkersRun {
  backend: Backend;
  /** `sluice worker` processes (0: the work ran in `sluice serve`). */
  workers: number;
  executions: number;
  succeeded: number;
  /** First ExecutionStarted to last execution end, seconds. */
  seconds: number;
  perMinute: number;
  /** One state's ActivitySucceeded to the next state's ActivityStarted, ms. */
  gapMs: Spread;
  /** pg-boss job created_on (enqueue) to started_on (claim), ms; undefined without a queue. */
  queueMs: Spread | undefined;
  /** A state's ActivitySucceeded to the enqueue of the next state's job, ms (orchestrator pickup). */
  pickupMs: Spread | undefined;
  /** ActivityStarted to ActivitySucceeded (the `true` process itself), ms. */
  activityMs: Spread;
  /** The same measures for the executions run one at a time after the batch. */
  solo: { executions: number; gapMs: Spread; queueMs: Spread | undefined; pickupMs: Spread | undefined };
  /** User + system CPU seconds of the sluice processes during the run (their children, the commands, included; start-up not). */
  sluiceCpuS: number;
  /** The part of {@link sluiceCpuS} spent in `sluice serve` (the orchestrator; on SQLite, also the work). */
  serveCpuS: number;
  /** User + system CPU seconds of the PostgreSQL server during the run (0 on SQLite). */
  postgresCpuS: number;
  loadStart: number;
  loadEnd: number;
}

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'sluice.js');
const TERMINAL = new Set(['succeeded', 'failed', 'skipped']);

export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, median: Number.NaN, p95: Number.NaN };
  const m = s.length >> 1;
  const median = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return { n: s.length, median, p95: s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]! };
}

/** user, system, children's user, children's system CPU seconds, and the parent pid, from /proc/<pid>/stat. */
function procStat(pid: number): { self: number; children: number; ppid: number } | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(x[1]), self: (Number(x[11]) + Number(x[12])) / 100, children: (Number(x[13]) + Number(x[14])) / 100 };
  } catch {
    return undefined;
  }
}

/** CPU seconds of a PostgreSQL server so far: the postmaster, its live backends, and the backends that exited. */
function postgresCpu(port: number): number {
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  let postmaster: number | undefined;
  for (const p of pids) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const i = argv.indexOf('-p');
    if (argv[0]?.endsWith('/postgres') && i >= 0 && argv[i + 1] === String(port)) postmaster = Number(p);
  }
  if (postmaster === undefined) return 0;
  const pm = procStat(postmaster);
  let total = (pm?.self ?? 0) + (pm?.children ?? 0);
  for (const p of pids) {
    const s = procStat(Number(p));
    if (s && s.ppid === postmaster) total += s.self;
  }
  return total;
}

interface Child {
  child: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

/** A `sluice` process (the built CLI), resolved once it logged `ready`. */
async function startSluice(args: string[], cwd: string, ready: string, timeoutMs: number): Promise<Child> {
  const child = spawn(process.execPath, [BIN, ...args, '--log-format', 'json'], {
    cwd,
    env: { ...process.env, SLUICE_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (l: string) => {
    tail = `${tail}${l}\n`.slice(-4000);
  };
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`sluice ${args.join(' ')} did not start within ${timeoutMs} ms:\n${tail}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      keep(l);
      if (l.includes(ready)) {
        clearTimeout(timer);
        res();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      rej(new Error(`sluice ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}):\n${tail}`));
    });
  });
  return { child, exited, output: () => tail };
}

/** CPU seconds of the process and its waited-for children, read before it is stopped. */
function childCpu(c: Child): number {
  const s = c.child.pid !== undefined ? procStat(c.child.pid) : undefined;
  return s ? s.self + s.children : 0;
}

async function stopChild(c: Child): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  c.child.kill('SIGTERM');
  const t = setTimeout(() => c.child.kill('SIGKILL'), 15_000);
  await c.exited;
  clearTimeout(t);
}

function projectYaml(steps: number, state: string | undefined, queue: Record<string, string | number> | undefined): string {
  const names = Array.from({ length: steps }, (_, i) => `s${i + 1}`);
  const states = names.map((n, i) => `    ${n}: { type: task, command: ["true"], next: ${names[i + 1] ?? 'done'} }`).join('\n');
  const q =
    queue && Object.keys(queue).length
      ? `queue: { ${Object.entries(queue)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')} }\n`
      : '';
  return `name: workers-bench
${state ? `stores:\n  state: { type: postgres, url: "${state}" }\n` : ''}${q}pipeline:
  name: cheap-commands
  start: s1
  states:
${states}
    done: { type: succeed, outcome: done }
`;
}

async function createDatabase(url: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return url.replace(/\/[^/]*$/, `/${name}`);
}

/** What the histories (and pg-boss's job rows) of these executions say. */
async function measure(runtime: ProjectRuntime, ids: readonly string[], queued: boolean) {
  const gaps: number[] = [];
  const runs: number[] = [];
  const succeededAt = new Map<string, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let succeeded = 0;
  for (const id of ids) {
    const rec = await runtime.store.require(id);
    if (rec.status === 'succeeded') succeeded++;
    let prevEnd: number | undefined;
    let startedAt: number | undefined;
    for (const e of await runtime.store.events(id)) {
      const t = Date.parse(e.at);
      if (e.type === 'ExecutionStarted') first = Math.min(first, t);
      if (e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed') last = Math.max(last, t);
      if (e.type === 'ActivityStarted') {
        if (prevEnd !== undefined) gaps.push(t - prevEnd);
        startedAt = t;
      }
      if (e.type === 'ActivitySucceeded' && e.step) {
        if (startedAt !== undefined) runs.push(t - startedAt);
        prevEnd = t;
        succeededAt.set(`${id}/${e.step}`, t);
      }
    }
  }
  let queueMs: Spread | undefined;
  let pickupMs: Spread | undefined;
  if (queued) {
    const wanted = new Set(ids);
    const jobs = (
      await runtime.state.query<{ execution_id: string; step: string; created: number; started: number | null }>(
        `SELECT data->>'executionId' AS execution_id, data->>'step' AS step,
                (EXTRACT(EPOCH FROM created_on) * 1000)::float8 AS created, (EXTRACT(EPOCH FROM started_on) * 1000)::float8 AS started
           FROM sluice_queue.job WHERE name = 'command'`,
      )
    ).filter((j) => wanted.has(j.execution_id));
    queueMs = spread(jobs.filter((j) => j.started !== null).map((j) => Number(j.started) - Number(j.created)));
    const pickups: number[] = [];
    for (const j of jobs) {
      const n = Number(/^s(\d+)$/.exec(j.step)?.[1] ?? 0);
      const prev = succeededAt.get(`${j.execution_id}/s${n - 1}`);
      if (n > 1 && prev !== undefined) pickups.push(Number(j.created) - prev);
    }
    pickupMs = spread(pickups);
  }
  return { first, last, succeeded, gapMs: spread(gaps), activityMs: spread(runs), queueMs, pickupMs };
}

/** One configuration: start the processes, start the executions, wait, measure, stop. */
async function runOne(
  backend: Backend,
  workers: number,
  opts: Required<Pick<WorkersBenchOptions, 'executions' | 'steps' | 'timeoutMs' | 'solo'>> & WorkersBenchOptions,
  postgres: Postgres | undefined,
  index: number,
): Promise<WorkersRun> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workers-bench-'));
  const children: Child[] = [];
  let runtime: ProjectRuntime | undefined;
  try {
    const url = postgres ? await createDatabase(postgres.url, `workers_bench_${process.pid}_${index}`) : undefined;
    writeFileSync(join(dir, 'sluice.yaml'), projectYaml(opts.steps, url, backend === 'postgres' ? opts.queue : undefined));
    // This process only starts executions and reads results (it migrates the state first).
    runtime = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }) });
    const startTimeout = 120_000;
    const starting = [
      startSluice(['serve', '-p', dir, '--no-watch', '--port', '0', ...(backend === 'postgres' ? ['--no-work'] : [])], dir, 'sluice serving', startTimeout),
    ];
    for (let i = 0; i < workers; i++) starting.push(startSluice(['worker', '-p', dir], dir, 'sluice worker taking runs', startTimeout));
    const started = await Promise.allSettled(starting);
    for (const s of started) if (s.status === 'fulfilled') children.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const pgCpu0 = postgres ? postgresCpu(postgres.port) : 0;
    // Start-up (loading the CLI, migrations) is not part of the run.
    const serveCpu0 = childCpu(children[0]!);
    const sluiceCpu0 = children.reduce((s, c) => s + childCpu(c), 0);
    const loadStart = loadavg()[0]!;
    log(`${backend}, ${workers} worker(s): starting ${opts.executions} executions (load ${loadStart.toFixed(1)})`);
    const ids: string[] = [];
    for (let i = 0; i < opts.executions; i++) ids.push((await runtime.orchestrator.start({ n: i })).id);
    const deadline = Date.now() + opts.timeoutMs;
    let ended = 0;
    for (;;) {
      const rows = await runtime.store.list({ limit: opts.executions + 10 });
      ended = rows.filter((r) => TERMINAL.has(r.status)).length;
      if (ended >= opts.executions || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const loadEnd = loadavg()[0]!;
    const pgCpu = postgres ? postgresCpu(postgres.port) - pgCpu0 : 0;
    const sluiceCpuS = children.reduce((s, c) => s + childCpu(c), 0) - sluiceCpu0;
    const serveCpuS = childCpu(children[0]!) - serveCpu0;
    log(`${backend}, ${workers} worker(s): ${ended}/${opts.executions} ended; stopping`);

    const batch = await measure(runtime, ids, postgres !== undefined);
    // One execution at a time: the overhead of a state with no backlog in front of it.
    const soloIds: string[] = [];
    const soloDeadline = Date.now() + opts.timeoutMs;
    for (let i = 0; i < opts.solo && Date.now() < soloDeadline; i++) {
      const rec = await runtime.orchestrator.start({ solo: i });
      soloIds.push(rec.id);
      while (!TERMINAL.has((await runtime.store.require(rec.id)).status) && Date.now() < soloDeadline) await new Promise((r) => setTimeout(r, 20));
    }
    const solo = await measure(runtime, soloIds, postgres !== undefined);
    const { first, last, succeeded } = batch;
    const seconds = (last - first) / 1000;
    return {
      backend,
      workers,
      executions: opts.executions,
      succeeded,
      seconds,
      perMinute: seconds > 0 ? (ended * 60) / seconds : Number.NaN,
      gapMs: batch.gapMs,
      queueMs: batch.queueMs,
      pickupMs: batch.pickupMs,
      activityMs: batch.activityMs,
      solo: { executions: soloIds.length, gapMs: solo.gapMs, queueMs: solo.queueMs, pickupMs: solo.pickupMs },
      sluiceCpuS,
      serveCpuS,
      postgresCpuS: pgCpu,
      loadStart,
      loadEnd,
    };
  } finally {
    await Promise.all(children.map(stopChild));
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the configurations one after another: SQLite (one `sluice serve`), then PostgreSQL with
 * each worker count. Starts (and stops) a throwaway PostgreSQL unless one is given.
 */
export async function runWorkersBench(options: WorkersBenchOptions = {}): Promise<WorkersRun[]> {
  const opts = { executions: 100, steps: 4, timeoutMs: 240_000, solo: 5, ...options };
  const backends = options.backends ?? ['sqlite', 'postgres'];
  const workerCounts = options.workers ?? [1, 2, 4];
  const out: WorkersRun[] = [];
  let postgres = options.postgres;
  const own = !postgres && backends.includes('postgres');
  try {
    if (own) postgres = await startPostgres();
    let index = 0;
    if (backends.includes('sqlite')) out.push(await runOne('sqlite', 0, opts, undefined, index++));
    if (backends.includes('postgres')) for (const w of workerCounts) out.push(await runOne('postgres', w, opts, postgres, index++));
  } finally {
    if (own) await postgres?.stop();
  }
  return out;
}
