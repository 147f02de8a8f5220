--[[
  A routing run's ticket and, when that ticket is the one being served, its turn, in one round trip: take-ticket.lua
  and then acquire-turn.lua, as one atomic step (a switch whose project is idle, the usual case, takes its turn at once).

  KEYS[1]  the project's turns hash (<prefix>:routing:turns:<projectId>)
  ARGV[1]  the routing job's id
  Returns  { ticket, serving, fence }: fence is a new fencing token (the holder recorded) when the ticket is served,
           0 when the run must wait for its turn
]]
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
local ticket = tonumber(redis.call('HGET', KEYS[1], 't:' .. ARGV[1]) or '0')
if ticket < serving then
  ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
  redis.call('HSET', KEYS[1], 't:' .. ARGV[1], ticket, 'j:' .. ticket, ARGV[1])
end
if ticket ~= serving then return { ticket, serving, 0 } end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'holderFence', fence)
return { ticket, serving, fence }
