/**
 * Workers benchmark (issue 17, point 7): N executions of a pipeline of cheap command states with
 * the embedded SQLite state (one `sluice serve` doing the work) and with PostgreSQL state (one
 * `sluice serve --no-work` and 1, 2, 4 `sluice worker` processes on the pg-boss queue).
 * Harness: workersHarness.ts. Needs the built CLI (`npm run build`) and Debian's postgresql.
 *
 *   node --import tsx bench/pipeline/workersBench.ts [--executions 100] [--workers 1,2,4] [--backends sqlite,postgres]
 *     [--steps 4] [--solo 5] [--poll 1s] [--timeout 240]
 *
 * Prints Markdown (copied into docs/benchmarks.md).
 */
import { cpus, loadavg } from 'node:os';
import { fmt } from '../lib.js';
import { type Backend, runWorkersBench, type Spread } from './workersHarness.js';

const argv = process.argv.slice(2);
const opt = (n: string): string | undefined => (argv.indexOf(`--${n}`) >= 0 ? argv[argv.indexOf(`--${n}`) + 1] : undefined);
const executions = Number(opt('executions') ?? 100);
const workers = (opt('workers') ?? '1,2,4').split(',').map(Number);
const backends = (opt('backends') ?? 'sqlite,postgres').split(',') as Backend[];
const steps = Number(opt('steps') ?? 4);
const poll = opt('poll');
const solo = Number(opt('solo') ?? 5);
const timeoutMs = Number(opt('timeout') ?? 240) * 1000;
if (!Number.isInteger(executions) || executions < 1) throw new Error(`--executions ${opt('executions')}: give a whole number ≥ 1`);
if (workers.some((w) => !Number.isInteger(w) || w < 1 || w > 16)) throw new Error(`--workers ${opt('workers')}: give worker counts from 1 to 16, e.g. 1,2,4`);
if (backends.some((b) => b !== 'sqlite' && b !== 'postgres')) throw new Error(`--backends ${opt('backends')}: sqlite, postgres or both`);

const load0 = loadavg();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const runs = await runWorkersBench({
  executions,
  workers,
  backends,
  steps,
  solo,
  timeoutMs,
  ...(poll ? { queue: { poll } } : {}),
  log: (l) => process.stderr.write(`${l}\n`),
});
const wall = (performance.now() - t0) / 1000;
const own = process.cpuUsage(cpu0);
const load1 = loadavg();

const procs = (r: (typeof runs)[number]): string =>
  r.backend === 'sqlite' ? '1 serve (does the work)' : `1 serve --no-work + ${r.workers} worker${r.workers > 1 ? 's' : ''}`;
const state = (r: (typeof runs)[number]): string => (r.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL');
const ms = (s: Spread | undefined): string => (s && s.n > 0 ? `${fmt(s.median, 0)} / ${fmt(s.p95, 0)}` : 'n/a');
const lines = [
  `${executions} executions of a ${steps}-state pipeline whose states are command tasks running \`true\` (one process spawned per state: real, cheap work, so the figures are orchestration, not training), all started at once. SQLite: one \`sluice serve\` orchestrates and runs every activity in-process (the embedded default). PostgreSQL: one \`sluice serve --no-work\` orchestrates; the \`sluice worker\` processes take the runs from the pg-boss queue. Settings are the defaults (orchestrator poll 500 ms, \`concurrency\` 4, \`queue.poll\` ${poll ?? '1s'}, \`queue.concurrency\` 2 per worker). Gap: one state's ActivitySucceeded to the next state's ActivityStarted, from the recorded history; queue: pg-boss job created_on (enqueue) to started_on (claim); pickup: a state's result to the enqueue of the next state's job (the orchestrator's part of the gap). CPU: user + system of the sluice processes (with the spawned commands) and of PostgreSQL, over the run.`,
  '',
  '| state | sluice processes | succeeded | wall s | executions/min | gap ms (median / p95) | queue ms (median / p95) | pickup ms (median / p95) | activity ms (median) | CPU s sluice (serve + workers) | CPU s PostgreSQL | CPU ms per state | load start / end |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...runs.map((r) => {
    const perState = ((r.sluiceCpuS + r.postgresCpuS) * 1000) / (r.executions * steps);
    return `| ${state(r)} | ${procs(r)} | ${r.succeeded}/${r.executions} | ${fmt(r.seconds, 1)} | ${fmt(r.perMinute, 0)} | ${ms(r.gapMs)} | ${ms(r.queueMs)} | ${ms(r.pickupMs)} | ${fmt(r.activityMs.median, 0)} | ${r.backend === 'sqlite' ? fmt(r.sluiceCpuS, 1) : `${fmt(r.sluiceCpuS, 1)} (${fmt(r.serveCpuS, 1)} + ${fmt(r.sluiceCpuS - r.serveCpuS, 1)})`} | ${r.backend === 'sqlite' ? '—' : fmt(r.postgresCpuS, 1)} | ${fmt(perState, 1)} | ${fmt(r.loadStart, 1)} / ${fmt(r.loadEnd, 1)} |`;
  }),
  '',
  `Then ${solo} executions one at a time on the same processes: the overhead of a state with no backlog in front of it.`,
  '',
  '| state | sluice processes | executions | gap ms (median / p95) | queue ms (median / p95) | pickup ms (median / p95) |',
  '|---|---|---|---|---|---|',
  ...runs.map((r) => `| ${state(r)} | ${procs(r)} | ${r.solo.executions} | ${ms(r.solo.gapMs)} | ${ms(r.solo.queueMs)} | ${ms(r.solo.pickupMs)} |`),
  '',
  `Load average (1, 5, 15 min) at start: ${load0.map((x) => x.toFixed(2)).join(' ')}; at end: ${load1.map((x) => x.toFixed(2)).join(' ')} (${cpus().length} CPUs). Whole part: ${fmt(wall, 0)} s wall; the benchmark process itself (starting executions, reading results) used ${fmt((own.user + own.system) / 1e6, 1)} s CPU.`,
  '',
];
process.stdout.write(lines.join('\n'));
