import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnlineStore } from '../../src/features/online/createOnlineStore.js';
import type { OnlineEntry, OnlineStore } from '../../src/features/online/OnlineStore.js';
import { startRedis } from './redisServer.js';

/**
 * The Redis store's batch commit, looked at from inside: a batch is committed by one marker key
 * and then promoted chunk by chunk. These tests set the marker by hand to freeze the store in
 * the state a crash during promotion leaves, and check what readers see there.
 */
describe('Redis online store: tagged batches', () => {
  let server: { url: string; stop: () => Promise<void> };
  let store: OnlineStore;
  let raw: Redis;
  const prefix = 'rb:';
  const now = Date.now();
  const e = (id: string, eventTime: number, payload: string, expiresAt: number | null = null): OnlineEntry => ({ id, eventTime, expiresAt, payload });
  const marker = (group: string, batchId: string) => `${prefix}~batch:${createHash('sha256').update(`${group}\0${batchId}`).digest('hex').slice(0, 16)}`;

  beforeAll(async () => {
    server = await startRedis();
    store = createOnlineStore({ type: 'redis', url: server.url, keyPrefix: prefix });
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await store?.close();
    await server?.stop();
  });

  it('a committed batch not yet promoted (a crash after the marker) reads whole, and promotion changes nothing readers see', async () => {
    await store.put('g1', [e('kept', now + 1000, 'newer'), e('old', now - 1000, 'older')]);
    const many = Array.from({ length: 2500 }, (_, i) => e(`n${i}`, now, `v${i}`));
    await store.stage('g1', 'b1', [...many, e('kept', now, 'stale'), e('old', now, 'fresh')]);
    const ask = ['n0', 'n2499', 'kept', 'old'].map((id) => ({ group: 'g1', id }));
    expect((await store.batchGet(ask)).map((r) => r?.payload ?? null)).toEqual([null, null, 'newer', 'older']);
    await raw.set(marker('g1', 'b1'), '1');
    const seen = (await store.batchGet(ask)).map((r) => r?.payload ?? null);
    expect(seen).toEqual(['v0', 'v2499', 'newer', 'fresh']);
    expect((await store.get('g1', 'n1234'))?.payload).toBe('v1234');
    // Recovery (FeatureStore.recover) calls applyBatch for a batch the registry has committed.
    expect(await store.applyBatch('g1', 'b1')).toEqual({ written: 2501, ignored: 1 });
    expect((await store.batchGet(ask)).map((r) => r?.payload ?? null)).toEqual(seen);
    expect(await raw.hkeys(`${prefix}g1:n0`)).toEqual(expect.arrayContaining(['t', 'x', 'p', 'd']));
    expect((await raw.hkeys(`${prefix}g1:n0`)).filter((f) => f.startsWith('b:'))).toEqual([]);
    // No list, index entry or marker is left (the marker was set by hand here, so no ~seq either).
    expect(await raw.keys(`${prefix}~*`)).toEqual([]);
  });

  it('applies two committed batches pending on one record in commit order', async () => {
    await store.stage('g2', 'late', [e('a', now + 50, 'late')]);
    await store.stage('g2', 'early', [e('a', now + 10, 'early')]);
    await raw.set(marker('g2', 'early'), '1');
    expect((await store.get('g2', 'a'))?.payload).toBe('early');
    await raw.set(marker('g2', 'late'), '2');
    expect((await store.get('g2', 'a'))?.payload).toBe('late');
    await store.applyBatch('g2', 'early');
    expect((await store.get('g2', 'a'))?.payload).toBe('late');
    await store.applyBatch('g2', 'late');
    expect((await store.get('g2', 'a'))?.payload).toBe('late');
  });

  it('keeps a staged entry when its record expires meanwhile, and sets the expiry once promoted', async () => {
    await store.put('g3', [e('a', now, 'short', Date.now() + 200)]);
    await store.stage('g3', 'b', [e('a', now + 1, 'next', Date.now() + 3_600_000)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.get('g3', 'a')).toBeNull();
    expect(await raw.exists(`${prefix}g3:a`)).toBe(1); // the staged entry survived the record's expiry
    expect(await store.applyBatch('g3', 'b')).toEqual({ written: 1, ignored: 0 });
    expect((await store.get('g3', 'a'))?.payload).toBe('next');
    expect(await raw.pttl(`${prefix}g3:a`)).toBeGreaterThan(3_000_000);
  });

  it('discarding a batch restores the records and their expiry', async () => {
    await store.put('g4', [e('a', now, 'v', Date.now() + 3_600_000)]);
    await store.stage('g4', 'b', [e('a', now + 1, 'w'), e('new', now, 'x')]);
    expect(await raw.pttl(`${prefix}g4:a`)).toBe(-1);
    await store.discardBatch('g4', 'b');
    expect((await store.get('g4', 'a'))?.payload).toBe('v');
    expect(await raw.pttl(`${prefix}g4:a`)).toBeGreaterThan(3_000_000);
    expect(await raw.exists(`${prefix}g4:new`)).toBe(0);
    expect(await store.stagedBatches()).toEqual([]);
  });
});
