/**
 * Endpoint replicas (issue 17, point 7): throughput of 1 and 2 `sluice serve --role endpoint`
 * processes, each a separate replica as on separate machines, behind one port: a tiny round-robin
 * TCP proxy in this process hands each new connection to the next replica (as a load balancer
 * does). Load is the open-loop generator (openLoopCli.ts, its own process) sending single-record
 * `/invocations` at fixed rates over 200 connections; each step reports the achieved rate,
 * latency from each request's due time, failures, and the replicas' CPU time per request (from
 * /proc, the figure that does not depend on how busy the machine is).
 *
 *   node --import tsx bench/serving/replicasBench.ts [--rates 500,1000,2000,4000] [--duration 10] [--warmup 3] [--replicas 1,2]
 *     [--artifact DIR]   # a trained artifact; default: the diabetes model trained here (flow + gradient-boosted trees, 20,000 rows)
 *
 * Prints Markdown and writes bench/out/replicas.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { trainDiabetesModel } from '../../test/models/diabetesModel.js';
import { loadLine, runGenerator, serveAsChampion, writeSingleRecordBody } from './generator.js';
import type { OpenLoopResult } from './openLoop.js';

const argv = process.argv.slice(2);
const opt = (n: string): string | undefined => (argv.indexOf(`--${n}`) >= 0 ? argv[argv.indexOf(`--${n}`) + 1] : undefined);
const RATES = (opt('rates') ?? '500,1000,2000,4000').split(',').map(Number);
const DURATION = Number(opt('duration') ?? 10);
const WARMUP = Number(opt('warmup') ?? 3);
const REPLICAS = (opt('replicas') ?? '1,2').split(',').map(Number);
const CONNECTIONS = 200;
const BIN = resolve('bin/sluice.js');
const out = resolve('bench/out');
mkdirSync(out, { recursive: true });

/** A project (`sluice init`) whose registry serves the artifact as champion. */
async function project(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-replicas-bench-'));
  const init = spawnSync(process.execPath, [BIN, 'init', '.'], { cwd: dir, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(init.stderr);
  let artifact = opt('artifact');
  if (!artifact) {
    process.stderr.write('training the diabetes model (flow + gradient-boosted trees, 20,000 rows)...\n');
    artifact = (await trainDiabetesModel({ rows: 20_000, maxIter: 100 })).dir;
  }
  const registry = await ModelRegistry.open(dir);
  await serveAsChampion(registry, artifact);
  await registry.close();
  return dir;
}

interface Replica {
  child: ChildProcess;
  port: number;
}

/** `sluice serve --role endpoint --port 0`, once it serves the champion. */
async function startReplica(dir: string): Promise<Replica> {
  const child = spawn(process.execPath, [BIN, 'serve', '--role', 'endpoint', '--port', '0', '--log-format', 'json'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!l.includes('sluice endpoint serving')) return;
      res(String((JSON.parse(l) as { address: string }).address));
    });
    child.once('exit', (code) => rej(new Error(`a replica exited with ${code}`)));
  });
  for (let i = 0; i < 600; i++) {
    if ((await fetch(`${address}/ping`).catch(() => undefined))?.status === 200) break;
    await new Promise((w) => setTimeout(w, 100));
  }
  return { child, port: Number(new URL(address).port) };
}

/** A round-robin TCP proxy: each new connection goes to the next replica, bytes piped both ways. */
async function proxy(ports: number[]): Promise<{ port: number; server: Server }> {
  let next = 0;
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: ports[next++ % ports.length]! });
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server };
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The generator at `rate`, in its own process: the proxy runs in this process's event loop. */
function generate(url: string, bodyFile: string, rate: number): Promise<OpenLoopResult> {
  return runGenerator({ url, bodyFile, rate, connections: CONNECTIONS, duration: DURATION, warmup: WARMUP });
}

interface Row {
  replicas: number;
  rate: number;
  result: OpenLoopResult;
  cpuMsPerRequest: number;
  loadAverage: number;
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const dir = await project();
  const bodyFile = join(out, 'replicas-single.json');
  writeSingleRecordBody(bodyFile);
  const rows: Row[] = [];
  for (const n of REPLICAS) {
    const replicas: Replica[] = [];
    for (let i = 0; i < n; i++) replicas.push(await startReplica(dir));
    const lb = await proxy(replicas.map((r) => r.port));
    const url = `http://127.0.0.1:${lb.port}/invocations`;
    try {
      await generate(url, bodyFile, 500); // JIT warm-up of every replica
      for (const rate of RATES) {
        const load = loadavg()[0]!;
        const before = replicas.reduce((a, r) => a + cpuSeconds(r.child.pid!), 0);
        const result = await generate(url, bodyFile, rate);
        const cpu = replicas.reduce((a, r) => a + cpuSeconds(r.child.pid!), 0) - before;
        const cpuMsPerRequest = (cpu * 1000) / Math.max(1, result.totalAnswered);
        rows.push({ replicas: n, rate, result, cpuMsPerRequest, loadAverage: load });
        process.stderr.write(
          `${n} replica(s) @ ${rate}/s: achieved ${result.achievedRate.toFixed(0)}/s, p50 ${result.latencyMs.p50?.toFixed(2)} p99 ${result.latencyMs.p99?.toFixed(2)} ms, ${result.non2xx} non-2xx, ${result.errors} errors, ${cpuMsPerRequest.toFixed(3)} CPU ms/request (load ${load.toFixed(1)})\n`,
        );
        if (result.achievedRate < 0.9 * rate) break;
      }
    } finally {
      lb.server.close();
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => new Promise((w) => (r.child.exitCode !== null ? w(null) : r.child.once('exit', w)))));
    }
  }
  writeFileSync(join(out, 'replicas.json'), JSON.stringify({ at: new Date().toISOString(), loadStart, loadEnd: loadavg(), rows }, null, 2));
  const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const md = [
    `Replicas are separate \`sluice serve --role endpoint\` processes of one project (one registry), behind a round-robin TCP proxy (one connection to the next replica); open loop, ${CONNECTIONS} connections, single-record JSON requests, ${DURATION} s per step after ${WARMUP} s of warm-up at the same rate; the generator and the proxy run on the same ${cpus().length}-CPU machine as the replicas. CPU ms/request: the replicas' user + system CPU time over the step divided by the answers.`,
    '',
    '| replicas | rate/s | achieved/s | p50 ms | p99 ms | failed | replica CPU ms/request | load avg at start |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.replicas} | ${r.rate} | ${f(r.result.achievedRate, 0)} | ${f(r.result.latencyMs.p50)} | ${f(r.result.latencyMs.p99)} | ${r.result.errors + r.result.unanswered + r.result.non2xx} | ${f(r.cpuMsPerRequest, 3)} | ${r.loadAverage.toFixed(1)} |`,
    ),
    '',
    loadLine(loadStart),
  ].join('\n');
  process.stdout.write(md + '\n');
}

await main();
