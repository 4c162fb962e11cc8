--[[
  Releases a lock only if the caller still owns it: a holder whose lock expired must not delete the
  lock a second process has taken since.

  Input:
    KEYS[1] lock key
    ARGV[1] owner token the caller set with SET NX PX
  Output: 1 when released, 0 when the lock was not (or no longer) the caller's
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
