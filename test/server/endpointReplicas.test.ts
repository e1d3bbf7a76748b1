import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { cli, cliAsync } from '../state/liveProject.js';
import { startPostgres, type Postgres } from '../support/postgres.js';
import { type EndpointProcess, startEndpoint } from '../support/endpointProcess.js';

/**
 * Issue 17, point 4: several `sluice serve --role endpoint` processes (replicas, as on several
 * machines behind a load balancer) serve the champion of the one shared registry, follow a
 * promotion made elsewhere (the CLI) within `endpoint.followMs` plus the model's load time, and
 * swap atomically: under steady load, no request fails and no response mixes two versions.
 * Run twice: on the embedded SQLite state (replicas on one machine share the project file) and
 * on PostgreSQL state (`SLUICE_DATABASE_URL`, as replicas on several machines would), where the
 * replicas also log every prediction to the one shared `predictions` table.
 */

const FIXTURE = resolve('test/fixtures/artifacts/train-v1');
/** How often each replica reads the registry (sluice.yaml endpoint.followMs): the stated bound. */
const FOLLOW_MS = 500;
/** Time allowed on top of FOLLOW_MS for reading and loading the model on a loaded 2-core machine. */
const LOAD_ALLOWANCE_MS = 45_000;

const CSV = 'age,color,score\n20,red,6.99\n51,green,2.4\n33,blue,4.1\n70,red,0.5\n';

type Replica = EndpointProcess;

interface Answer {
  replica: number;
  client: number;
  started: number;
  status: number;
  header: string | null;
  body: { predictions?: unknown; model_version?: string } | undefined;
}

/** One run's project, its state's environment and its replicas. */
interface Setup {
  dir: string;
  env: Record<string, string>;
  replicas: Replica[];
}

/** `sluice serve --role endpoint --port 0` in its own process, once it listens and serves the champion. */
async function startReplica({ dir, env, replicas }: Setup): Promise<Replica> {
  const r = await startEndpoint(dir, [], env);
  replicas.push(r);
  // Ready once the champion is loaded (GET /ping answers 200).
  for (let i = 0; i < 600; i++) {
    const ping = await fetch(`${r.base}/ping`).catch(() => undefined);
    if (ping?.status === 200) return r;
    await new Promise((w) => setTimeout(w, 100));
  }
  throw new Error(`${r.base}/ping never answered 200: ${JSON.stringify(r.lines.slice(-5))}`);
}

async function invoke(replicas: Replica[], replica: number, client: number): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(`${replicas[replica]!.base}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'application/json' },
      body: CSV,
    });
    const text = await res.text();
    let body: Answer['body'];
    try {
      body = JSON.parse(text) as Answer['body'];
    } catch {
      body = undefined;
    }
    return { replica, client, started, status: res.status, header: res.headers.get('x-sluice-model-version'), body };
  } catch (e) {
    return { replica, client, started, status: -1, header: null, body: { predictions: String(e) } };
  }
}

let trained: Promise<string> | undefined;

/**
 * Version 2: another model over the same inputs (another seed, so other splits and weights),
 * trained once for both runs, with an iteration budget rather than a time limit (what it learns
 * does not depend on how busy the machine is, and it takes ~0.5 s instead of 2 s of training).
 */
function secondVersion(): Promise<string> {
  trained ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-replicas-v2-'));
    for (const f of ['train.csv', 'small.flow.yaml']) copyFileSync(join(FIXTURE, f), join(dir, f));
    const train = await cli(dir, [
      'train',
      'train.csv',
      '--target',
      'label',
      '--flow',
      'small.flow.yaml',
      '--max-candidates',
      '2',
      '--seed',
      '11',
      '--out',
      'v2',
    ]);
    if (train.code !== 0) throw new Error(train.stderr);
    return join(dir, 'v2', 'model');
  })();
  return trained;
}

/** A project with two approved versions, version 1 the champion, and two replicas serving it. */
async function setUp(setup: Setup, sampleRate: number): Promise<void> {
  const { dir, env } = setup;
  const init = await cli(dir, ['init', '.'], env);
  if (init.code !== 0) throw new Error(init.stderr);
  // init writes no endpoint key (only a comment): this one is the only one.
  appendFileSync(join(dir, 'sluice.yaml'), `\nendpoint:\n  followMs: ${FOLLOW_MS}\n`);
  const yaml = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
  if (!/^ {2}sampleRate: 0 /m.test(yaml)) throw new Error('sluice init no longer writes model.sampleRate: 0');
  writeFileSync(join(dir, 'sluice.yaml'), yaml.replace(/^ {2}sampleRate: 0 /m, `  sampleRate: ${sampleRate} `));
  for (const artifact of [join(FIXTURE, 'model'), await secondVersion()]) {
    const reg = await cli(dir, ['models', 'register', 'readmission', artifact, '--status', 'approved'], env);
    if (reg.code !== 0) throw new Error(reg.stderr);
  }
  const promote = await cli(dir, ['models', 'promote', 'readmission', '1'], env);
  if (promote.code !== 0) throw new Error(promote.stderr);
  await startReplica(setup);
  await startReplica(setup);
}

/** SIGTERM to every replica (each writes its prediction log's queue first), waiting until they are gone. */
async function stopReplicas(replicas: Replica[]): Promise<Array<number | null>> {
  for (const r of replicas) {
    try {
      process.kill(r.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  return Promise.all(replicas.map((r) => r.exited));
}

describe.each(['sqlite', 'postgres'] as const)('endpoint replicas on %s state: two processes, steady load, a promotion in the middle', (state) => {
  const setup: Setup = { dir: '', env: {}, replicas: [] };
  let server: Postgres | undefined;
  beforeAll(async () => {
    setup.dir = mkdtempSync(join(tmpdir(), 'sluice-replicas-'));
    if (state === 'postgres') {
      server = await startPostgres();
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE replicas');
      await admin.end();
      setup.env = { SLUICE_DATABASE_URL: server.url.replace(/\/postgres$/, '/replicas') };
    }
    // On PostgreSQL every request is logged, to check the replicas' one shared log.
    await setUp(setup, state === 'postgres' ? 1 : 0);
  }, 300_000);

  afterAll(async () => {
    await stopReplicas(setup.replicas);
    await server?.stop();
  }, 60_000);

  it('no request fails, no response mixes versions, and both replicas serve the new champion within the bound', async () => {
    const { dir, env, replicas } = setup;
    const answers: Answer[] = [];
    let stop = false;
    // Steady load: three clients per replica, each sending as soon as it has its answer.
    const clients = [0, 1, 2, 3, 4, 5].map(async (client) => {
      while (!stop) answers.push(await invoke(replicas, client % 2, client));
    });
    const count = (replica: number, version: string) => answers.filter((a) => a.replica === replica && a.header === version).length;
    const until = async (what: string, ok: () => boolean, ms: number): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > deadline) {
          stop = true;
          throw new Error(`${what}: not within ${ms} ms (${answers.length} answers so far)`);
        }
        await new Promise((w) => setTimeout(w, 50));
      }
    };
    try {
      await until('both replicas answer with version 1', () => count(0, '1') >= 50 && count(1, '1') >= 50, 120_000);
      // The promotion, by another process (as from another machine): the replicas only read the registry.
      const promote = await cliAsync(dir, ['models', 'promote', 'readmission', '2', '--by', 'ana'], env);
      expect(promote.code, promote.stderr).toBe(0);
      await until('both replicas answer with version 2', () => count(0, '2') >= 50 && count(1, '2') >= 50, FOLLOW_MS + LOAD_ALLOWANCE_MS);
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    // No failed response.
    const failed = answers.filter((a) => a.status !== 200);
    expect(failed.slice(0, 3), `${failed.length} of ${answers.length} failed`).toEqual([]);
    // No mixed response: the header and the body name one version, and every answer of a version
    // holds exactly that version's predictions (the two versions predict differently).
    for (const a of answers) expect(a.body?.model_version).toBe(a.header);
    const byVersion = new Map<string, Set<string>>();
    for (const a of answers) {
      const set = byVersion.get(a.header!) ?? new Set<string>();
      set.add(JSON.stringify(a.body?.predictions));
      byVersion.set(a.header!, set);
    }
    expect([...byVersion.keys()].sort()).toEqual(['1', '2']);
    expect(byVersion.get('1')!.size).toBe(1);
    expect(byVersion.get('2')!.size).toBe(1);
    expect([...byVersion.get('1')!][0]).not.toBe([...byVersion.get('2')!][0]);
    // Each client (one request at a time) saw version 1, then version 2, never version 1 again.
    for (const client of [0, 1, 2, 3, 4, 5]) {
      const seen = answers.filter((a) => a.client === client).map((a) => a.header);
      const first2 = seen.indexOf('2');
      expect(first2, `client ${client}`).toBeGreaterThan(0);
      expect(
        seen.slice(first2).every((v) => v === '2'),
        `client ${client}: ${seen.join('')}`,
      ).toBe(true);
    }
    // Each replica swapped once, from version 1 to version 2, and says so.
    for (const r of replicas) {
      const swaps = r.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('serving readmission version'));
      expect(swaps.map((l) => [l.previous, l.version])).toEqual([
        [null, '1'],
        ['1', '2'],
      ]);
    }
    if (state === 'postgres') {
      // Stopped with SIGTERM, both replicas wrote their prediction logs' queues to the one table:
      // each answered record once, under the version that answered it.
      expect(await stopReplicas(replicas)).toEqual([0, 0]);
      const db = new pg.Client({ connectionString: env.SLUICE_DATABASE_URL });
      await db.connect();
      try {
        const rows = (
          await db.query('SELECT version, COUNT(*)::int AS n, COUNT(DISTINCT request_id)::int AS requests FROM predictions GROUP BY version ORDER BY version')
        ).rows;
        const records = CSV.trim().split('\n').length - 1;
        expect(rows).toEqual(
          ['1', '2'].map((v) => {
            const n = answers.filter((a) => a.header === v).length;
            return { version: v, n: n * records, requests: n };
          }),
        );
      } finally {
        await db.end();
      }
    }
  }, 400_000);
});
