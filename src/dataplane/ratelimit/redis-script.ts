/**
 * The Redis side of a take: bucket.ts's arithmetic as one Lua script, so read, refill, take and write happen
 * atomically in Redis whatever the number of dataplane replicas. The time is the caller's (ARGV), not Redis's, so
 * replicas and tests agree on it exactly; replicas' clocks must be in sync (NTP), as for any token bucket.
 * KEYS[1] = the bucket; ARGV = requests, intervalMs, burst, hits, nowMs, ttlMs.
 * Returns { allowed (0|1), tokens left, ms until the next fill }.
 */

/** The script. */
export const TAKE_SCRIPT = `
local requests = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local hits = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local max = requests + burst
local state = redis.call('HMGET', KEYS[1], 't', 'f')
local tokens = tonumber(state[1])
local fillAt = tonumber(state[2])
if tokens == nil or fillAt == nil then
  tokens = max
  fillAt = now
end
local elapsed = now - fillAt
if elapsed < 0 then elapsed = 0 end
local fills = math.floor(elapsed / interval)
if fills > 0 then
  tokens = math.min(max, tokens + fills * requests)
  fillAt = fillAt + fills * interval
end
local allowed = 0
if tokens >= hits then
  tokens = tokens - hits
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', string.format('%.0f', tokens), 'f', string.format('%.0f', fillAt))
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
return { allowed, tokens, fillAt + interval - now }
`;
