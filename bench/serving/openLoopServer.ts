/**
 * The servers the open-loop benchmark measures, in a process of their own (the benchmark pins
 * it to one core): the real endpoint serving the diabetes model as the registry's champion, and
 * a minimal Fastify hello-world route as the ceiling. Prints one JSON line
 * `{"endpoint": URL, "metrics": URL, "hello": URL, "trees": N}` once both listen, then serves
 * until stdin closes or SIGTERM.
 *
 *   node --import tsx bench/serving/openLoopServer.ts [--artifact DIR]   # DIR: model.json + fitted-flow.json
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { GbdtModel } from '../../src/ml/gbdt/gbdtModel.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { followChampion } from '../../src/server/endpoint/followChampion.js';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { ServingMetrics } from '../../src/server/endpoint/ServingMetrics.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { metricsRoutes } from '../../src/server/routes/metrics.js';
import { trainDiabetesModel } from '../../test/models/diabetesModel.js';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return `http://127.0.0.1:${a.port}`;
}

const i = process.argv.indexOf('--artifact');
let artifact = i >= 0 ? process.argv[i + 1] : undefined;
if (!artifact) {
  process.stderr.write('training the diabetes model (flow + gradient-boosted trees, 40,000 rows)...\n');
  artifact = (await trainDiabetesModel({ rows: 40_000, maxIter: 100 })).dir;
}
const registry = await ModelRegistry.open(mkdtempSync(join(tmpdir(), 'sluice-openloop-')));
await registry.register(artifact, { name: 'readmission', status: 'approved', by: 'bench' });
await registry.promote('readmission', 1, 'champion', 'bench');
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
process.stdout.write(JSON.stringify({ endpoint: `${base}/invocations`, metrics: `${base}/metrics`, hello: `${helloBase}/hello`, trees }) + '\n');

const stop = async (): Promise<void> => {
  follower.stop();
  await Promise.allSettled([app.close(), hello.close()]);
  await registry.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
