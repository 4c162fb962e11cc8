--[[
  Allocates `count` consecutive change-event sequence numbers of one tenant and leases them: until the
  lease is released (the events are stored) or reaped (expired: src/sync/change-log.ts), the tenant's
  watermark stays below the first of them, so no reader passes an event that is not stored yet.

  The events themselves (without their numbers) are stashed beside the lease, so that whoever reaps an
  expired lease can still store an event whose record snapshot already moved on (the appender died
  between the snapshot write and the event insert).

  Input:
    KEYS[1] the tenant's sequence counter
    KEYS[2] the tenant's pending leases (sorted set: score = first number, member = lease)
    KEYS[3] the stash of this lease
    ARGV[1] count (≥ 1)
    ARGV[2] lease time in milliseconds
    ARGV[3] lease token (random, unique)
    ARGV[4] stash (JSON)
  Output: the first allocated number; the lease member is "<first>:<count>:<deadline ms>:<token>"
]]
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local count = tonumber(ARGV[1])
local last = redis.call('INCRBY', KEYS[1], count)
local first = last - count + 1
local deadline = nowMs + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], first, first .. ':' .. count .. ':' .. deadline .. ':' .. ARGV[3])
-- Kept well past the lease: a reaper that comes late still finds it.
redis.call('SET', KEYS[3], ARGV[4], 'PX', tonumber(ARGV[2]) * 20)
return first
