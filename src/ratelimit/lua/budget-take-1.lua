--[[
  Takes `cost` units from a sliding-window budget, or says how long until they are available.

  The window is split into `buckets` sub-buckets kept in one hash (field = bucket number, value =
  units taken). Every bucket overlapping (now - window, now] counts in full, so the count over-estimates
  and any true sliding window of length `window` admits at most `limit`: a window boundary never lets
  twice the limit through (a fixed window would).

  The clock is Redis's own TIME, so callers in different processes and hosts share one clock.

  Input:
    KEYS[1] budget hash
    ARGV[1] window length, ms
    ARGV[2] number of buckets per window
    ARGV[3] configured limit (used unless the vendor told us its own, field `vlimit`)
    ARGV[4] share of the limit this caller may NOT use (interactive reserve, 0..1; 0 for interactive)
    ARGV[5] cost (units to take)
    ARGV[6] probe lease, ms: how long the caller granted a probe holds the probe slot
    ARGV[7] optional, 1 = dry run: answer as a take of `cost` would, but take nothing, grant no probe
            slot and leave every field as it is (what a caller sizes work by before it claims any)

  Output: { allowed (1 taken | 0 refused | 2 probe), remaining after this call, retryAfterMs (-1:
  never), nowMs, bucket taken (-1) }

  A dry run answers with what is left BEFORE any take (`remaining` = limit - used) and allowed 1 or 2
  where the take would have been granted.

  Allowed 2: the vendor refused for lack of budget without saying until when (`budget-backoff-1`), the
  hold has run out, and this caller is the one that checks whether the vendor serves again. Nothing is
  taken from the count (the vendor, not our count, is the authority until it answers); the caller
  reports the probe's outcome (`budget-reopen-1`, `budget-backoff-1`, or HDEL `probing`).

  Fields: <bucket number> = units; `blocked` = epoch ms until which the vendor refused us; `vlimit` =
  limit the vendor reported; `plevel` = probes refused in a row (present while probing); `probing` =
  epoch ms until which a granted probe holds the slot.
]]
local key = KEYS[1]
local window = tonumber(ARGV[1])
local nbuckets = tonumber(ARGV[2])
local reserve = tonumber(ARGV[4])
local cost = tonumber(ARGV[5])
local dry = ARGV[7] == '1'

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local width = math.ceil(window / nbuckets)
local current = math.floor(now / width)
local oldest = math.floor((now - window) / width)

local limit = tonumber(redis.call('HGET', key, 'vlimit') or ARGV[3])
limit = math.floor(limit * (1 - reserve))

local blocked = tonumber(redis.call('HGET', key, 'blocked') or '0')
if blocked > now then
  return { 0, 0, blocked - now, now, -1 }
end

if redis.call('HEXISTS', key, 'plevel') == 1 then
  -- One caller at a time probes; the others wait for its answer.
  local probing = tonumber(redis.call('HGET', key, 'probing') or '0')
  if probing > now then
    return { 0, 0, probing - now, now, -1 }
  end
  if dry then
    return { 2, 0, 0, now, -1 }
  end
  redis.call('HSET', key, 'probing', now + tonumber(ARGV[6]))
  return { 2, 0, 0, now, -1 }
end

local flat = redis.call('HGETALL', key)
local used = 0
local live = {}
local stale = {}
for i = 1, #flat, 2 do
  local b = tonumber(flat[i])
  if b then
    if b >= oldest then
      local n = tonumber(flat[i + 1])
      used = used + n
      table.insert(live, { b, n })
    else
      table.insert(stale, flat[i])
    end
  end
end
if #stale > 0 and not dry then
  redis.call('HDEL', key, unpack(stale))
end

if dry and used + cost <= limit then
  return { 1, limit - used, 0, now, -1 }
end

if used + cost <= limit then
  redis.call('HINCRBY', key, tostring(current), cost)
  redis.call('PEXPIRE', key, window + 2 * width)
  return { 1, limit - used - cost, 0, now, current }
end

if cost > limit then
  return { 0, math.max(limit - used, 0), -1, now, -1 }
end

-- Free buckets oldest first until enough units leave the window; bucket b stops counting once
-- now - window >= (b + 1) * width.
table.sort(live, function(a, b) return a[1] < b[1] end)
local need = used + cost - limit
local freed = 0
local retry = window
for _, entry in ipairs(live) do
  freed = freed + entry[2]
  if freed >= need then
    retry = (entry[1] + 1) * width + window - now
    break
  end
end
return { 0, math.max(limit - used, 0), math.max(retry, 1), now, -1 }
