/**
 * Serving benchmark: the real endpoint (diabetes flow + gradient-boosted model) under wrk, next
 * to a minimal Fastify route on the same machine in the same run as the ceiling.
 *
 *   node --import tsx bench/serving/run.ts [--duration 15] [--connections 200] [--full]
 *
 * Needs Debian's wrk (`apt-get install -y wrk`). Writes bench/out/serving.json and prints a
 * Markdown table for docs/benchmarks-serving.md. Then runs the open-loop benchmark
 * (openLoopBench.ts: fixed rates, latency from each request's due time) on the same model, in
 * its quick mode, or its full mode with `--full` or SLUICE_BENCH_FULL=1; its table follows.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { GbdtModel } from '../../src/ml/gbdt/gbdtModel.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { followChampion } from '../../src/server/endpoint/followChampion.js';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { ServingMetrics } from '../../src/server/endpoint/ServingMetrics.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { parseInvocation } from '../../src/server/endpoint/parseInvocation.js';
import { pruneForServing } from '../../src/server/endpoint/pruneForServing.js';
import { rowsToFrame } from '../../src/server/endpoint/rowsToFrame.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { metricsRoutes } from '../../src/server/routes/metrics.js';
import { DIABETES_CSV, trainDiabetesModel } from '../../test/models/diabetesModel.js';

const run = promisify(execFile);
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const DURATION = arg('duration', 15);
const CONNECTIONS = arg('connections', 200);
const here = resolve('bench/serving');
const out = resolve('bench/out');
mkdirSync(out, { recursive: true });

interface WrkResult {
  label: string;
  /** Share of requests the server itself handled within 1 ms and 5 ms (its latency histogram). */
  serverWithin1ms?: number;
  serverWithin5ms?: number;
  connections: number;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  socketErrors: string;
  command: string;
}

function ms(s: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(s);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function wrk(label: string, url: string, bodyFile: string, contentType: string, connections: number, seconds: number): Promise<WrkResult> {
  // A 10 s timeout: a slow answer is measured as latency rather than dropped as a "timeout".
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', join(here, 'post.lua'), url];
  const { stdout } = await run('wrk', args, { env: { ...process.env, BODY_FILE: bodyFile, CONTENT_TYPE: contentType }, maxBuffer: 1 << 20 });
  const line = (re: RegExp): string => re.exec(stdout)?.[1] ?? '';
  return {
    label,
    connections,
    requestsPerSec: Number(line(/Requests\/sec:\s+([\d.]+)/)),
    p50ms: ms(line(/\s50%\s+(\S+)/)),
    p99ms: ms(line(/\s99%\s+(\S+)/)),
    non2xx: Number(line(/Non-2xx or 3xx responses:\s+(\d+)/) || 0),
    socketErrors: line(/Socket errors:\s+(.*)/) || 'none',
    command: `BODY_FILE=<body> CONTENT_TYPE=${contentType} wrk ${args.join(' ')}`,
  };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return `http://127.0.0.1:${a.port}`;
}

const pct = (x: number | undefined): string => (x === undefined ? '' : `${(x * 100).toFixed(2)}%`);

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function main(): Promise<void> {
  const loadAverageBefore = loadavg();
  process.stderr.write('training the diabetes model (flow + gradient-boosted trees)...\n');
  const trained = await trainDiabetesModel({ rows: 40_000, maxIter: 100 });
  const registry = await ModelRegistry.open(mkdtempSync(join(tmpdir(), 'sluice-bench-')));
  await registry.register(trained.dir, { name: 'readmission', status: 'approved', by: 'bench' });
  await registry.promote('readmission', 1, 'champion', 'bench');
  const host = new ModelHost();
  const metrics = new ServingMetrics();
  const follower = followChampion(registry, 'readmission', host, (v) => loadFlowModelPredictor(v.artifactPath, v.name, String(v.version)), { pollMs: 0 });
  await follower.ready;
  const predictor = host.current!;
  const treeCount = trained.model instanceof GbdtModel ? trained.model.trees.length : 0;

  const app = Fastify({ logger: false });
  await app.register(invocationsRoutes, { host, metrics, bodyLimit: 16 * 1024 * 1024 });
  await app.register(metricsRoutes, { metrics });
  const base = await listen(app);

  // The ceiling: a minimal Fastify route taking the same POST body, in this same process.
  const hello = Fastify({ logger: false });
  hello.post('/hello', async () => ({ hello: 'world' }));
  const helloBase = await listen(hello);

  const lines = readFileSync(DIABETES_CSV, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const toRecord = (l: string): Record<string, string> => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v]));
  const single = join(out, 'single.json');
  writeFileSync(single, JSON.stringify({ instances: [toRecord(lines[1]!)] }));
  const singleCsv = join(out, 'single.csv');
  writeFileSync(singleCsv, lines.slice(0, 2).join('\n') + '\n');

  // Warm up the JIT on both servers.
  await wrk('warmup', `${base}/invocations`, single, 'application/json', 50, 3);
  await wrk('warmup', `${helloBase}/hello`, single, 'application/json', 50, 3);

  // The server's own view: cumulative histogram counts from /metrics, diffed around each run.
  const buckets = async (): Promise<Map<string, number>> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const m = new Map<string, number>();
    for (const l of text.split('\n')) {
      const x = /^sluice_invocation_duration_seconds_bucket\{.*le="([^"]+)"\} (\d+)/.exec(l);
      if (x) m.set(x[1]!, (m.get(x[1]!) ?? 0) + Number(x[2]));
    }
    return m;
  };
  const served = async (label: string, file: string, type: string, c: number): Promise<WrkResult> => {
    const before = await buckets();
    const r = await wrk(label, `${base}/invocations`, file, type, c, DURATION);
    const after = await buckets();
    const d = (le: string): number => (after.get(le) ?? 0) - (before.get(le) ?? 0);
    return { ...r, serverWithin1ms: d('0.001') / d('+Inf'), serverWithin5ms: d('0.005') / d('+Inf') };
  };
  const results: WrkResult[] = [];
  for (const c of [CONNECTIONS, 10]) {
    results.push(await wrk('hello-world (ceiling)', `${helloBase}/hello`, single, 'application/json', c, DURATION));
    results.push(await served('/invocations, 1 record, JSON', single, 'application/json', c));
    results.push(await served('/invocations, 1 record, CSV', singleCsv, 'text/csv', c));
  }

  // Batches of 10,000 raw records, one request at a time, timed end to end by the client.
  const batch = lines.slice(1, 10_001);
  const bodies: Array<[string, string, string]> = [
    ['text/csv', 'CSV with header', [lines[0], ...batch].join('\n') + '\n'],
    ['application/json', 'JSON dataframe_split', JSON.stringify({ dataframe_split: { columns: header, data: batch.map((l) => l.split(',')) } })],
  ];
  const batches: Array<{ format: string; bytes: number; p50ms: number; p95ms: number; maxms: number; runs: number }> = [];
  for (const [type, label, body] of bodies) {
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': type }, body });
      const json = (await res.json()) as { predictions?: unknown[] };
      const t = performance.now() - t0;
      if (res.status !== 200 || json.predictions?.length !== 10_000) throw new Error(`batch failed: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      if (i >= 5) times.push(t); // the first runs warm up
    }
    batches.push({
      format: label,
      bytes: Buffer.byteLength(body),
      p50ms: quantile(times, 0.5),
      p95ms: quantile(times, 0.95),
      maxms: Math.max(...times),
      runs: times.length,
    });
  }

  // Where a single record's time goes, in process (no HTTP): the predictor alone.
  const rec = [Object.fromEntries(predictor.inputs.map((c) => [c.name, toRecord(lines[1]!)[c.name]]))];
  const typed = rec.map((r) => Object.fromEntries(predictor.inputs.map((c) => [c.name, c.type === 'string' ? r[c.name] : Number(r[c.name])])));
  for (let i = 0; i < 2000; i++) await predictor.predict(typed);
  const t0 = performance.now();
  const N = 20_000;
  for (let i = 0; i < N; i++) await predictor.predict(typed);
  const predictUs = ((performance.now() - t0) / N) * 1000;

  // Where a 10,000-record batch's time goes, in process: parsing, the flow, the model, the JSON answer.
  const csvBody = [lines[0], ...batch].join('\n');
  const median = (f: () => unknown, n = 7): number => {
    f();
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      f();
      ts.push(performance.now() - t);
    }
    return quantile(ts, 0.5);
  };
  const parsed = parseInvocation('text/csv', csvBody, predictor.inputs);
  // The transform the endpoint runs: the fitted flow without add-only steps the model ignores.
  const transform = compileRecordTransform(
    pruneForServing(
      trained.fitted,
      trained.model.schema.map((x) => x.name),
    ),
  );
  const transformed = transform(parsed.records).map((r) => (r.ok ? r.row : {}));
  const frame = rowsToFrame(transformed, trained.model.schema);
  const preds = await predictor.predict(parsed.records);
  const breakdown = {
    parseCsvAndTypeMs: median(() => parseInvocation('text/csv', csvBody, predictor.inputs)),
    flowRecordPathMs: median(() => transform(parsed.records)),
    framesMs: median(() => rowsToFrame(transformed, trained.model.schema)),
    modelMs: median(() => trained.model.predictProba(frame)),
    responseJsonMs: median(() => JSON.stringify({ predictions: preds })),
  };

  const report = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageBefore, loadAverageAfter: loadavg() },
    model: { learner: 'gbdt', trees: treeCount, inputs: predictor.inputs.length, labels: predictor.labels },
    durationSeconds: DURATION,
    wrk: results,
    batch10k: batches,
    batch10kBreakdown: breakdown,
    predictorOnlyMicrosPerRecord: predictUs,
  };
  writeFileSync(join(out, 'serving.json'), JSON.stringify(report, null, 2));
  const md = [
    `| run | connections | requests/s | p50 ms | p99 ms | server-side ≤ 1 ms | server-side ≤ 5 ms | non-2xx | socket errors |`,
    `|---|---|---|---|---|---|---|---|---|`,
    ...results.map(
      (r) =>
        `| ${r.label} | ${r.connections} | ${Math.round(r.requestsPerSec)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${pct(r.serverWithin1ms)} | ${pct(r.serverWithin5ms)} | ${r.non2xx} | ${r.socketErrors} |`,
    ),
    '',
    `| 10,000-record batch | body bytes | p50 ms | p95 ms | max ms | runs |`,
    `|---|---|---|---|---|---|`,
    ...batches.map((b) => `| ${b.format} | ${b.bytes} | ${b.p50ms.toFixed(1)} | ${b.p95ms.toFixed(1)} | ${b.maxms.toFixed(1)} | ${b.runs} |`),
    '',
    `10,000-record batch in process (median ms): ${Object.entries(breakdown)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
    '',
    `predictor alone (flow + ${treeCount} trees, 1 record, no HTTP): ${predictUs.toFixed(1)} µs`,
    `load average before/after: ${loadAverageBefore.map((x) => x.toFixed(1)).join(' ')} / ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} CPUs`,
  ].join('\n');
  process.stdout.write(md + '\n');

  follower.stop();
  await app.close();
  await hello.close();
  await registry.close();

  // Open loop: fixed request rates at 200 connections, latency from each request's due time.
  const open = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/serving/openLoopBench.ts', '--artifact', trained.dir, ...(process.argv.includes('--full') ? ['--full'] : [])],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    },
  );
  process.stdout.write(
    `\n## Open loop (fixed rates, coordinated omission corrected)\n\n${open.status === 0 ? open.stdout : `(openLoopBench.ts exited with ${open.status})\n`}`,
  );
}

await main();
