--[[
  The ticket a job took, if it took one.

  KEYS[1]  the project's turns hash
  ARGV[1]  the routing job's id
  Returns  the ticket, or false
]]
return redis.call('HGET', KEYS[1], 't:' .. ARGV[1]) or false
