--[[
  Gives back units taken by budget-take-1 when a later budget of the same call refused (the call was
  not made). Only touches a bucket that still exists, and never below zero.

  Input:
    KEYS[1] budget hash
    ARGV[1] bucket number returned by budget-take-1
    ARGV[2] units to give back
  Output: units now in the bucket (0 when it had expired)
]]
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n <= 0 then
  return 0
end
local left = math.max(n - tonumber(ARGV[2]), 0)
redis.call('HSET', KEYS[1], ARGV[1], left)
return left
