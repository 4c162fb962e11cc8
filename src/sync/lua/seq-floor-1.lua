--[[
  Raises a tenant's sequence counter to at least a floor (the highest number the store holds), after
  Redis lost the counter: numbers are never reused.

  Input:
    KEYS[1] the tenant's sequence counter
    ARGV[1] floor
  Output: the counter afterwards
]]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if current < floor then
  redis.call('SET', KEYS[1], floor)
  return floor
end
return current
