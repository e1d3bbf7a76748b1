import { Redis } from 'ioredis';
import type { OnlineEntry, OnlineKey, OnlinePutResult, OnlineStore, StagedBatch } from './OnlineStore.js';

/**
 * Writes a record unless the stored live one is newer. KEYS[1] record hash; ARGV: event time,
 * expires at ('' for never), payload, deleted flag, now. The comparison and the write are one
 * script, so concurrent writers cannot interleave between them. Returns 1 when written.
 */
const PUT_SCRIPT = `
local t = redis.call('HGET', KEYS[1], 't')
if t then
  local x = redis.call('HGET', KEYS[1], 'x')
  local live = (x == false or x == '' or tonumber(x) > tonumber(ARGV[5]))
  if live and tonumber(t) > tonumber(ARGV[1]) then return 0 end
end
local wasLive = 0
if t and redis.call('HGET', KEYS[1], 'd') == '0' then
  local x = redis.call('HGET', KEYS[1], 'x')
  if x == false or x == '' or tonumber(x) > tonumber(ARGV[5]) then wasLive = 1 end
end
redis.call('HSET', KEYS[1], 't', ARGV[1], 'x', ARGV[2], 'p', ARGV[3], 'd', ARGV[4])
if ARGV[2] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) else redis.call('PERSIST', KEYS[1]) end
return 1 + wasLive
`;

/**
 * Applies a staged batch atomically (one script: Redis runs nothing else meanwhile). KEYS[1]
 * the staging list, KEYS[2] the index of staged batches; ARGV: record key prefix of the group,
 * now, the batch's field in the index. Each list item is a JSON array [id, t, x, d, payload]
 * applied with the same older-write rule as PUT_SCRIPT, in staging order. Returns
 * {written, total}.
 */
const APPLY_SCRIPT = `
local now = tonumber(ARGV[2])
local written, total = 0, 0
local len = redis.call('LLEN', KEYS[1])
for from = 0, len - 1, 1000 do
  local items = redis.call('LRANGE', KEYS[1], from, from + 999)
  for _, item in ipairs(items) do
    local e = cjson.decode(item)
    local key = ARGV[1] .. e[1]
    total = total + 1
    local t = redis.call('HGET', key, 't')
    local older = false
    if t then
      local x = redis.call('HGET', key, 'x')
      local live = (x == false or x == '' or tonumber(x) > now)
      if live and tonumber(t) > tonumber(e[2]) then older = true end
    end
    if not older then
      redis.call('HSET', key, 't', e[2], 'x', e[3], 'p', e[5], 'd', e[4])
      if e[3] ~= '' then redis.call('PEXPIREAT', key, e[3]) else redis.call('PERSIST', key) end
      written = written + 1
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[3])
return {written, total}
`;

/**
 * The Redis online store: one hash per record (`<prefix><group>:<id>` with fields t, x, p, d).
 * Expiring records also get a Redis expiry, so memory is reclaimed without a sweeper.
 *
 * A batch is staged in a list (`<prefix>~stage:<group>:<batch id>`, listed in the hash
 * `<prefix>~staged`; `~` cannot start a group name, so these never collide with records) and
 * applied by one Lua script after the registry commit. Until then readers see none of it.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly type = 'redis';
  private readonly redis: Redis;
  private readonly prefix: string;
  readonly commitsWithRegistry = false;

  constructor(options: { url?: string; keyPrefix?: string; clock?: () => number } = {}) {
    this.redis = new Redis(options.url ?? 'redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 2 });
    // Connection errors reach callers through their commands; without a listener ioredis logs them.
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('sluicePut', { numberOfKeys: 1, lua: PUT_SCRIPT });
    this.redis.defineCommand('sluiceApply', { numberOfKeys: 2, lua: APPLY_SCRIPT });
    this.prefix = options.keyPrefix ?? 'sluice:fs:';
    this.clock = options.clock ?? Date.now;
  }

  private readonly clock: () => number;

  private key(group: string, id: string): string {
    return `${this.prefix}${group}:${id}`;
  }

  private run(key: string, e: { eventTime: number; expiresAt: number | null; payload: string }, deleted: boolean, now: number): Promise<number> {
    const cmd = (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>).sluicePut!;
    return cmd.call(this.redis, key, e.eventTime, e.expiresAt ?? '', e.payload, deleted ? '1' : '0', now);
  }

  async put(group: string, entries: readonly OnlineEntry[]): Promise<OnlinePutResult> {
    const now = this.clock();
    let written = 0;
    const chunk = 5000;
    for (let i = 0; i < entries.length; i += chunk) {
      const p = this.redis.pipeline();
      for (const e of entries.slice(i, i + chunk)) {
        (p as unknown as Record<string, (...a: unknown[]) => unknown>).sluicePut!(this.key(group, e.id), e.eventTime, e.expiresAt ?? '', e.payload, '0', now);
      }
      for (const [err, res] of (await p.exec()) ?? []) {
        if (err) throw err;
        if (Number(res) > 0) written += 1;
      }
    }
    return { written, ignored: entries.length - written };
  }

  private decode(id: string, h: Record<string, string> | null, now: number): OnlineEntry | null {
    if (!h || h.t === undefined || h.d !== '0') return null;
    const expiresAt = h.x ? Number(h.x) : null;
    if (expiresAt !== null && expiresAt <= now) return null;
    return { id, eventTime: Number(h.t), expiresAt, payload: h.p ?? '' };
  }

  async get(group: string, id: string): Promise<OnlineEntry | null> {
    return this.decode(id, await this.redis.hgetall(this.key(group, id)), this.clock());
  }

  async batchGet(keys: readonly OnlineKey[]): Promise<Array<OnlineEntry | null>> {
    if (keys.length === 0) return [];
    const p = this.redis.pipeline();
    for (const k of keys) p.hgetall(this.key(k.group, k.id));
    const res = (await p.exec()) ?? [];
    const now = this.clock();
    return keys.map((k, i) => {
      const [err, h] = res[i] ?? [null, null];
      if (err) throw err;
      return this.decode(k.id, h as Record<string, string>, now);
    });
  }

  async delete(group: string, id: string, eventTime: number): Promise<boolean> {
    const r = await this.run(this.key(group, id), { eventTime, expiresAt: null, payload: '' }, true, this.clock());
    return Number(r) === 2;
  }

  private stageKey(group: string, batchId: string): string {
    return `${this.prefix}~stage:${group}:${batchId}`;
  }

  private get indexKey(): string {
    return `${this.prefix}~staged`;
  }

  /** The batch's field in the index: JSON, so any group or batch id round-trips. */
  private indexField(group: string, batchId: string): string {
    return JSON.stringify([group, batchId]);
  }

  async stage(group: string, batchId: string, entries: readonly OnlineEntry[], options: { deleted?: boolean } = {}): Promise<void> {
    const list = this.stageKey(group, batchId);
    const d = options.deleted ? '1' : '0';
    await this.redis.hsetnx(this.indexKey, this.indexField(group, batchId), String(this.clock()));
    const chunk = 5000;
    for (let i = 0; i < entries.length; i += chunk) {
      const items = entries.slice(i, i + chunk).map((e) =>
        JSON.stringify([e.id, String(e.eventTime), options.deleted || e.expiresAt === null ? '' : String(e.expiresAt), d, options.deleted ? '' : e.payload]),
      );
      if (items.length) await this.redis.rpush(list, ...items);
    }
  }

  async applyBatch(group: string, batchId: string, commit?: () => void): Promise<OnlinePutResult> {
    // The registry commit is the commit point; a crash before the script runs is completed by FeatureStore.recover.
    commit?.();
    const cmd = (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<[number, number]>>).sluiceApply!;
    const [written, total] = await cmd.call(this.redis, this.stageKey(group, batchId), this.indexKey, `${this.prefix}${group}:`, this.clock(), this.indexField(group, batchId));
    return { written: Number(written), ignored: Number(total) - Number(written) };
  }

  async discardBatch(group: string, batchId: string): Promise<void> {
    await this.redis.multi().del(this.stageKey(group, batchId)).hdel(this.indexKey, this.indexField(group, batchId)).exec();
  }

  async stagedBatches(): Promise<StagedBatch[]> {
    const all = await this.redis.hgetall(this.indexKey);
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
