--[[
  Extends a lock's TTL only if the caller still owns it (a holder whose lock expired and passed to
  another process must learn so, not take it back).

  Input:
    KEYS[1] lock key
    ARGV[1] owner token the caller set with SET NX PX
    ARGV[2] new TTL in milliseconds
  Output: 1 when extended, 0 when the lock was not (or no longer) the caller's
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
