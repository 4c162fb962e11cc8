--[[
  The next fencing number of a sync lock: one above both the counter and the highest number the store
  holds (the floor), so numbers only grow even after Redis lost the counter.

  Input:
    KEYS[1] the lock's fence counter
    ARGV[1] floor: the fence stored with the state the lock guards (0 when none)
  Output: the new fencing number
]]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if current < floor then
  redis.call('SET', KEYS[1], floor)
end
return redis.call('INCR', KEYS[1])
