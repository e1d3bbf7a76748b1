/**
 * CPU time per single-record `/invocations` request, measured inside the serving process, next
 * to a Fastify hello-world in the same process: the figure that still means something on a
 * loaded machine, where open-loop percentiles show the other processes more than the server.
 *
 * The endpoint is the real one of `sluice serve --role endpoint` (createEndpointServer: the
 * project's settings, its pino logger at level info writing JSON lines to /dev/null, the champion
 * followed in the registry), optionally with `endpoint.auth` (`--auth`). A generator process
 * (openLoopCli.ts, 200 connections) sends requests at a fixed rate; this process serves them and
 * counts its own CPU (process.cpuUsage) and garbage-collection pauses (PerformanceObserver) over
 * the run. Then, in the same process, the stages of one request called directly (parse the body,
 * predict, render the answer and serialise it), over 20,000 calls each; and the 10,000-record
 * batch (JSON dataframe_split and CSV) over the socket, next to the hello-world receiving the
 * same JSON body. Writes bench/out/request-cpu.json. This process serves, so it should run with
 * the serving V8 flags of `sluice serve --role endpoint` (src/server/servingV8Flags.ts;
 * endpointBench.ts starts it with them): `node --max-semi-space-size=32 --import tsx ...`.
 *
 *   node --import tsx bench/serving/requestCpu.ts [--artifact DIR] [--rate 2000] [--duration 8] [--runs 3] [--auth] [--batch-runs 10]
 *     [--profile FILE]   # a V8 CPU profile of the endpoint's runs only (open it in Chrome DevTools)
 *     [--no-stages]      # skip the per-stage loops
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { defaultModelName } from '../../src/pipeline/activities/modelSettings.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { createEndpointServer } from '../../src/server/createEndpointServer.js';
import type { MountedEndpoint } from '../../src/server/endpoint/mountEndpoint.js';
import { parseInvocation } from '../../src/server/endpoint/parseInvocation.js';
import { chooseOutput, renderPredictions } from '../../src/server/endpoint/predictionOutput.js';
import type { Prediction } from '../../src/server/endpoint/Predictor.js';
import { DIABETES_CSV, trainDiabetesModel } from '../../test/models/diabetesModel.js';
import { median } from '../lib.js';
import { loadLine, runGenerator, serveAsChampion, writeSingleRecordBody } from './generator.js';

const argv = process.argv.slice(2);
const opt = (n: string): string | undefined => (argv.indexOf(`--${n}`) >= 0 ? argv[argv.indexOf(`--${n}`) + 1] : undefined);
const RATE = Number(opt('rate') ?? 2000);
const DURATION = Number(opt('duration') ?? 8);
const RUNS = Number(opt('runs') ?? 3);
const AUTH = argv.includes('--auth');
const TOKEN = 'bench-token-0123456789abcdef0123456789abcdef';
const BATCH = 10_000;
const BATCH_RUNS = Number(opt('batch-runs') ?? 10);

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** A project (`sluice init`) whose registry has the diabetes model as champion. */
async function benchProject(artifact: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-request-cpu-'));
  initProject(dir);
  if (AUTH) {
    const yaml = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
    writeFileSync(join(dir, 'sluice.yaml'), `${yaml}\nendpoint:\n  auth:\n    tokens: [${TOKEN}]\n`);
  }
  const p = loadProject(dir);
  const registry = await ModelRegistry.open(p.root, p.paths.stateDir);
  const model = defaultModelName(p.config);
  await serveAsChampion(registry, artifact, model);
  await registry.close();
  return dir;
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return `http://127.0.0.1:${a.port}`;
}

interface Measured {
  cpuUsPerRequest: number;
  requests: number;
  achievedRate: number;
  p99Ms: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

/** One generator run against `url`; this process's CPU and GC pauses while it runs. */
async function run(url: string, bodyFile: string, rate: number, duration: number, count: () => number, headers: string[]): Promise<Measured> {
  const gc: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push(e.duration);
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = count();
  const c0 = cpuUs();
  const r = await runGenerator({ url, bodyFile, rate, connections: 200, duration, warmup: 0, headers });
  const c1 = cpuUs();
  const served = count() - before;
  obs.disconnect();
  return {
    cpuUsPerRequest: (c1 - c0) / served,
    requests: served,
    achievedRate: r.achievedRate,
    p99Ms: r.latencyMs.p99,
    gcCount: gc.length,
    gcTotalMs: gc.reduce((a, b) => a + b, 0),
    gcMaxMs: gc.length ? Math.max(...gc) : 0,
  };
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const artifact = opt('artifact') ?? (await trainDiabetesModel({ rows: 40_000, maxIter: 100 })).dir;
  const dir = await benchProject(artifact);
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
  const app = await createEndpointServer(loadProject(dir), logger);
  const mounted = (app as unknown as { endpoint: MountedEndpoint }).endpoint;
  await mounted.follower.ready;
  const hello = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  hello.post('/hello', async () => ({ hello: 'world' }));
  let endpointCount = 0;
  let helloCount = 0;
  const base = await listen(app);
  const helloBase = await listen(hello);
  app.server.on('request', () => endpointCount++);
  hello.server.on('request', () => helloCount++);

  const out = resolve('bench/out');
  mkdirSync(out, { recursive: true });
  const bodyFile = join(out, 'request-cpu-single.json');
  const body = writeSingleRecordBody(bodyFile);
  const auth = AUTH ? ['--header', `authorization: Bearer ${TOKEN}`] : [];

  // Warm-up of both routes (JIT), then interleaved runs.
  await run(`${base}/invocations`, bodyFile, 1000, 3, () => endpointCount, auth);
  await run(`${helloBase}/hello`, bodyFile, 1000, 3, () => helloCount, []);
  const ends: Measured[] = [];
  const hellos: Measured[] = [];
  const profile = opt('profile');
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
  }
  for (let i = 0; i < RUNS; i++) {
    if (session) await session.post('Profiler.start');
    ends.push(await run(`${base}/invocations`, bodyFile, RATE, DURATION, () => endpointCount, auth));
    if (session && profile) {
      const { profile: cpu } = await session.post('Profiler.stop');
      writeFileSync(RUNS > 1 ? `${profile}.${i}` : profile, JSON.stringify(cpu));
    }
    hellos.push(await run(`${helloBase}/hello`, bodyFile, RATE, DURATION, () => helloCount, []));
  }

  // The 10,000-record batch over a real socket, one request at a time: wall time from sending to
  // the last byte of the answer, and this process's CPU per request; the hello-world receives the
  // same JSON body (Fastify reads and parses it): the floor of HTTP and JSON.parse for that size.
  const all = readFileSync(DIABETES_CSV, 'utf8').trim().split('\n');
  const rows = all.slice(1, BATCH + 1);
  const batches = {
    json: JSON.stringify({ dataframe_split: { columns: all[0]!.split(','), data: rows.map((l) => l.split(',')) } }),
    csv: [all[0], ...rows].join('\n'),
  };
  const authHeader: Record<string, string> = AUTH ? { authorization: `Bearer ${TOKEN}` } : {};
  const post = async (url: string, type: string, payload: string): Promise<{ wallMs: number; cpuMs: number }> => {
    const c0 = cpuUs();
    const t0 = performance.now();
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...authHeader }, body: payload });
    const text = await r.text();
    const wallMs = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${url} answered ${r.status}: ${text.slice(0, 300)}`);
    return { wallMs, cpuMs: (cpuUs() - c0) / 1000 };
  };
  const batchRuns = async (url: string, type: string, payload: string): Promise<{ wallMs: number; cpuMs: number }> => {
    for (let i = 0; i < 2; i++) await post(url, type, payload);
    const xs: Array<{ wallMs: number; cpuMs: number }> = [];
    for (let i = 0; i < BATCH_RUNS; i++) xs.push(await post(url, type, payload));
    return { wallMs: median(xs.map((x) => x.wallMs)), cpuMs: median(xs.map((x) => x.cpuMs)) };
  };
  const batch = {
    json: await batchRuns(`${base}/invocations`, 'application/json', batches.json),
    csv: await batchRuns(`${base}/invocations`, 'text/csv', batches.csv),
    helloJson: await batchRuns(`${helloBase}/hello`, 'application/json', batches.json),
  };

  // The stages of one request, called directly.
  const p = mounted.host.current!;
  const skipStages = argv.includes('--no-stages');
  const output = chooseOutput(undefined, undefined);
  const N = 20_000;
  const stage = (f: () => void): number => {
    for (let i = 0; i < 2000; i++) f();
    const xs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const c0 = cpuUs();
      for (let i = 0; i < N; i++) f();
      xs.push((cpuUs() - c0) / N);
    }
    return median(xs);
  };
  const parsed = parseInvocation('application/json', body, p.inputs, 100_000, p.missing);
  const results = (await p.predict(parsed.records)) as Prediction[];
  const parseUs = skipStages ? NaN : stage(() => parseInvocation('application/json', body, p.inputs, 100_000, p.missing));
  const predictUs = skipStages ? NaN : stage(() => void p.predict(parsed.records));
  const answerUs = skipStages ? NaN : stage(() => JSON.stringify(renderPredictions(output, results, p.name, p.version).body));

  await app.close();
  await hello.close();

  const f = (x: number, d = 1): string => x.toFixed(d);
  const med = (xs: Measured[], k: keyof Measured): number => median(xs.map((x) => x[k]));
  const row = (name: string, xs: Measured[]): string =>
    `| ${name} | ${f(med(xs, 'cpuUsPerRequest'))} | ${xs.map((x) => f(x.cpuUsPerRequest)).join(', ')} | ${f(med(xs, 'achievedRate'), 0)} | ${f(med(xs, 'p99Ms'), 2)} | ${f(med(xs, 'gcCount'), 0)} | ${f(med(xs, 'gcTotalMs'))} | ${f(med(xs, 'gcMaxMs'), 2)} |`;
  const md = [
    `CPU per single-record request inside the serving process (process.cpuUsage over each run; the generator is another process): ${RATE} requests/s for ${DURATION} s over 200 connections, median of ${RUNS} interleaved runs${AUTH ? ', endpoint with endpoint.auth (bearer token)' : ''}. Endpoint: createEndpointServer with the project's defaults and a pino logger at level info (JSON to /dev/null).`,
    '',
    '| server | CPU µs per request | runs | achieved/s | p99 ms (loaded machine: indicative) | GC pauses | GC total ms | GC max ms |',
    '|---|---|---|---|---|---|---|---|',
    row('/invocations, 1 record (JSON instances)', ends),
    row('hello-world (anchor)', hellos),
    '',
    `The ${BATCH.toLocaleString('en')}-record batch over a socket, one request at a time (median of ${BATCH_RUNS} after 2 warm-up requests; the client is this process too, so CPU includes fetch):`,
    '',
    '| request | wall ms | CPU ms (server + client) | body bytes |',
    '|---|---|---|---|',
    `| /invocations, JSON dataframe_split | ${f(batch.json.wallMs)} | ${f(batch.json.cpuMs)} | ${batches.json.length} |`,
    `| /invocations, CSV with header | ${f(batch.csv.wallMs)} | ${f(batch.csv.cpuMs)} | ${batches.csv.length} |`,
    `| hello-world, the same JSON body (anchor: HTTP + JSON.parse) | ${f(batch.helloJson.wallMs)} | ${f(batch.helloJson.cpuMs)} | ${batches.json.length} |`,
    '',
    `Stages of one request, called directly (CPU µs, median of 5 × ${N}): parse ${f(parseUs, 2)}, predict ${f(predictUs, 2)}, answer (render + JSON.stringify) ${f(answerUs, 2)}.`,
    loadLine(loadStart),
  ].join('\n');
  process.stdout.write(md + '\n');
  const summary = {
    at: new Date().toISOString(),
    loadAverageStart: loadStart,
    loadAverageEnd: loadavg(),
    settings: { rate: RATE, durationSec: DURATION, runs: RUNS, auth: AUTH, batchRuns: BATCH_RUNS },
    singleRecord: { endpoint: ends, hello: hellos, cpuUsPerRequest: { endpoint: med(ends, 'cpuUsPerRequest'), hello: med(hellos, 'cpuUsPerRequest') } },
    stagesUs: { parse: parseUs, predict: predictUs, answer: answerUs },
    batch,
  };
  writeFileSync(join(out, 'request-cpu.json'), JSON.stringify(summary, null, 2));
}

await main();
