--[[
  Corrects a budget from what the vendor says is left. Only ever lowers what we think is left (adds
  units to the current bucket): our own count may be ahead of the vendor's headers, which lag, and other
  clients of the same vendor account spend the same allocation without telling us.

  Input:
    KEYS[1] budget hash
    ARGV[1] window length, ms
    ARGV[2] number of buckets per window
    ARGV[3] configured limit
    ARGV[4] remaining according to the vendor
    ARGV[5] limit according to the vendor, or "" when it did not say

  Output: { units added, remaining by our count after the correction }
]]
local key = KEYS[1]
local window = tonumber(ARGV[1])
local nbuckets = tonumber(ARGV[2])
local remaining = tonumber(ARGV[4])

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local width = math.ceil(window / nbuckets)
local current = math.floor(now / width)
local oldest = math.floor((now - window) / width)

if ARGV[5] ~= '' then
  -- The vendor's own limit replaces the configured default (an account on a higher plan may have 190
  -- per 10 s, not 100) for as long as the budget key lives.
  redis.call('HSET', key, 'vlimit', ARGV[5])
end
local limit = tonumber(redis.call('HGET', key, 'vlimit') or ARGV[3])

local flat = redis.call('HGETALL', key)
local used = 0
for i = 1, #flat, 2 do
  local b = tonumber(flat[i])
  if b and b >= oldest then
    used = used + tonumber(flat[i + 1])
  end
end

local add = (limit - remaining) - used
if add > 0 then
  redis.call('HINCRBY', key, tostring(current), add)
else
  add = 0
end
redis.call('PEXPIRE', key, window + 2 * width)
return { add, math.max(limit - used - add, 0) }
