--- B1: client CPU per operation, N client:send_message calls on one kept-alive connection.
-- The measuring client never starts Bayeux: the session was created and accepted by another
-- client, so this one only sends (its first call fetches the CSRF token, then one warm-up).
--
--   lua5.4 bench/send_loop.lua BASE_URL USER PASSWORD SESSION_ID N TEXT
-- Prints {"ops":N,"cpu":s,"wall":s,"connects":n} (connects: new connections in 100 more calls).
package.path = "./bench/?.lua;" .. package.path
local common = require "common"

local url, user, password, id, n, text = arg[1], arg[2], arg[3], arg[4], tonumber(arg[5]), arg[6]
local client = common.client(url, user, password)
assert(client:send_message(id, text))

local u0, s0 = common.user_sys()
local c0, w0 = common.cpu(), common.wall()
for _ = 1, n do
  local res, err = client:send_message(id, text)
  if not res then error(tostring(err)) end
end
local cpu, wall = common.cpu() - c0, common.wall() - w0
local u1, s1 = common.user_sys()

-- After the timed loop: 100 more calls, counting new connections (keep-alive must hold).
local connects, request = 0, client.transport.request
client.transport.request = function(self, req)
  local r = request(self, req)
  connects = connects + (r.connects or 0)
  return r
end
for _ = 1, 100 do assert(client:send_message(id, text)) end
client:close()
common.emit { ops = n, cpu = cpu, wall = wall, user = u1 - u0, sys = s1 - s0, connects = connects }
