import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { ModelVersion } from '../../src/models/types.js';
import { followChampion, type ChampionFollower } from '../../src/server/endpoint/followChampion.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { ThresholdPredictor } from './thresholdPredictor.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

const THRESHOLDS: Record<number, number> = { 1: 5, 2: 15, 3: 25 };
const RECORD = { age: 50, gender: 'Female', num_medications: 14, insulin: false };

let project: string;
let registry: ModelRegistry;
let app: FastifyInstance;
let base: string;
let follower: ChampionFollower;
const host = new ModelHost();
const loaded: ThresholdPredictor[] = [];

/** Loads a predictor from a registered artifact; slow on purpose, like reading a real model. */
async function load(v: ModelVersion): Promise<ThresholdPredictor> {
  const { threshold } = JSON.parse(readFileSync(join(v.artifactPath, 'model.json'), 'utf8')) as { threshold: number };
  await sleep(30);
  const p = new ThresholdPredictor(String(v.version), threshold, { yieldTicks: 3 });
  loaded.push(p);
  return p;
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'sluice-swap-'));
  registry = await ModelRegistry.open(project);
  for (const v of [1, 2, 3]) {
    const art = mkdtempSync(join(tmpdir(), 'sluice-swap-art-'));
    fakeArtifact(JSON.stringify({ threshold: THRESHOLDS[v] }), art);
    await registry.register(art, { name: 'readmission', status: 'approved', by: 'pipeline' });
  }
  await registry.promote('readmission', 1, 'champion', 'ana');
  follower = followChampion(registry, 'readmission', host, load, { pollMs: 0 });
  await follower.ready;
  app = Fastify();
  await app.register(invocationsRoutes, { host });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  follower.stop();
  await app.close();
  await registry.close();
});

describe('swapping the champion under load', () => {
  it('answers every request across promotions and a rollback, never mixing versions', async () => {
    // What each version answers for RECORD, computed independently of the server.
    const expected = new Map<string, unknown>();
    for (const v of [1, 2, 3]) expected.set(String(v), (await new ThresholdPredictor(String(v), THRESHOLDS[v]!).predict([{ ...RECORD }]))[0]);
    expect(new Set([...expected.values()].map((p) => JSON.stringify(p))).size).toBe(3);

    let running = true;
    const seen = new Map<string, number>();
    const failures: string[] = [];
    let total = 0;
    const client = async (): Promise<void> => {
      while (running) {
        const res = await fetch(`${base}/invocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ instances: [RECORD] }),
        });
        const text = await res.text();
        total++;
        if (res.status !== 200) {
          failures.push(`${res.status} ${text}`);
          continue;
        }
        const body = JSON.parse(text) as { model_version: string; predictions: unknown[] };
        const header = res.headers.get('x-sluice-model-version') ?? '';
        if (header !== body.model_version) failures.push(`mixed: header ${header}, body ${body.model_version}`);
        if (JSON.stringify(body.predictions[0]) !== JSON.stringify(expected.get(body.model_version)))
          failures.push(`version ${body.model_version} answered another version's prediction`);
        seen.set(header, (seen.get(header) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 16 }, () => client());

    const champion = (): string | undefined => host.current?.version;
    // Phases are counted in responses, not milliseconds, so a busy machine cannot skip one.
    const traffic = async (n: number): Promise<void> => {
      const until = total + n;
      while (total < until) await sleep(5);
    };
    await traffic(50);
    await registry.promote('readmission', 2, 'champion', 'ana');
    await follower.sync();
    expect(champion()).toBe('2');
    await traffic(50);
    await registry.promote('readmission', 3, 'champion', 'ana');
    await follower.sync();
    expect(champion()).toBe('3');
    await traffic(50);
    await registry.rollback('readmission', 'bob', 'latency regression');
    await follower.sync();
    expect(champion()).toBe('2');
    await traffic(50);
    running = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(200);
    // Every version served traffic, and the rollback brought 2 back.
    for (const v of ['1', '2', '3']) expect(seen.get(v) ?? 0, `version ${v}`).toBeGreaterThan(0);
    // Replaced predictors were closed once their last request finished; the current one is open.
    await sleep(20);
    expect(loaded.map((p) => [p.version, p.closed])).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
      ['2', false],
    ]);
  });

  it('unloads when the champion alias is removed, and /ping says so', async () => {
    await registry.removeAlias('readmission', 'champion', 'ana');
    await follower.sync();
    expect((await fetch(`${base}/ping`)).status).toBe(503);
    await registry.promote('readmission', 1, 'champion', 'ana');
    await follower.sync();
    const r = await fetch(`${base}/ping`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-sluice-model-version')).toBe('1');
  });

  it('keeps serving the old model when loading the new one fails', async () => {
    const errors: unknown[] = [];
    const broken = followChampion(
      registry,
      'readmission',
      host,
      async () => {
        throw new Error('corrupt artifact');
      },
      { pollMs: 0, onError: (e) => errors.push(e) },
    );
    await broken.ready;
    broken.stop();
    expect(errors).toHaveLength(1);
    expect(host.current?.version).toBe('1');
    expect((await fetch(`${base}/ping`)).status).toBe(200);
  });

  it('follows a promotion made by another process (another connection to the project database)', async () => {
    const polling = new ModelHost();
    const f = followChampion(registry, 'readmission', polling, load, { pollMs: 25 });
    await f.ready;
    expect(polling.current?.version).toBe('1');
    const other = await ModelRegistry.open(project); // its onChange listeners are not ours: only polling sees this
    try {
      await other.promote('readmission', 3, 'champion', 'cli-user');
      const deadline = Date.now() + 5000;
      while (polling.current?.version !== '3' && Date.now() < deadline) await sleep(10);
      expect(polling.current?.version).toBe('3');
    } finally {
      await other.close();
      f.stop();
    }
  });
});
