/**
 * The Lua scripts of the Redis online store. Each runs atomically in Redis. A record is a hash:
 * the committed slot (`t` event time, `x` expires at or '', `p` payload, `d` '1' for a
 * tombstone) and, while batches are in flight, one field `b:<batch key>` per batch that staged an
 * entry for it (JSON `[t, x, d, p]`). A staged entry counts once the key `<prefix>~batch:<batch
 * key>` (its commit sequence number) exists; promotion moves it into the committed slot.
 *
 * The older-write rule, everywhere: an entry is ignored when the current record is live (not
 * expired at `now`) and newer than it; equal or newer overwrites.
 */

/** `older(cur_t, cur_x, t, now)`: true when an entry with event time t must be ignored. */
const OLDER = `
local function older(cur_t, cur_x, t, now)
  if not cur_t then return false end
  local live = (cur_x == false or cur_x == nil or cur_x == '' or tonumber(cur_x) > now)
  return live and tonumber(cur_t) > tonumber(t)
end
`;

/** Sets the key's expiry from its committed slot, unless other batches have entries staged on it (they must survive). */
const EXPIRY = `
local function expiry(key)
  if redis.call('HLEN', key) > 4 then redis.call('PERSIST', key) return end
  local x = redis.call('HGET', key, 'x')
  if x and x ~= '' then redis.call('PEXPIREAT', key, x) else redis.call('PERSIST', key) end
end
`;

/**
 * A direct write. KEYS[1] record; ARGV: event time, expires at ('' never), payload, deleted
 * flag, now. Returns 0 ignored, 1 written, 2 written over a live record.
 */
export const PUT_SCRIPT = `${OLDER}${EXPIRY}
local now = tonumber(ARGV[5])
local t = redis.call('HGET', KEYS[1], 't')
local x = redis.call('HGET', KEYS[1], 'x')
if older(t, x, ARGV[1], now) then return 0 end
local wasLive = 0
if t and redis.call('HGET', KEYS[1], 'd') == '0' and (x == false or x == '' or tonumber(x) > now) then wasLive = 1 end
redis.call('HSET', KEYS[1], 't', ARGV[1], 'x', ARGV[2], 'p', ARGV[3], 'd', ARGV[4])
expiry(KEYS[1])
return 1 + wasLive
`;

/**
 * A read. KEYS[1] record; ARGV: now, marker key prefix (`<prefix>~batch:`). Starts from the
 * committed slot and applies the staged entries of committed batches in commit order. Returns
 * false or [t, x, p, d].
 */
export const GET_SCRIPT = `${OLDER}
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return false end
local now = tonumber(ARGV[1])
local t, x, p, d = false, '', '', '0'
local pending = {}
for i = 1, #h, 2 do
  local f, v = h[i], h[i + 1]
  if f == 't' then t = v elseif f == 'x' then x = v elseif f == 'p' then p = v elseif f == 'd' then d = v
  elseif string.sub(f, 1, 2) == 'b:' then
    local seq = redis.call('GET', ARGV[2] .. string.sub(f, 3))
    if seq then pending[#pending + 1] = { tonumber(seq), v } end
  end
end
if #pending > 1 then table.sort(pending, function(a, b) return a[1] < b[1] end) end
for _, s in ipairs(pending) do
  local e = cjson.decode(s[2])
  if not older(t, x, e[1], now) then t, x, d, p = e[1], e[2], e[3], e[4] end
end
if not t then return false end
return { t, x, p, d }
`;

/** Stages entries. KEYS[1] the batch's id list; ARGV: record key prefix, field, then id, entry pairs. */
export const STAGE_SCRIPT = `
for i = 3, #ARGV, 2 do
  local key = ARGV[1] .. ARGV[i]
  redis.call('HSET', key, ARGV[2], ARGV[i + 1])
  redis.call('PERSIST', key)
  redis.call('RPUSH', KEYS[1], ARGV[i])
end
return 1
`;

/**
 * Promotes (ARGV[4] = '1') or drops ('0') the staged entries of ids LRANGE from..to of KEYS[1].
 * ARGV: record key prefix, field, now, promote, from, to. Returns {written, seen}.
 */
export const SETTLE_SCRIPT = `${OLDER}${EXPIRY}
local now = tonumber(ARGV[3])
local ids = redis.call('LRANGE', KEYS[1], ARGV[5], ARGV[6])
local written = 0
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  local v = redis.call('HGET', key, ARGV[2])
  if v then
    redis.call('HDEL', key, ARGV[2])
    if ARGV[4] == '1' then
      local e = cjson.decode(v)
      if not older(redis.call('HGET', key, 't'), redis.call('HGET', key, 'x'), e[1], now) then
        redis.call('HSET', key, 't', e[1], 'x', e[2], 'd', e[3], 'p', e[4])
        written = written + 1
      end
    end
    if redis.call('EXISTS', key) == 1 then expiry(key) end
  end
end
return { written, #ids }
`;
