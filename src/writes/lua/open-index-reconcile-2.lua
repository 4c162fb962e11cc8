--[[
  Brings one connection's open-operations index (a hash: field = operation id, value = the entry as
  JSON with `u`, the operation's updatedAt in epoch ms) in line with a read of the store, and marks the
  index ready. Writers keep the index current as they change operations; this only repairs what a crash
  between a store write and its index write, or a lost Redis, left behind — never overwriting a newer
  entry with an older reading.

  Input:
    KEYS[1] the index hash
    KEYS[2] the ready marker
    ARGV[1] when the store read started (epoch ms)
    ARGV[2] how long the marker lives (ms): the reconciler renews it on every run
    ARGV[3] margin (ms): an entry is taken for one the store no longer holds open only when it is
            older than the read by more than this (a write stored just before the read may not be in it)
    ARGV[4..] pairs: operation id, entry JSON — every open operation the read found

  Output: { entries added, entries replaced by a newer reading, entries removed }
]]
local hash = KEYS[1]
local readAt = tonumber(ARGV[1])
local margin = tonumber(ARGV[3])

local scanned = {}
local added, replaced, removed = 0, 0, 0
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local entry = ARGV[i + 1]
  scanned[id] = true
  local current = redis.call('HGET', hash, id)
  if not current then
    redis.call('HSET', hash, id, entry)
    added = added + 1
  elseif current ~= entry then
    local ok, have = pcall(cjson.decode, current)
    local want = cjson.decode(entry)
    if not ok or type(have) ~= 'table' or (tonumber(have.u) or 0) < (tonumber(want.u) or 0) then
      redis.call('HSET', hash, id, entry)
      replaced = replaced + 1
    end
  end
end

local all = redis.call('HGETALL', hash)
for i = 1, #all, 2 do
  local id = all[i]
  if not scanned[id] then
    local ok, have = pcall(cjson.decode, all[i + 1])
    if not ok or type(have) ~= 'table' or (tonumber(have.u) or 0) < readAt - margin then
      redis.call('HDEL', hash, id)
      removed = removed + 1
    end
  end
end

redis.call('SET', KEYS[2], readAt, 'PX', tonumber(ARGV[2]))
return { added, replaced, removed }
