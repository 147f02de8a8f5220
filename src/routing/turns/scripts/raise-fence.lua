--[[
  Makes the next fencing token greater than ARGV[1] (the last token the database accepted). Needed only when Redis lost
  writes (the last second before a crash with appendfsync everysec) and its counter fell behind.

  KEYS[1]  the project's turns hash
  ARGV[1]  the lowest value the fence may have
  Returns  1
]]
local fence = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if fence < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'fence', ARGV[1]) end
return 1
