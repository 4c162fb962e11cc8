--[[
  The vendor refused for lack of budget and did not say until when (a spent daily allocation answered
  without Retry-After, its window rolling). Instead of a fixed lockout, hold the budget on a growing
  probe schedule: first, 2 × first, 4 × first … capped at max. When the hold runs out, budget-take-1
  lets exactly one caller through to probe.

  Only a refused probe (or the first refusal) moves the schedule on: calls that were already in flight
  when the vendor started refusing come back refused too, and must not push the next probe out.

  Input:
    KEYS[1] budget hash
    ARGV[1] first hold, ms
    ARGV[2] longest hold, ms
    ARGV[3] key lifetime, ms (at least the window, so the schedule is not lost with an idle key)
    ARGV[4] 1 when the refused call was the probe, else 0
  Output: { ms until the next probe, probes refused in a row (the level) }
]]
local key = KEYS[1]
local first = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local level = tonumber(redis.call('HGET', key, 'plevel') or '0')
if level == 0 or ARGV[4] == '1' then
  level = level + 1
  redis.call('HSET', key, 'plevel', level)
  redis.call('HDEL', key, 'probing')
else
  -- A late refusal of a call admitted before the hold: the schedule stands.
  local blocked = tonumber(redis.call('HGET', key, 'blocked') or '0')
  local probing = tonumber(redis.call('HGET', key, 'probing') or '0')
  return { math.max(blocked - now, probing - now, 1), level }
end

local hold = math.min(first * 2 ^ math.min(level - 1, 40), cap)
local untilMs = now + hold
local existing = tonumber(redis.call('HGET', key, 'blocked') or '0')
if existing > untilMs then
  untilMs = existing
end
redis.call('HSET', key, 'blocked', untilMs)
local ttl = redis.call('PTTL', key)
local wanted = math.max(tonumber(ARGV[3]), untilMs - now)
if ttl < wanted then
  redis.call('PEXPIRE', key, wanted)
end
return { untilMs - now, level }
