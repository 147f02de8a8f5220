--[[
  Gives a lease back, only if this holder still owns it.

  KEYS[1]  the lease key
  ARGV[1]  the holder's token
  Returns  1 when released, 0 when the lease is not this holder's
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
