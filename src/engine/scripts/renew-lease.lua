--[[
  Renews a lease only while its holder still owns it (a lease that expired and was taken by another stays theirs).

  KEYS[1]  the lease key
  ARGV[1]  the holder's token
  ARGV[2]  the lease's time to live in ms
  Returns  1 when renewed, 0 when the lease is not this holder's
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
