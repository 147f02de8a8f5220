--[[
  Who is being served: used by waiting jobs to notice a holder that vanished.

  KEYS[1]  the project's turns hash
  Returns  { serving ticket, last ticket handed out, id of the job holding the served ticket or false }
]]
local serving = redis.call('HGET', KEYS[1], 'serving') or '1'
local last = redis.call('HGET', KEYS[1], 'next') or '0'
return { tonumber(serving), tonumber(last), redis.call('HGET', KEYS[1], 'j:' .. serving) or false }
