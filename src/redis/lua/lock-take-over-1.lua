--[[
  Takes a lock over from a holder the caller found dead: only if it still holds the value the caller
  read (a holder that released it meanwhile, or a new holder, keeps theirs).

  Input:
    KEYS[1] lock key
    ARGV[1] the dead holder's owner token, as read
    ARGV[2] the caller's new owner token
    ARGV[3] TTL in milliseconds
  Output: 1 when taken over, 0 when the lock no longer held that value
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
