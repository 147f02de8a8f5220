--[[
  Ends a ticket. If it is being served, serving moves on past any tickets abandoned meanwhile; if it is still ahead (its
  job failed before its turn came), it is marked abandoned so serving skips it without waiting. The owner forgets it.

  A run that held the turn passes its fencing token: it ends the turn only while it is still the turn's latest holder.
  A run that stalled (its worker starved past the lock) is run again by BullMQ, and the re-run takes the same ticket's
  turn with a newer token; the stalled run, resuming, must not pass on a turn its re-run holds and is still using (the
  next switch would run beside it), nor forget the ticket the re-run may have taken since. Without a token (an operation
  that ended for good, a holder that vanished) the ticket ends whoever holds it.

  KEYS[1]  the project's turns hash
  ARGV[1]  the routing job's id ('' when ending the ticket of a job that vanished)
  ARGV[2]  the ticket
  ARGV[3]  the fencing token of the run that held the turn, or absent / '0' (not ended by its holder)
  Returns  the id of the job holding the ticket now served, or false when none has taken it yet or nothing changed
]]
local serving = tonumber(redis.call('HGET', KEYS[1], 'serving') or '1')
local ticket = tonumber(ARGV[2])
local fence = tonumber(ARGV[3] or '0') or 0
if fence > 0 then
  -- Its turn was ended already (by another run of its job), or a newer run of its job holds it now: nothing to end.
  if serving ~= ticket then return false end
  local held = tonumber(redis.call('HGET', KEYS[1], 'holderFence') or '0')
  if fence < held then return false end
end
local owner = redis.call('HGET', KEYS[1], 'j:' .. ARGV[2])
if owner and tonumber(redis.call('HGET', KEYS[1], 't:' .. owner) or '0') == ticket then redis.call('HDEL', KEYS[1], 't:' .. owner) end
-- The job forgets this ticket, not a newer one it took since (a re-run after this ticket was passed).
if tonumber(redis.call('HGET', KEYS[1], 't:' .. ARGV[1]) or '0') == ticket then redis.call('HDEL', KEYS[1], 't:' .. ARGV[1]) end
redis.call('HDEL', KEYS[1], 'j:' .. ARGV[2])
if serving == ticket then
  serving = ticket + 1
  while redis.call('HEXISTS', KEYS[1], 'x:' .. serving) == 1 do
    redis.call('HDEL', KEYS[1], 'x:' .. serving, 'j:' .. serving)
    serving = serving + 1
  end
  redis.call('HSET', KEYS[1], 'serving', serving)
  redis.call('HDEL', KEYS[1], 'holder', 'holderFence')
elseif ticket > serving then
  redis.call('HSET', KEYS[1], 'x:' .. ARGV[2], '1')
end
return redis.call('HGET', KEYS[1], 'j:' .. serving) or false
