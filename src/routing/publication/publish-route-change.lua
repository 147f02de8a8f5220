--[[
  Takes the next global route version and publishes a committed route change with it, in one step: two publishers can
  never send their versions out of order, so a subscriber only sees a gap when a message was really lost.
  The version is spliced into the payload as text (cjson would turn an empty `routes` array into an object).

  KEYS[1]  the route version counter (<prefix>:routes:version)
  ARGV[1]  the channel (<prefix>:routes)
  ARGV[2]  the change as a JSON object, without its version
  Returns  the version
]]
local version = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], '{"version":' .. version .. ',' .. string.sub(ARGV[2], 2))
return version
