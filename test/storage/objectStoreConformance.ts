import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { OfflineStore } from '../../src/features/OfflineStore.js';
import type { ObjectStore } from '../../src/storage/ObjectStore.js';
import type { FeatureGroup } from '../../src/features/types.js';

/** What a backend's test hands the suite: a fresh, empty storage and a scratch folder for local files. */
export interface ObjectStoreUnderTest {
  storage: ObjectStore;
  /** A writable folder outside the storage, for files to put. */
  scratch: string;
  /** Opens a second storage on the same files, with no local copies (a remote backend downloads them again). */
  reopen(): Promise<ObjectStore>;
}

async function refusal(p: Promise<unknown>): Promise<SluiceError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SluiceError);
  return e as SluiceError;
}

const group = (name: string): FeatureGroup => ({
  name,
  recordIdentifier: 'id',
  eventTime: 't',
  features: [
    { name: 'id', type: 'integral' },
    { name: 't', type: 'timestamp' },
    { name: 'v', type: 'fractional' },
  ],
  description: '',
  tags: {},
  ttlSeconds: null,
  version: 1,
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z',
  history: [],
});

/**
 * The one conformance suite every object-store backend (src/storage/) passes: write, read back,
 * copy out, list, append and replace, partitions written by the offline store and read by
 * DuckDB, nothing visible after a failed write, and keys that would leave the store refused.
 * Each test uses its own prefix, so the tests do not see each other's files.
 */
export function runObjectStoreConformance(name: string, open: () => Promise<ObjectStoreUnderTest>): void {
  describe(`object store conformance: ${name}`, () => {
    let u: ObjectStoreUnderTest;
    let n = 0;
    /** A local file with this content, ready to be put (and consumed). */
    const local = (content: string): string => {
      const f = join(u.scratch, `put-${n++}.bin`);
      writeFileSync(f, content);
      return f;
    };
    beforeAll(async () => {
      u = await open();
    });
    afterAll(async () => {
      await u?.storage.close();
    });

    it('puts a file under a key, consuming the local file, and reads back the same bytes', async () => {
      const f = local('first batch');
      await u.storage.putFile(f, 'put/event_date=2024-01-01/a_0.parquet');
      expect(existsSync(f)).toBe(false);
      expect(readFileSync(await u.storage.localPath('put/event_date=2024-01-01/a_0.parquet'), 'utf8')).toBe('first batch');
      expect(u.storage.describe('put/event_date=2024-01-01/a_0.parquet')).toContain('put/event_date=2024-01-01/a_0.parquet');
    });

    it('keeps the local file when asked, and copies an object out to a local path (no cache)', async () => {
      const f = local('kept');
      await u.storage.putFile(f, 'keep/run-1/report.html', { keep: true });
      expect(readFileSync(f, 'utf8')).toBe('kept');
      const again = await u.reopen();
      try {
        const dest = join(u.scratch, 'out', 'copy.html');
        await again.getFile('keep/run-1/report.html', dest);
        expect(readFileSync(dest, 'utf8')).toBe('kept');
        const e = await refusal(again.getFile('keep/run-1/missing.html', join(u.scratch, 'out', 'missing.html')));
        expect(e.code).toBe('OBJECT_STORE_ERROR');
        expect(e.message).toContain('keep/run-1/missing.html');
        expect(existsSync(join(u.scratch, 'out', 'missing.html'))).toBe(false);
      } finally {
        await again.close();
      }
    });

    it('lists the files under a prefix, sorted, with their times; not other groups, not staging', async () => {
      const before = Date.now() - 5_000;
      await u.storage.putFile(local('2'), 'list/event_date=2024-01-02/b_0.parquet');
      await u.storage.putFile(local('1'), 'list/event_date=2024-01-01/b_0.parquet');
      await u.storage.putFile(local('x'), 'list_other/event_date=2024-01-01/b_0.parquet');
      // A write in flight: its staging folder holds a file that is not in the store yet.
      const staging = join(u.storage.stagingDir('list'), '.staging-abc-1-00');
      mkdirSync(join(staging, 'event_date=2024-01-03'), { recursive: true });
      writeFileSync(join(staging, 'event_date=2024-01-03', 'c_0.parquet'), 'in flight');
      const listed = await u.storage.list('list/');
      expect(listed.map((f) => f.key)).toEqual(['list/event_date=2024-01-01/b_0.parquet', 'list/event_date=2024-01-02/b_0.parquet']);
      for (const f of listed) expect(f.modifiedAt).toBeGreaterThan(before);
      expect(await u.storage.list('no_such_group/')).toEqual([]);
    });

    it('appends: a new key adds a file; the same key again replaces it whole (a retried batch)', async () => {
      await u.storage.putFile(local('one'), 'append/event_date=2024-01-01/a_0.parquet');
      await u.storage.putFile(local('two'), 'append/event_date=2024-01-01/b_0.parquet');
      await u.storage.putFile(local('one, retried'), 'append/event_date=2024-01-01/a_0.parquet');
      expect((await u.storage.list('append/')).map((f) => f.key)).toEqual([
        'append/event_date=2024-01-01/a_0.parquet',
        'append/event_date=2024-01-01/b_0.parquet',
      ]);
      expect(readFileSync(await u.storage.localPath('append/event_date=2024-01-01/a_0.parquet'), 'utf8')).toBe('one, retried');
      const again = await u.reopen();
      try {
        expect(readFileSync(await again.localPath('append/event_date=2024-01-01/a_0.parquet'), 'utf8')).toBe('one, retried');
      } finally {
        await again.close();
      }
    });

    it('holds the partitions the offline store writes, which DuckDB reads back through the views', async () => {
      const engine = await Engine.open();
      try {
        const g = group('parts');
        await engine.exec(`CREATE TEMP TABLE batch AS SELECT * FROM (VALUES
          (1, TIMESTAMP '2024-01-01 10:00:00', 1.5, TIMESTAMP '2024-02-01 00:00:00', TIMESTAMP '2024-02-01 00:00:00', false),
          (2, TIMESTAMP '2024-01-02 11:00:00', 2.5, TIMESTAMP '2024-02-01 00:00:00', TIMESTAMP '2024-02-01 00:00:00', false),
          (1, TIMESTAMP '2024-01-03 12:00:00', 3.5, TIMESTAMP '2024-02-01 00:00:00', TIMESTAMP '2024-02-01 00:00:00', false))
          AS b(id, t, v, write_time, api_invocation_time, is_deleted)`);
        const store = new OfflineStore(u.storage);
        const keys = await store.writeBatch(engine, 'batch', g, 'batch-1');
        expect(keys.map((k) => k.replace(/\/[^/]+$/, ''))).toEqual([
          'parts/event_date=2024-01-01',
          'parts/event_date=2024-01-02',
          'parts/event_date=2024-01-03',
        ]);
        expect((await u.storage.list('parts/')).map((f) => f.key)).toEqual(keys);
        // Written again under the same batch id (a retry): the same keys, nothing doubled.
        expect(await store.writeBatch(engine, 'batch', g, 'batch-1')).toEqual(keys);
        expect((await u.storage.list('parts/')).map((f) => f.key)).toEqual(keys);
        const reader = new OfflineStore(await u.reopen());
        try {
          await reader.registerViews(engine, g, keys);
          expect(await engine.query('SELECT id, v FROM parts_latest ORDER BY id')).toEqual([
            { id: 1, v: 3.5 },
            { id: 2, v: 2.5 },
          ]);
          expect(await engine.query('SELECT count(*)::INTEGER AS n FROM parts')).toEqual([{ n: 3 }]);
        } finally {
          await reader.storage.close();
        }
      } finally {
        engine.close();
      }
    });

    it('a failed write leaves nothing visible and says which file', async () => {
      const e = await refusal(u.storage.putFile(join(u.scratch, 'never-written.bin'), 'failed/event_date=2024-01-01/a_0.parquet'));
      expect(e.code).toBe('OBJECT_STORE_ERROR');
      expect(e.message).toContain('failed/event_date=2024-01-01/a_0.parquet');
      expect(await u.storage.list('failed/')).toEqual([]);
    });

    it('reading a file that is not there is a clear error naming it', async () => {
      const e = await refusal(u.storage.localPath('missing/event_date=2024-01-01/a_0.parquet'));
      expect(e.code).toBe('OBJECT_STORE_ERROR');
      expect(e.message).toContain('missing/event_date=2024-01-01/a_0.parquet');
    });

    it('removes files (a missing one is no error); they are no longer listed or readable', async () => {
      await u.storage.putFile(local('a'), 'remove/event_date=2024-01-01/a_0.parquet');
      await u.storage.putFile(local('b'), 'remove/event_date=2024-01-01/b_0.parquet');
      await u.storage.remove(['remove/event_date=2024-01-01/a_0.parquet', 'remove/event_date=2024-01-01/never_0.parquet']);
      expect((await u.storage.list('remove/')).map((f) => f.key)).toEqual(['remove/event_date=2024-01-01/b_0.parquet']);
      expect((await refusal(u.storage.localPath('remove/event_date=2024-01-01/a_0.parquet'))).code).toBe('OBJECT_STORE_ERROR');
    });

    it('refuses a key that would leave the store, before touching anything', async () => {
      for (const key of ['../escape.parquet', 'g/../../escape.parquet', '/abs.parquet', 'g//a.parquet', '', 'g/./a.parquet', 'g\\..\\a.parquet']) {
        const f = local('bad');
        const e = await refusal(u.storage.putFile(f, key));
        expect(e.code, key).toBe('OBJECT_STORE_BAD_KEY');
        expect(e.hint).toContain('event_date=');
        expect(existsSync(f), key).toBe(true);
        expect((await refusal(u.storage.localPath(key))).code, key).toBe('OBJECT_STORE_BAD_KEY');
        expect((await refusal(u.storage.remove([key]))).code, key).toBe('OBJECT_STORE_BAD_KEY');
        expect((await refusal(u.storage.getFile(key, join(u.scratch, 'got')))).code, key).toBe('OBJECT_STORE_BAD_KEY');
      }
      expect((await refusal(u.storage.list('../'))).code).toBe('OBJECT_STORE_BAD_KEY');
      expect(existsSync(join(u.scratch, '..', 'escape.parquet'))).toBe(false);
    });
  });
}
