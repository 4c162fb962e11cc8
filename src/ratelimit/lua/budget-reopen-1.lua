--[[
  A probe was served: the vendor answers again. Ends the probe schedule (budget-backoff-1) and, when
  the probe's headers said how much of the allocation is used, makes that our count: during the
  refusals the vendor, not our count, was the authority, and a count left full by the outage would
  otherwise keep refusing for the rest of its window.

  Input:
    KEYS[1] budget hash
    ARGV[1] window length, ms
    ARGV[2] number of buckets per window
    ARGV[3] configured limit (used unless the vendor told us its own, field `vlimit`)
    ARGV[4] remaining according to the vendor, or "" when its headers did not say
    ARGV[5] limit according to the vendor, or "" when it did not say
  Output: 1 when the budget was probing, else 0
]]
local key = KEYS[1]
local was = redis.call('HEXISTS', key, 'plevel')
redis.call('HDEL', key, 'plevel', 'probing', 'blocked')
if ARGV[4] == '' then
  return was
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local width = math.ceil(window / tonumber(ARGV[2]))
if ARGV[5] ~= '' then
  redis.call('HSET', key, 'vlimit', ARGV[5])
end
local limit = tonumber(redis.call('HGET', key, 'vlimit') or ARGV[3])
local flat = redis.call('HGETALL', key)
local buckets = {}
for i = 1, #flat, 2 do
  if tonumber(flat[i]) then
    table.insert(buckets, flat[i])
  end
end
if #buckets > 0 then
  redis.call('HDEL', key, unpack(buckets))
end
local used = math.max(limit - tonumber(ARGV[4]), 0)
if used > 0 then
  redis.call('HSET', key, tostring(math.floor(now / width)), used)
end
redis.call('PEXPIRE', key, window + 2 * width)
return was
