/**
 * Open-loop serving benchmark: single-record `/invocations` requests (the diabetes model) at
 * fixed rates over 200 open connections, latency from each request's due time (see
 * openLoop.ts), stepping the rate up until p99 passes 5 ms; the same steps against a Fastify
 * hello-world in the same server process as the ceiling, interleaved with the endpoint's runs.
 *
 *   node --import tsx bench/serving/openLoopBench.ts            # quick: 4 rates, 10 s, 1 run each
 *   node --import tsx bench/serving/openLoopBench.ts --full     # 20 s per step, median of 3 runs
 *     [--rates 500,1000,...] [--duration S] [--warmup S] [--runs N] [--connections C]
 *     [--artifact DIR] [--no-pin] [--to-saturation]   # step on past p99 misses, until the rate is not kept up
 *     [--workers N]   # the server as N node:cluster processes on one port (sluice serve --role endpoint --workers N)
 *
 * One server process is pinned to CPU 0 and each generator process to CPU 1 (`taskset`), so
 * the two do not take turns on one core. With `--workers N` the server's processes may run on
 * both CPUs (`taskset -c 0,1`) while the generator stays pinned to CPU 1: on this 2-core
 * machine the generator then competes with one worker for CPU 1, which charges its cost to the
 * server's latency; the hello-world anchor runs in the same N workers, so it pays the same.
 * Writes bench/out/openloop.json and prints Markdown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { withServingV8Flags } from '../../src/server/servingV8Flags.js';
import { median } from '../lib.js';
import { loadLine, generatorArgs, writeSingleRecordBody } from './generator.js';
import type { OpenLoopResult } from './openLoop.js';
import type { ServerStats } from './serverStats.js';

const argv = process.argv.slice(2);
const flag = (n: string): boolean => argv.includes(`--${n}`);
const opt = (n: string): string | undefined => (argv.indexOf(`--${n}`) >= 0 ? argv[argv.indexOf(`--${n}`) + 1] : undefined);
const FULL = flag('full') || process.env.SLUICE_BENCH_FULL === '1';
const RATES = (opt('rates') ?? (FULL ? '500,1000,1500,2000,3000,4000,5000,6000,8000,10000,12000,15000' : '500,1000,2000,4000')).split(',').map(Number);
const DURATION = Number(opt('duration') ?? (FULL ? 20 : 10));
const WARMUP = Number(opt('warmup') ?? (FULL ? 5 : 3));
const RUNS = Number(opt('runs') ?? (FULL ? 3 : 1));
const CONNECTIONS = Number(opt('connections') ?? 200);
const WORKERS = Number(opt('workers') ?? 1);
const TARGET_P99_MS = 5;
const pin = !flag('no-pin') && cpus().length >= 2 && spawnSync('sh', ['-c', 'command -v taskset']).status === 0;
const out = resolve('bench/out');
mkdirSync(out, { recursive: true });

const pinned = (cpu: number | string, args: string[]): [string, string[]] =>
  pin ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args];

interface Urls {
  endpoint: string;
  metrics: string;
  hello: string;
  trees: number;
}

interface Server {
  urls: Urls;
  /** Each serving process's GC pauses and event-loop delay since the last call (openLoopServer.ts's `stats`). */
  stats: () => Promise<ServerStats[]>;
  stop: () => void;
}

async function startServer(): Promise<Server> {
  const artifact = opt('artifact');
  // The serving V8 flags of `sluice serve --role endpoint` (a larger young generation), which only
  // the command line can set; the server's node:cluster workers inherit them.
  const [cmd, args] = pinned(WORKERS > 1 ? '0,1' : 0, [
    ...withServingV8Flags([]),
    '--import',
    'tsx',
    'bench/serving/openLoopServer.ts',
    ...(artifact ? ['--artifact', artifact] : []),
    '--workers',
    String(WORKERS),
  ]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  // The server's stdout, line by line: its URLs first, then one answer per command.
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => waiting.shift()?.(l));
  const nextLine = (): Promise<string> => new Promise<string>((res) => waiting.push(res));
  const line = await new Promise<string>((res, rej) => {
    void nextLine().then(res);
    child.once('exit', (code) => rej(new Error(`the server exited with ${code} before listening`)));
  });
  const ask = async (command: 'reset' | 'stats'): Promise<ServerStats[]> => {
    const answer = nextLine();
    child.stdin!.write(`${command}\n`);
    return (JSON.parse(await answer) as { stats?: ServerStats[] }).stats ?? [];
  };
  return {
    urls: JSON.parse(line) as Urls,
    stats: async () => {
      const s = await ask('stats');
      await ask('reset');
      return s;
    },
    stop: () => child.stdin!.end(),
  };
}

/** `sluice_invocations_total` summed over labels, from the endpoint's /metrics. */
async function served(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let n = 0;
  for (const m of text.matchAll(/^sluice_invocations_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

function generate(url: string, bodyFile: string, rate: number, duration: number, warmup: number): OpenLoopResult {
  const [cmd, args] = pinned(1, generatorArgs({ url, bodyFile, rate, connections: CONNECTIONS, duration, warmup }));
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`generator failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as OpenLoopResult;
}

/** The largest of `f` over the serving processes (0 when none reported). */
const worst = (server: readonly ServerStats[], f: (s: ServerStats) => number): number => server.reduce((a, x) => Math.max(a, f(x)), 0);

interface Step {
  target: 'endpoint' | 'hello';
  rate: number;
  runs: Array<OpenLoopResult & { loadAverage: number; serverCounted?: number; server: ServerStats[] }>;
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const bodyFile = join(out, 'openloop-single.json');
  writeSingleRecordBody(bodyFile);

  const { urls, stats, stop } = await startServer();
  try {
    // JIT warm-up of both routes before anything is recorded.
    generate(urls.endpoint, bodyFile, 1000, 3, 0);
    generate(urls.hello, bodyFile, 1000, 3, 0);
    const steps: Step[] = [];
    const done = { endpoint: false, hello: false };
    const failures = { endpoint: 0, hello: 0 };
    for (const rate of RATES) {
      const active = (['endpoint', 'hello'] as const).filter((t) => !done[t]);
      if (active.length === 0) break;
      const byTarget = new Map(active.map((t) => [t, { target: t, rate, runs: [] } as Step]));
      for (let run = 0; run < RUNS; run++) {
        for (const t of active) {
          const load = loadavg()[0]!;
          // Each worker counts its own requests: the check needs one server process.
          const count = t === 'endpoint' && WORKERS === 1;
          const before = count ? await served(urls.metrics) : 0;
          await stats();
          const r = generate(urls[t], bodyFile, rate, DURATION, WARMUP);
          const server = await stats();
          const counted = count ? (await served(urls.metrics)) - before : undefined;
          byTarget.get(t)!.runs.push({ ...r, loadAverage: load, server, ...(counted !== undefined ? { serverCounted: counted } : {}) });
          process.stderr.write(
            `${t} @ ${rate}/s run ${run + 1}: achieved ${r.achievedRate.toFixed(0)}/s, p50 ${r.latencyMs.p50.toFixed(2)} p99 ${r.latencyMs.p99.toFixed(2)} ms (load ${load.toFixed(2)}; server: GC max ${worst(server, (x) => x.gc.maxMs).toFixed(2)} ms, loop delay max ${worst(server, (x) => x.loopDelay.maxMs).toFixed(2)} ms)\n`,
          );
        }
      }
      for (const t of active) {
        const s = byTarget.get(t)!;
        steps.push(s);
        // Stop a target after two steps in a row where even its least disturbed run missed the
        // p99 target (on a shared machine one run's tail can be another process's burst), or
        // once it cannot keep up with the rate.
        const bestP99 = Math.min(...s.runs.map((r) => r.latencyMs.p99));
        const achieved = median(s.runs.map((r) => r.achievedRate));
        failures[t] = bestP99 > TARGET_P99_MS && !flag('to-saturation') ? failures[t] + 1 : 0;
        if (failures[t] >= 2 || achieved < 0.9 * rate) done[t] = true;
      }
    }
    report(steps, urls.trees, loadStart);
  } finally {
    stop();
  }
}

function report(steps: Step[], trees: number, loadStart: number[]): void {
  const m = (s: Step, f: (r: OpenLoopResult) => number): number => median(s.runs.map(f));
  const minP99 = (s: Step): number => Math.min(...s.runs.map((r) => r.latencyMs.p99));
  /** The highest step meeting the target, with every lower step meeting it too. */
  const best = (t: Step['target'], p99: (s: Step) => number): number | undefined => {
    let ok: number | undefined;
    for (const s of steps.filter((x) => x.target === t)) {
      if (p99(s) < TARGET_P99_MS && m(s, (r) => r.achievedRate) >= 0.95 * s.rate) ok = s.rate;
      else break;
    }
    return ok;
  };
  const medianP99 = (s: Step): number => m(s, (r) => r.latencyMs.p99);
  const json = {
    at: new Date().toISOString(),
    mode: FULL ? 'full' : 'quick',
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageStart: loadStart, loadAverageEnd: loadavg(), pinned: pin },
    settings: { workers: WORKERS, connections: CONNECTIONS, durationSec: DURATION, warmupSec: WARMUP, runs: RUNS, rates: RATES, trees },
    highestRateP99Under5ms: {
      medianOfRuns: { endpoint: best('endpoint', medianP99), hello: best('hello', medianP99) },
      bestRun: { endpoint: best('endpoint', minP99), hello: best('hello', minP99) },
    },
    steps,
  };
  writeFileSync(join(out, 'openloop.json'), JSON.stringify(json, null, 2));
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const row = (s: Step): string =>
    `| ${s.target === 'endpoint' ? '/invocations, 1 record' : 'hello-world (ceiling)'} | ${s.rate} | ${f(
      m(s, (r) => r.achievedRate),
      0,
    )} | ${f(m(s, (r) => r.latencyMs.p50))} | ${f(m(s, (r) => r.latencyMs.p90))} | **${f(medianP99(s))}** | ${s.runs.map((r) => f(r.latencyMs.p99)).join(', ')} | ${f(m(s, (r) => r.latencyMs.p999))} | ${f(
      m(s, (r) => (r.latencyMs.within5ms ?? NaN) * 100),
      2,
    )}% | ${f(m(s, (r) => r.serviceMs.p99))} | ${f(
      m(s, (r) => r.sendLagMs.p99),
      3,
    )} | ${s.runs
      .map((r) =>
        f(
          worst(r.server, (x) => x.gc.maxMs),
          1,
        ),
      )
      .join(', ')} | ${s.runs
      .map((r) =>
        f(
          worst(r.server, (x) => x.loopDelay.maxMs),
          1,
        ),
      )
      .join(
        ', ',
      )} | ${s.runs.reduce((a, r) => a + r.errors + r.unanswered + r.non2xx, 0)} | ${s.runs.every((r) => r.serverCounted === undefined || r.serverCounted === r.totalWritten) ? 'yes' : 'NO'} | ${s.runs.map((r) => r.loadAverage.toFixed(1)).join(' ')} |`;
  const md = [
    `Open loop, ${CONNECTIONS} connections, ${DURATION} s per run after ${WARMUP} s of warm-up at the same rate, ${RUNS === 1 ? 'one run' : `median of ${RUNS} runs, the endpoint's and the hello-world's taking turns`} per step (${FULL ? 'full' : 'quick'} mode); ${WORKERS > 1 ? `server: ${WORKERS} worker processes on CPUs 0-1 (hello-world too), generator on CPU 1` : 'server pinned to CPU 0, generator to CPU 1'}: ${pin ? 'yes' : 'no'}. Latency from each request's due time (coordinated omission corrected); "service p99" from when it was written (what a closed-loop tool reports); "send lag" is the generator's own delay; the server's GC pause and event-loop delay (how late a 10 ms timer ran) are the worst of its processes over each run: a p99 miss with neither above a few ms was the machine, not the server. Model: ${trees} trees.`,
    '',
    `| target | rate/s | achieved/s | p50 ms | p90 ms | p99 ms${RUNS > 1 ? ' (median of runs)' : ''} | p99 ms of each run | p99.9 ms | ≤ 5 ms | service p99 ms | send lag p99 ms | server GC pause max ms, each run | server event-loop delay max ms, each run | failed | server count = sent | load avg at start of each run |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
    ...steps.filter((s) => s.target === 'endpoint').map(row),
    ...steps.filter((s) => s.target === 'hello').map(row),
    '',
    `Highest step with p99 < ${TARGET_P99_MS} ms (and every lower step too), by the median of the runs: /invocations ${json.highestRateP99Under5ms.medianOfRuns.endpoint ?? 'none'} requests/s, hello-world ${json.highestRateP99Under5ms.medianOfRuns.hello ?? 'none'} requests/s; by each step's least disturbed run: /invocations ${json.highestRateP99Under5ms.bestRun.endpoint ?? 'none'}, hello-world ${json.highestRateP99Under5ms.bestRun.hello ?? 'none'}.`,
    loadLine(loadStart),
  ].join('\n');
  process.stdout.write(md + '\n');
}

await main();
