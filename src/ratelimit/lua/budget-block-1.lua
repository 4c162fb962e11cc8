--[[
  Blocks a budget until now + ARGV[1] ms (the vendor refused for lack of budget). A later, longer block
  wins; a shorter one never shortens an existing block.

  Input:
    KEYS[1] budget hash
    ARGV[1] block length, ms
    ARGV[2] key lifetime, ms (at least the window, so the block is not lost with an idle key)
  Output: epoch ms until which the budget is blocked
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local existing = tonumber(redis.call('HGET', KEYS[1], 'blocked') or '0')
if existing > untilMs then
  untilMs = existing
end
redis.call('HSET', KEYS[1], 'blocked', untilMs)
local ttl = redis.call('PTTL', KEYS[1])
local wanted = math.max(tonumber(ARGV[2]), untilMs - now)
if ttl < wanted then
  redis.call('PEXPIRE', KEYS[1], wanted)
end
return untilMs
