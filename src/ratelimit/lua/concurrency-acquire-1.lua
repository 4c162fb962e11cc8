--[[
  Takes one of `limit` slots of a vendor's concurrent-request limit, or says how long until one frees.

  The slots are a sorted set: member = the holder's slot id, score = when its lease ends. A holder
  releases its slot when its call ends (ZREM); a holder that died never does, and its slot is reclaimed
  when the lease ends, so a crash costs a slot for one lease at most. The clock is Redis's TIME, shared
  by every process.

  Input:
    KEYS[1] the slots' sorted set
    ARGV[1] limit (slots)
    ARGV[2] lease, ms
    ARGV[3] the caller's slot id (unique per call)

  Output: { taken (1 | 0), wait ms until the earliest lease ends (0 when taken) }
]]
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + lease, ARGV[3])
  redis.call('PEXPIRE', key, lease)
  return { 1, 0 }
end
local earliest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return { 0, math.max(1, tonumber(earliest[2]) - now) }
