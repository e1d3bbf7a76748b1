import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import type { OnlineStoreConfig } from '../../src/features/online/OnlineStore.js';
import { builtFixture } from '../support/builtFixture.js';
import { startRedis } from './redisServer.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
// Compiled once for this file: each ingest child starts without tsx.
const CHILD = await builtFixture(join(HERE, 'fixtures/ingestChild.ts'));

/**
 * Runs an ingest in a child process and SIGKILLs it: when it prints `killOn` (a fault point's
 * pause), or `afterMs` after it starts ingesting. Resolves with how it ended.
 */
function ingestInChild(
  env: Record<string, string>,
  kill: { onLine?: string; afterMs?: number },
): Promise<{ signal: NodeJS.Signals | null; code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (kill.onLine && out.includes(kill.onLine)) child.kill('SIGKILL');
      if (kill.afterMs !== undefined && out.includes('SLUICE_INGEST_STARTED')) {
        const ms = kill.afterMs;
        kill.afterMs = undefined;
        setTimeout(() => child.kill('SIGKILL'), ms);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (code !== null && code !== 0) fail(new Error(`child failed (${code}): ${err}`));
      else done({ signal, code, out });
    });
  });
}

function project(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-crash-'));
}

/** A batch of `n` records: id 1 .. n, all on 2024-02-0x, value v = id * 10. */
function batchFile(dir: string, n: number): string {
  const lines = ['id,t,v'];
  for (let i = 1; i <= n; i++) lines.push(`${i},2024-02-0${1 + (i % 5)}T12:00:00Z,${i * 10}`);
  const p = join(dir, `batch-${n}.csv`);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

/** Creates group `g` and ingests the baseline batch: id 1 with v = 1 in January. */
async function baseline(dir: string, online?: OnlineStoreConfig): Promise<void> {
  const file = join(dir, 'base.csv');
  writeFileSync(file, 'id,t,v\n1,2024-01-01T00:00:00Z,1\n');
  const fs = await FeatureStore.open({ projectDir: dir, online });
  try {
    await fs.createGroupFromData({ file }, { name: 'g', recordIdentifier: 'id', eventTime: 't' });
    expect((await fs.ingest('g', { file }, { batchId: 'b0' })).status).toBe('ingested');
  } finally {
    await fs.close();
  }
}

/** What of batch b1 (n records) is visible: offline rows, online records, and whether it is committed. */
async function visible(dir: string, n: number, online?: OnlineStoreConfig) {
  const fs = await FeatureStore.open({ projectDir: dir, online });
  try {
    const [row] = await fs.query('SELECT count(*) AS n FROM g WHERE v >= 10');
    const ids = Array.from({ length: n }, (_, i) => String(i + 1));
    let onlineNew = 0;
    for (let i = 0; i < ids.length; i += 5000) {
      const got = await fs.batchGet([{ group: 'g', ids: ids.slice(i, i + 5000) }]);
      onlineNew += got.filter((r) => r.record && Number(r.record.values.v) >= 10).length;
    }
    const committed = (await fs.describeGroup('g')).offline.batches === 2;
    return {
      offline: Number(row!.n),
      online: onlineNew,
      committed,
      id1: (await fs.getRecord('g', '1'))?.values.v,
      staged: (await fs.online.stagedBatches()).length,
    };
  } finally {
    await fs.close();
  }
}

/** Retries b1 in this process: it must land exactly once, and a further retry writes nothing. */
async function retryLandsOnce(
  dir: string,
  file: string,
  n: number,
  online?: OnlineStoreConfig,
  expected: 'ingested' | 'already_ingested' = 'ingested',
): Promise<void> {
  const fs = await FeatureStore.open({ projectDir: dir, online });
  try {
    expect((await fs.ingest('g', { file }, { batchId: 'b1' })).status).toBe(expected);
    expect((await fs.ingest('g', { file }, { batchId: 'b1' })).status).toBe('already_ingested');
    expect(await fs.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM g WHERE v >= 10')).toEqual([{ n, ids: n }]);
    expect(await fs.query('SELECT count(*) AS n FROM g')).toEqual([{ n: n + 1 }]);
    expect((await fs.describeGroup('g')).offline).toMatchObject({ batches: 2, rows: n + 1 });
    expect((await fs.getRecord('g', '1'))?.values.v).toBe(10);
    expect((await fs.getRecord('g', String(n)))?.values.v).toBe(n * 10);
    expect(await fs.online.stagedBatches()).toEqual([]);
  } finally {
    await fs.close();
  }
}

describe('crash mid-ingest (a child process killed with SIGKILL)', () => {
  let redis: { url: string; stop: () => Promise<void> };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());

  const backends: Array<[string, () => OnlineStoreConfig | undefined]> = [
    ['embedded SQLite', () => undefined],
    ['SQLite in its own file', () => ({ type: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'sluice-online-')), 'online.db') })],
    ['Redis', () => ({ type: 'redis', url: redis.url, keyPrefix: `t${Math.random().toString(36).slice(2)}:` })],
  ];

  for (const [name, config] of backends) {
    it(`${name}: killed with the files written and the online entries staged, nothing is visible; the retry lands once`, async () => {
      const dir = project();
      const online = config();
      await baseline(dir, online);
      const n = 3000;
      const file = batchFile(dir, n);
      const env = {
        PROJECT: dir,
        GROUP: 'g',
        FILE: file,
        BATCH: 'b1',
        ONLINE: online ? JSON.stringify(online) : '',
        SLUICE_FEATURES_FAULT: 'pause-before-commit',
      };
      const r = await ingestInChild(env, { onLine: 'SLUICE_FAULT_PAUSED' });
      expect(r.signal).toBe('SIGKILL');
      const v = await visible(dir, n, online);
      expect(v).toEqual({ offline: 0, online: 0, committed: false, id1: 1, staged: 1 });
      await retryLandsOnce(dir, file, n, online);
    }, 60_000);

    it(`${name}: killed inside the commit, the batch is all or nothing, and complete after reopening`, async () => {
      const dir = project();
      const online = config();
      await baseline(dir, online);
      const n = 3000;
      const file = batchFile(dir, n);
      const env = { PROJECT: dir, GROUP: 'g', FILE: file, BATCH: 'b1', ONLINE: online ? JSON.stringify(online) : '', SLUICE_FEATURES_FAULT: 'kill-in-commit' };
      const r = await ingestInChild(env, {});
      expect(r.signal).toBe('SIGKILL');
      // Opening the store (as `visible` does) completes a commit the crash interrupted.
      const v = await visible(dir, n, online);
      if (online === undefined) {
        // One SQLite transaction: the kill rolled back the registry row with the online rows.
        expect(v).toEqual({ offline: 0, online: 0, committed: false, id1: 1, staged: 1 });
        await retryLandsOnce(dir, file, n, online, 'ingested');
      } else {
        // The registry row is the commit point; the online apply was rolled forward on open.
        expect(v).toEqual({ offline: n, online: n, committed: true, id1: 10, staged: 0 });
        await retryLandsOnce(dir, file, n, online, 'already_ingested');
      }
    }, 60_000);
  }

  it('embedded SQLite: killed at random moments of a 150,000-row ingest, the batch is always all or nothing', async () => {
    const dir = project();
    await baseline(dir);
    const n = 150_000;
    const file = batchFile(dir, n);
    const outcomes: string[] = [];
    for (const afterMs of [50, 400, 900, 1600, 2600, 4000, 6000]) {
      const r = await ingestInChild({ PROJECT: dir, GROUP: 'g', FILE: file, BATCH: 'b1', ONLINE: '' }, { afterMs });
      const v = await visible(dir, n, undefined);
      if (v.committed) {
        expect(v).toMatchObject({ offline: n, online: n, id1: 10, staged: 0 });
        outcomes.push(r.signal ? 'killed after the commit' : 'finished');
        break; // the batch is in; later kills would only hit already_ingested
      }
      expect(r.signal).toBe('SIGKILL');
      expect(v).toMatchObject({ offline: 0, online: 0, id1: 1 });
      outcomes.push(`killed before the commit (${afterMs} ms)`);
    }
    expect(outcomes.length).toBeGreaterThan(0);
    const fs = await FeatureStore.open({ projectDir: dir });
    const committed = (await fs.describeGroup('g')).offline.batches === 2;
    await fs.close();
    await retryLandsOnce(dir, file, n, undefined, committed ? 'already_ingested' : 'ingested');
  }, 180_000);
});
