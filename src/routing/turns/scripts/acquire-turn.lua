--[[
  Starts a ticket's turn if it is the one being served: records the holder and hands out a new fencing token.

  KEYS[1]  the project's turns hash
  ARGV[1]  the routing job's id
  ARGV[2]  its ticket
  Returns  { 1, fence } when the turn is this ticket's, { 0, serving } otherwise
]]
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
if serving ~= tonumber(ARGV[2]) then return { 0, serving } end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'holderFence', fence)
return { 1, fence }
