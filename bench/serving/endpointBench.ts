/**
 * Issue 19, target 4, side by side with its anchor in one run (the `endpoint` part of
 * `npm run bench`, about 3 minutes): the endpoint at fixed rates up to 5,000 single-record
 * requests/s (open loop, 200 connections, `--workers 2`, openLoopBench.ts), each rate 3 times
 * taking turns with a Fastify hello-world in the same workers, judged by the median run's p99
 * (one pause of a shared machine cannot decide it) with every run's p99, the server's GC pauses
 * and event-loop delay and the load shown; the CPU per request inside the serving process and the
 * 10,000-record batch over a socket next to the hello-world receiving the same body
 * (requestCpu.ts). Prints each target with its anchor and whether it is met.
 *
 *   node --import tsx bench/serving/endpointBench.ts [--artifact DIR] [--rates 1000,3000,5000] [--duration 5] [--runs 3] [--workers 2]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { withServingV8Flags } from '../../src/server/servingV8Flags.js';
import { trainDiabetesModel } from '../../test/models/diabetesModel.js';
import { median } from '../lib.js';

const argv = process.argv.slice(2);
const opt = (n: string): string | undefined => (argv.indexOf(`--${n}`) >= 0 ? argv[argv.indexOf(`--${n}`) + 1] : undefined);
const RATES = opt('rates') ?? '1000,3000,5000';
const DURATION = opt('duration') ?? '5';
const RUNS = opt('runs') ?? '3';
const WORKERS = opt('workers') ?? '2';
const TARGET_RATE = 5000;
const TARGET_BATCH_MS = 60;

const loadStart = loadavg();
process.stderr.write('training the diabetes model (flow + gradient-boosted trees, 40,000 rows)...\n');
const artifact = opt('artifact') ?? (await trainDiabetesModel({ rows: 40_000, maxIter: 100 })).dir;

/** A part in a process of its own; `serving`: it serves the endpoint, so it gets the serving V8 flags of `sluice serve --role endpoint`. */
function part(script: string, args: string[], serving = false): string {
  const flags = serving ? withServingV8Flags([]) : [];
  process.stderr.write(`▶ node ${[...flags, '--import', 'tsx', script, ...args].join(' ')}\n`);
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status}`);
  return r.stdout.trim();
}

const openLoop = part('bench/serving/openLoopBench.ts', [
  '--artifact',
  artifact,
  '--workers',
  WORKERS,
  '--rates',
  RATES,
  '--duration',
  DURATION,
  '--warmup',
  '1',
  '--runs',
  RUNS,
]);
const loop = JSON.parse(readFileSync('bench/out/openloop.json', 'utf8')) as {
  highestRateP99Under5ms: { medianOfRuns: { endpoint?: number; hello?: number } };
  steps: Array<{ target: string; rate: number; runs: Array<{ latencyMs: { p99: number }; achievedRate: number; loadAverage: number }> }>;
};
const cpu = part('bench/serving/requestCpu.ts', ['--artifact', artifact, '--rate', '2000', '--duration', '3', '--runs', '2', '--batch-runs', '7'], true);
const req = JSON.parse(readFileSync('bench/out/request-cpu.json', 'utf8')) as {
  singleRecord: { cpuUsPerRequest: { endpoint: number; hello: number } };
  batch: Record<'json' | 'csv' | 'helloJson', { wallMs: number; cpuMs: number }>;
};

const p99At = (target: string, rate: number): string => {
  const s = loop.steps.find((x) => x.target === target && x.rate === rate);
  if (!s) return 'not run (stopped earlier)';
  const p99s = s.runs.map((r) => r.latencyMs.p99);
  return `${median(p99s).toFixed(2)} ms${p99s.length > 1 ? ` (median; runs ${p99s.map((x) => x.toFixed(2)).join(', ')} at load ${s.runs.map((r) => r.loadAverage.toFixed(1)).join(', ')})` : ''}, achieved ${median(s.runs.map((r) => r.achievedRate)).toFixed(0)}/s`;
};
const best = loop.highestRateP99Under5ms.medianOfRuns;
const yes = (b: boolean): string => (b ? '**yes**' : '**no**');
const f = (x: number): string => x.toFixed(1);
const md = [
  `Issue 19, target 4: the endpoint against a Fastify hello-world, same run (${cpus().length} CPUs, load average at start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; on a loaded machine the p99 figures show the other processes as much as the server).`,
  '',
  '| target | Sluice | anchor (hello-world, same run) | met? |',
  '|---|---|---|---|',
  `| p99 < 5 ms up to ${TARGET_RATE.toLocaleString('en')} single-record requests/s (open loop, 200 connections, ${WORKERS} workers, median of ${RUNS} runs a rate) | highest rate with p99 < 5 ms: ${best.endpoint ?? 'none'}/s; at ${TARGET_RATE}/s: ${p99At('endpoint', TARGET_RATE)} | ${best.hello ?? 'none'}/s; at ${TARGET_RATE}/s: ${p99At('hello', TARGET_RATE)} | ${yes((best.endpoint ?? 0) >= TARGET_RATE)} |`,
  `| 10,000-record batch < ${TARGET_BATCH_MS} ms (JSON dataframe_split, wall, one request at a time) | ${f(req.batch.json.wallMs)} ms (CSV: ${f(req.batch.csv.wallMs)} ms) | same body to hello-world: ${f(req.batch.helloJson.wallMs)} ms | ${yes(req.batch.json.wallMs < TARGET_BATCH_MS)} |`,
  `| CPU per single-record request, in the serving process | ${f(req.singleRecord.cpuUsPerRequest.endpoint)} µs | ${f(req.singleRecord.cpuUsPerRequest.hello)} µs | (no target) |`,
  '',
  '### Open loop',
  '',
  openLoop,
  '',
  '### CPU per request and the batch',
  '',
  cpu,
].join('\n');
process.stdout.write(md + '\n');
