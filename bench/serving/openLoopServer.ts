/**
 * The servers the open-loop benchmark measures, in a process of their own (the benchmark pins
 * it to one core): the real endpoint serving the diabetes model as the registry's champion, and
 * a minimal Fastify hello-world route as the ceiling. Prints one JSON line
 * `{"endpoint": URL, "metrics": URL, "hello": URL, "trees": N, "workers": N}` once both listen,
 * then serves until stdin closes or SIGTERM.
 *
 *   node --import tsx bench/serving/openLoopServer.ts [--artifact DIR] [--workers N]   # DIR: model.json + fitted-flow.json
 *
 * With `--workers N` (N > 1) the process forks N node:cluster workers, as
 * `sluice serve --role endpoint --workers N` does, and every worker serves both the endpoint and
 * the hello-world on the two shared ports: the anchor runs in the same configuration. The
 * serving processes run with the serving V8 flags of `sluice serve --role endpoint`
 * (src/server/servingV8Flags.ts): openLoopBench.ts starts this process with them, and the
 * workers get them too. Started by hand, give them yourself for the one-process mode:
 * `node --max-semi-space-size=32 --import tsx bench/serving/openLoopServer.ts`.
 *
 * What each serving process itself saw, for telling a pause of the server from one of the
 * machine: a line `reset` on stdin starts a new window, a line `stats` prints one JSON line
 * `{"stats": [ServerStats, ...]}` (one per serving process) for the window so far: its
 * garbage-collection pauses and its event-loop delay (node:perf_hooks).
 */
import cluster from 'node:cluster';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Fastify, { type FastifyInstance } from 'fastify';
import { GbdtModel } from '../../src/ml/gbdt/gbdtModel.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { followChampion } from '../../src/server/endpoint/followChampion.js';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { ServingMetrics } from '../../src/server/endpoint/ServingMetrics.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { withServingV8Flags } from '../../src/server/servingV8Flags.js';
import { metricsRoutes } from '../../src/server/routes/metrics.js';
import { trainDiabetesModel } from '../../test/models/diabetesModel.js';
import { serverStats, type ServerStats } from './serverStats.js';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return `http://127.0.0.1:${a.port}`;
}

const arg = (n: string): string | undefined => (process.argv.indexOf(`--${n}`) >= 0 ? process.argv[process.argv.indexOf(`--${n}`) + 1] : undefined);
const WORKERS = Number(arg('workers') ?? 1);

/** The registry folder with the champion: made by the primary, opened by every worker. */
async function prepareRegistry(): Promise<string> {
  let artifact = arg('artifact');
  if (!artifact) {
    process.stderr.write('training the diabetes model (flow + gradient-boosted trees, 40,000 rows)...\n');
    artifact = (await trainDiabetesModel({ rows: 40_000, maxIter: 100 })).dir;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sluice-openloop-'));
  const registry = await ModelRegistry.open(dir);
  await registry.register(artifact, { name: 'readmission', status: 'approved', by: 'bench' });
  await registry.promote('readmission', 1, 'champion', 'bench');
  await registry.close();
  return dir;
}

/** Both servers in this process; resolves with the line to print. */
async function serveBoth(registryDir: string): Promise<{ line: Record<string, unknown>; stop: () => Promise<void> }> {
  const registry = await ModelRegistry.open(registryDir);
  const host = new ModelHost();
  const metrics = new ServingMetrics();
  const follower = followChampion(registry, 'readmission', host, (v) => loadFlowModelPredictor(v.artifactPath, v.name, String(v.version)), { pollMs: 0 });
  await follower.ready;
  const predictor = host.current;
  const trees = predictor && 'model' in predictor && predictor.model instanceof GbdtModel ? predictor.model.trees.length : 0;
  const app = Fastify({ logger: false });
  await app.register(invocationsRoutes, { host, metrics });
  await app.register(metricsRoutes, { metrics });
  const hello = Fastify({ logger: false });
  hello.post('/hello', async () => ({ hello: 'world' }));
  const base = await listen(app);
  const helloBase = await listen(hello);
  return {
    line: { endpoint: `${base}/invocations`, metrics: `${base}/metrics`, hello: `${helloBase}/hello`, trees, workers: WORKERS },
    stop: async () => {
      follower.stop();
      await Promise.allSettled([app.close(), hello.close()]);
      await registry.close();
    },
  };
}

/** `reset` and `stats` lines on stdin (see above); `answer(cmd)` gives each serving process's stats. */
function commands(answer: (cmd: 'reset' | 'stats') => Promise<ServerStats[]>): void {
  createInterface({ input: process.stdin }).on('line', (l) => {
    const cmd = l.trim();
    if (cmd !== 'reset' && cmd !== 'stats') return;
    void answer(cmd).then((stats) => process.stdout.write(JSON.stringify(cmd === 'stats' ? { stats } : { reset: true }) + '\n'));
  });
}

if (cluster.isWorker) {
  const { line, stop } = await serveBoth(process.env.SLUICE_BENCH_REGISTRY!);
  const stats = serverStats();
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'reset') stats.reset();
    if (m.cmd === 'reset' || m.cmd === 'stats') process.send!({ stats: stats.read() });
  });
  process.send!(line);
  process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
} else if (WORKERS > 1) {
  const dir = await prepareRegistry();
  cluster.setupPrimary({ execArgv: withServingV8Flags(process.execArgv) });
  const workers = Array.from({ length: WORKERS }, () => cluster.fork({ SLUICE_BENCH_REGISTRY: dir }));
  const lines = await Promise.all(workers.map((w) => new Promise<Record<string, unknown>>((r) => w.once('message', r))));
  process.stdout.write(JSON.stringify(lines[0]) + '\n');
  commands((cmd) =>
    Promise.all(
      workers.map((w) => {
        const answer = new Promise<ServerStats>((r) => w.once('message', (m: { stats: ServerStats }) => r(m.stats)));
        w.send({ cmd });
        return answer;
      }),
    ),
  );
  const stop = (): void => {
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
} else {
  const { line, stop } = await serveBoth(await prepareRegistry());
  const stats = serverStats();
  process.stdout.write(JSON.stringify(line) + '\n');
  commands(async (cmd) => {
    if (cmd === 'reset') stats.reset();
    return [stats.read()];
  });
  const end = async (): Promise<void> => {
    await stop();
    process.exit(0);
  };
  process.stdin.on('end', () => void end());
  process.stdin.on('close', () => void end());
  process.stdin.resume();
  process.on('SIGTERM', () => void end());
}
