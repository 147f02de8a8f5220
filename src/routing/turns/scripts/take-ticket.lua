--[[
  The job's ticket in its project's routing order: the one it took before, or a new one at the back.

  A job keeps its ticket across re-runs, unless that ticket was already passed (skipped as abandoned, or finished):
  then it queues again with a new one rather than waiting for a turn that will never come.

  KEYS[1]  the project's turns hash (<prefix>:routing:turns:<projectId>)
  ARGV[1]  the routing job's id
  Returns  { ticket, serving }
]]
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
local ticket = tonumber(redis.call('HGET', KEYS[1], 't:' .. ARGV[1]) or '0')
if ticket < serving then
  ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
  redis.call('HSET', KEYS[1], 't:' .. ARGV[1], ticket, 'j:' .. ticket, ARGV[1])
end
return { ticket, serving }
