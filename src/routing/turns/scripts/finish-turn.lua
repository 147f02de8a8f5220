--[[
  Ends a ticket. If it is being served, serving moves on past any tickets abandoned meanwhile; if it is still ahead (its
  job failed before its turn came), it is marked abandoned so serving skips it without waiting. The owner forgets it.

  KEYS[1]  the project's turns hash
  ARGV[1]  the routing job's id ('' when ending the ticket of a job that vanished)
  ARGV[2]  the ticket
  Returns  the id of the job holding the ticket now served, or false when none has taken it yet
]]
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
local ticket = tonumber(ARGV[2])
local owner = redis.call('HGET', KEYS[1], 'j:' .. ARGV[2])
if owner then redis.call('HDEL', KEYS[1], 't:' .. owner) end
redis.call('HDEL', KEYS[1], 't:' .. ARGV[1], 'j:' .. ARGV[2])
if serving == ticket then
  serving = ticket + 1
  while redis.call('HEXISTS', KEYS[1], 'x:' .. serving) == 1 do
    redis.call('HDEL', KEYS[1], 'x:' .. serving, 'j:' .. serving)
    serving = serving + 1
  end
  redis.call('HSET', KEYS[1], 'serving', serving)
  redis.call('HDEL', KEYS[1], 'holder')
elseif ticket > serving then
  redis.call('HSET', KEYS[1], 'x:' .. ARGV[2], '1')
end
return redis.call('HGET', KEYS[1], 'j:' .. serving) or false
