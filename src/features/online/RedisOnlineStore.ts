import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { OnlineEntry, OnlineKey, OnlinePutResult, OnlineStore, StagedBatch } from './OnlineStore.js';
import { GET_SCRIPT, PUT_SCRIPT, SETTLE_SCRIPT, STAGE_SCRIPT } from './redisScripts.js';

type Call<T> = (...args: unknown[]) => Promise<T>;

const CHUNK = 500;

/**
 * The Redis online store: one hash per record (`<prefix><group>:<id>`; see `redisScripts.ts`
 * for its fields). Expiring records also get a Redis expiry, so memory is reclaimed without a
 * sweeper.
 *
 * Batches are tagged, not copied: staging writes each entry into its record's hash under the
 * batch's own field, which readers ignore. The commit (after the registry's) is one `SET` of
 * the batch's marker key; from that instant every read applies the batch's entries, and
 * promotion then folds them into the records chunk by chunk without changing what readers see.
 * So no Redis command ever has to touch a whole batch at once, and no reader sees half of one.
 * Other keys: `<prefix>~stage:<batch key>` (the batch's ids), `<prefix>~staged` (index of
 * staged batches), `<prefix>~batch:<batch key>` (marker), `<prefix>~seq` (commit order).
 * `~` cannot start a group name, so they never collide with records.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly type = 'redis';
  readonly commitsWithRegistry = false;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly clock: () => number;

  constructor(options: { url?: string; keyPrefix?: string; clock?: () => number } = {}) {
    this.redis = new Redis(options.url ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 2 });
    // Connection errors reach callers through their commands; without a listener ioredis logs them.
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('sluicePut', { numberOfKeys: 1, lua: PUT_SCRIPT });
    this.redis.defineCommand('sluiceGet', { numberOfKeys: 1, lua: GET_SCRIPT });
    this.redis.defineCommand('sluiceStage', { numberOfKeys: 1, lua: STAGE_SCRIPT });
    this.redis.defineCommand('sluiceSettle', { numberOfKeys: 1, lua: SETTLE_SCRIPT });
    this.prefix = options.keyPrefix ?? 'sluice:fs:';
    this.clock = options.clock ?? Date.now;
  }

  private cmd<T>(name: string, target: unknown = this.redis): Call<T> {
    const fn = (target as Record<string, Call<T>>)[name]!;
    return (...args: unknown[]) => fn.apply(target, args);
  }

  private key(group: string, id: string): string {
    return `${this.prefix}${group}:${id}`;
  }

  /** A short, stable name of a batch of a group (hash fields and keys). */
  private batchKey(group: string, batchId: string): string {
    return createHash('sha256').update(`${group}\0${batchId}`).digest('hex').slice(0, 16);
  }

  private names(group: string, batchId: string) {
    const k = this.batchKey(group, batchId);
    return {
      field: `b:${k}`,
      list: `${this.prefix}~stage:${k}`,
      marker: `${this.prefix}~batch:${k}`,
      index: `${this.prefix}~staged`,
      indexField: JSON.stringify([group, batchId]),
    };
  }

  async put(group: string, entries: readonly OnlineEntry[]): Promise<OnlinePutResult> {
    const now = this.clock();
    let written = 0;
    const chunk = 5000;
    for (let i = 0; i < entries.length; i += chunk) {
      const p = this.redis.pipeline();
      const put = this.cmd<number>('sluicePut', p);
      for (const e of entries.slice(i, i + chunk)) void put(this.key(group, e.id), e.eventTime, e.expiresAt ?? '', e.payload, '0', now);
      for (const [err, res] of (await p.exec()) ?? []) {
        if (err) throw err;
        if (Number(res) > 0) written += 1;
      }
    }
    return { written, ignored: entries.length - written };
  }

  private decode(id: string, r: [string, string, string, string] | null, now: number): OnlineEntry | null {
    if (r?.[3] !== '0') return null;
    const expiresAt = r[1] ? Number(r[1]) : null;
    if (expiresAt !== null && expiresAt <= now) return null;
    return { id, eventTime: Number(r[0]), expiresAt, payload: r[2] };
  }

  async get(group: string, id: string): Promise<OnlineEntry | null> {
    const now = this.clock();
    return this.decode(id, await this.cmd<[string, string, string, string] | null>('sluiceGet')(this.key(group, id), now, `${this.prefix}~batch:`), now);
  }

  async batchGet(keys: readonly OnlineKey[]): Promise<Array<OnlineEntry | null>> {
    if (keys.length === 0) return [];
    const now = this.clock();
    const p = this.redis.pipeline();
    const get = this.cmd('sluiceGet', p);
    for (const k of keys) void get(this.key(k.group, k.id), now, `${this.prefix}~batch:`);
    const res = (await p.exec()) ?? [];
    return keys.map((k, i) => {
      const [err, r] = res[i] ?? [null, null];
      if (err) throw err;
      return this.decode(k.id, r as [string, string, string, string] | null, now);
    });
  }

  async delete(group: string, id: string, eventTime: number): Promise<boolean> {
    const r = await this.cmd<number>('sluicePut')(this.key(group, id), eventTime, '', '', '1', this.clock());
    return Number(r) === 2;
  }

  async stage(group: string, batchId: string, entries: readonly OnlineEntry[], options: { deleted?: boolean } = {}): Promise<void> {
    const n = this.names(group, batchId);
    await this.redis.hsetnx(n.index, n.indexField, String(this.clock()));
    const d = options.deleted ? '1' : '0';
    const chunk = 500;
    for (let i = 0; i < entries.length; i += chunk) {
      const args: string[] = [];
      for (const e of entries.slice(i, i + chunk)) {
        args.push(
          e.id,
          JSON.stringify([String(e.eventTime), options.deleted || e.expiresAt === null ? '' : String(e.expiresAt), d, options.deleted ? '' : e.payload]),
        );
      }
      await this.cmd('sluiceStage')(n.list, `${this.prefix}${group}:`, n.field, ...args);
    }
  }

  async applyBatch(group: string, batchId: string, commit?: () => Promise<void> | void): Promise<OnlinePutResult> {
    // The registry commit is the commit point; a crash before the marker is set is completed by FeatureStore.recover.
    await commit?.();
    const n = this.names(group, batchId);
    if ((await this.redis.exists(n.marker)) === 0) await this.redis.set(n.marker, String(await this.redis.incr(`${this.prefix}~seq`)), 'NX');
    const r = await this.settle(group, n, true);
    await this.redis.multi().del(n.list).hdel(n.index, n.indexField).del(n.marker).exec();
    return r;
  }

  async discardBatch(group: string, batchId: string): Promise<void> {
    const n = this.names(group, batchId);
    await this.settle(group, n, false);
    await this.redis.multi().del(n.list).hdel(n.index, n.indexField).exec();
  }

  /** Promotes (or drops) a batch's staged entries, one chunk of ids per script. */
  private async settle(group: string, n: ReturnType<RedisOnlineStore['names']>, promote: boolean): Promise<OnlinePutResult> {
    const len = await this.redis.llen(n.list);
    let written = 0;
    let seen = 0;
    for (let from = 0; from < len; from += CHUNK) {
      const [w, s] = await this.cmd<[number, number]>('sluiceSettle')(
        n.list,
        `${this.prefix}${group}:`,
        n.field,
        this.clock(),
        promote ? '1' : '0',
        from,
        from + CHUNK - 1,
      );
      written += Number(w);
      seen += Number(s);
    }
    return { written, ignored: seen - written };
  }

  async stagedBatches(): Promise<StagedBatch[]> {
    const all = await this.redis.hgetall(`${this.prefix}~staged`);
    return Object.entries(all)
      .map(([field, at]) => {
        const [group, batchId] = JSON.parse(field) as [string, string];
        return { group, batchId, stagedAt: Number(at) };
      })
      .sort((a, b) => a.stagedAt - b.stagedAt);
  }

  async clearGroup(group: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}${group}:*`, 'COUNT', 1000);
      if (keys.length) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
