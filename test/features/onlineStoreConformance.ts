import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnlineEntry, OnlineStore } from '../../src/features/online/OnlineStore.js';

/**
 * The one conformance suite every online store backend runs. `open` returns a fresh, empty
 * store; each test uses its own group name so the tests do not see each other's records.
 */
export function runOnlineStoreConformance(name: string, open: () => Promise<OnlineStore>, close?: () => Promise<void>): void {
  describe(`online store conformance: ${name}`, () => {
    let store: OnlineStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
      await close?.();
    });
    const now = Date.now();
    const e = (id: string, eventTime: number, payload: string, expiresAt: number | null = null): OnlineEntry => ({ id, eventTime, expiresAt, payload });

    it('puts and gets; an unknown id is null', async () => {
      const r = await store.put('g_basic', [e('a', now, '{"v":1}'), e('b', now, '{"v":2}')]);
      expect(r).toEqual({ written: 2, ignored: 0 });
      expect(await store.get('g_basic', 'a')).toEqual(e('a', now, '{"v":1}'));
      expect(await store.get('g_basic', 'zzz')).toBeNull();
      expect(await store.get('g_other', 'a')).toBeNull();
    });

    it('ignores an older event time; equal or newer overwrites', async () => {
      await store.put('g_order', [e('a', now, 'first')]);
      expect(await store.put('g_order', [e('a', now - 1000, 'older')])).toEqual({ written: 0, ignored: 1 });
      expect((await store.get('g_order', 'a'))?.payload).toBe('first');
      expect(await store.put('g_order', [e('a', now, 'equal')])).toEqual({ written: 1, ignored: 0 });
      expect((await store.get('g_order', 'a'))?.payload).toBe('equal');
      await store.put('g_order', [e('a', now + 1000, 'newer')]);
      expect(await store.get('g_order', 'a')).toEqual(e('a', now + 1000, 'newer'));
    });

    it('applies the rule within one put: the newest of a batch stays', async () => {
      const r = await store.put('g_batch', [e('a', now, 'mid'), e('a', now + 5, 'new'), e('a', now - 5, 'old')]);
      expect(r).toEqual({ written: 2, ignored: 1 });
      expect((await store.get('g_batch', 'a'))?.payload).toBe('new');
    });

    it('gets many records across groups in the order asked', async () => {
      await store.put('g_x', [e('1', now, 'x1'), e('2', now, 'x2')]);
      await store.put('g_y', [e('1', now, 'y1')]);
      const got = await store.batchGet([
        { group: 'g_y', id: '1' },
        { group: 'g_x', id: '2' },
        { group: 'g_x', id: 'missing' },
        { group: 'g_x', id: '1' },
      ]);
      expect(got.map((r) => r?.payload ?? null)).toEqual(['y1', 'x2', null, 'x1']);
      expect(await store.batchGet([])).toEqual([]);
    });

    it('does not return expired records, which then no longer block older writes', async () => {
      await store.put('g_ttl', [e('live', now, 'ok', now + 3_600_000), e('dead', now - 7_200_000, 'gone', now - 3_600_000)]);
      expect((await store.get('g_ttl', 'live'))?.payload).toBe('ok');
      expect((await store.get('g_ttl', 'live'))?.expiresAt).toBe(now + 3_600_000);
      expect(await store.get('g_ttl', 'dead')).toBeNull();
      expect((await store.batchGet([{ group: 'g_ttl', id: 'dead' }]))[0]).toBeNull();
      await store.put('g_ttl', [e('dead', now - 9_000_000, 'older but live', null)]);
      expect((await store.get('g_ttl', 'dead'))?.payload).toBe('older but live');
    });

    it('expires a record once its time passes', async () => {
      await store.put('g_ttl2', [e('soon', now, 'x', Date.now() + 300)]);
      expect(await store.get('g_ttl2', 'soon')).not.toBeNull();
      await new Promise((r) => setTimeout(r, 450));
      expect(await store.get('g_ttl2', 'soon')).toBeNull();
    });

    it('deletes with a tombstone: older writes stay ignored, newer ones bring the record back', async () => {
      await store.put('g_del', [e('a', now, 'v1')]);
      expect(await store.delete('g_del', 'a', now - 10)).toBe(false); // older than the record
      expect((await store.get('g_del', 'a'))?.payload).toBe('v1');
      expect(await store.delete('g_del', 'a', now + 10)).toBe(true);
      expect(await store.get('g_del', 'a')).toBeNull();
      expect(await store.delete('g_del', 'a', now + 20)).toBe(false); // already gone
      expect(await store.put('g_del', [e('a', now + 5, 'late')])).toEqual({ written: 0, ignored: 1 });
      expect(await store.get('g_del', 'a')).toBeNull();
      await store.put('g_del', [e('a', now + 30, 'v2')]);
      expect((await store.get('g_del', 'a'))?.payload).toBe('v2');
      expect(await store.delete('g_del', 'never', now)).toBe(false);
    });

    it('keeps ids with odd characters apart and clears a group', async () => {
      const ids = ['a:b', 'a', 'ü 1', '*', ''];
      await store.put(
        'g_odd',
        ids.map((id, i) => e(id, now, `p${i}`)),
      );
      const got = await store.batchGet(ids.map((id) => ({ group: 'g_odd', id })));
      expect(got.map((g) => g?.payload)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
      await store.put('g_keep', [e('a', now, 'kept')]);
      await store.clearGroup('g_odd');
      expect(await store.get('g_odd', 'a:b')).toBeNull();
      expect((await store.get('g_keep', 'a'))?.payload).toBe('kept');
    });

    it('writes and reads back 20,000 records in one put', async () => {
      const many = Array.from({ length: 20_000 }, (_, i) => e(String(i), now, `{"i":${i}}`));
      expect((await store.put('g_many', many)).written).toBe(20_000);
      const got = await store.batchGet([
        { group: 'g_many', id: '0' },
        { group: 'g_many', id: '19999' },
      ]);
      expect(got.map((g) => g?.payload)).toEqual(['{"i":0}', '{"i":19999}']);
    });

    it('keeps staged entries invisible until the batch is applied, then applies them with the older-write rule', async () => {
      await store.put('g_stage', [e('kept', now + 1000, 'newer than the batch'), e('old', now - 1000, 'older')]);
      await store.stage('g_stage', 'b1', [e('new', now, 'n1'), e('kept', now, 'stale'), e('old', now, 'o2')]);
      await store.stage('g_stage', 'b1', [e('new2', now, 'n2', now + 3_600_000)]);
      expect(await store.get('g_stage', 'new')).toBeNull();
      expect((await store.get('g_stage', 'old'))?.payload).toBe('older');
      expect(await store.stagedBatches()).toEqual([{ group: 'g_stage', batchId: 'b1', stagedAt: expect.any(Number) }]);
      let committed = 0;
      const r = await store.applyBatch('g_stage', 'b1', () => {
        committed += 1;
      });
      expect(committed).toBe(1);
      expect(r).toEqual({ written: 3, ignored: 1 });
      expect((await store.batchGet(['new', 'new2', 'kept', 'old'].map((id) => ({ group: 'g_stage', id })))).map((x) => x?.payload ?? null)).toEqual([
        'n1',
        'n2',
        'newer than the batch',
        'o2',
      ]);
      expect((await store.get('g_stage', 'new2'))?.expiresAt).toBe(now + 3_600_000);
      expect(await store.stagedBatches()).toEqual([]);
      // Applying again finds nothing staged.
      expect(await store.applyBatch('g_stage', 'b1')).toEqual({ written: 0, ignored: 0 });
    });

    it('stages deletions as tombstones', async () => {
      await store.put('g_stdel', [e('a', now, 'v1'), e('b', now, 'v2')]);
      await store.stage('g_stdel', 'd1', [e('a', now + 10, ''), e('b', now - 10, '')], { deleted: true });
      expect((await store.get('g_stdel', 'a'))?.payload).toBe('v1');
      expect(await store.applyBatch('g_stdel', 'd1')).toEqual({ written: 1, ignored: 1 });
      expect(await store.get('g_stdel', 'a')).toBeNull();
      expect((await store.get('g_stdel', 'b'))?.payload).toBe('v2');
      expect(await store.put('g_stdel', [e('a', now + 5, 'late')])).toEqual({ written: 0, ignored: 1 });
    });

    it('leaves a batch staged and invisible when its commit fails, and discards it', async () => {
      await store.stage('g_fail', 'b1', [e('a', now, 'x')]);
      await expect(
        store.applyBatch('g_fail', 'b1', () => {
          throw new Error('registry refused');
        }),
      ).rejects.toThrow('registry refused');
      expect(await store.get('g_fail', 'a')).toBeNull();
      expect((await store.stagedBatches()).map((b) => b.batchId)).toEqual(['b1']);
      await store.discardBatch('g_fail', 'b1');
      expect(await store.stagedBatches()).toEqual([]);
      expect(await store.applyBatch('g_fail', 'b1')).toEqual({ written: 0, ignored: 0 });
      expect(await store.get('g_fail', 'a')).toBeNull();
      // Staging the same batch id again after a discard starts from nothing.
      await store.stage('g_fail', 'b1', [e('b', now, 'y')]);
      expect(await store.applyBatch('g_fail', 'b1')).toEqual({ written: 1, ignored: 0 });
      expect(await store.get('g_fail', 'a')).toBeNull();
    });

    it('applies a staged batch of 20,000 entries', async () => {
      const many = Array.from({ length: 20_000 }, (_, i) => e(`k${i}`, now, `{"i":${i}}`));
      await store.stage('g_stmany', 'big', many);
      expect(await store.get('g_stmany', 'k0')).toBeNull();
      expect(await store.applyBatch('g_stmany', 'big')).toEqual({ written: 20_000, ignored: 0 });
      expect((await store.get('g_stmany', 'k19999'))?.payload).toBe('{"i":19999}');
    });
  });
}
