--[[
  The tenant's watermark: the highest sequence number below which every event is stored (or its
  number given up with a gap marker), with the leases that have expired and must be reaped first.

  Input:
    KEYS[1] the tenant's sequence counter
    KEYS[2] the tenant's pending leases
  Output: { watermark, expired lease members (at most 20) }
]]
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
local lowest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #lowest == 0 then
  return { counter, {} }
end
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local expired = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, 19)) do
  local deadline = tonumber(string.match(member, '^%d+:%d+:(%d+):'))
  if deadline ~= nil and deadline < nowMs then
    expired[#expired + 1] = member
  end
end
return { tonumber(lowest[2]) - 1, expired }
