--- B4, bare: notification delivery through gws.bayeux alone, no SMS layer. The same flood as
-- bench/notify.lua, received the way bench/cometd/notify.mjs receives it: GET /api/v2/me on
-- the Bayeux client's own transport (its engine keeps the JSESSIONID cookie), the CSRF token
-- as a header, one subscription to /v2/me/* whose callback counts NewMessages events and
-- parses nothing further (gws.core has decoded the batch). Timed: POST /sim/flood of N events
-- (a separate engine, without credentials) and b:poll() until the callback saw all N.
--
--   lua5.4 bench/notify_bayeux.lua BASE_URL USER PASSWORD SESSION_ID N
-- Prints {"events":N,"cpu":s,"wall":s}.
package.path = "./bench/?.lua;" .. package.path
local common = require "common"
local bayeux = require "gws.bayeux"

local url, user, password, id, n = arg[1], arg[2], arg[3], arg[4], tonumber(arg[5])

local csrf = {}
local b = bayeux.new { url = url .. "/api/v2/notifications", username = user, password = password,
  timeout = 30, headers = csrf }
local me = b.transport:request { method = "GET", url = url .. "/api/v2/me", timeout = 30 }
assert(me.status == 200, "GET /me: " .. tostring(me.status or (me.err and me.err.message)))
csrf[me.headers["x-csrf-header"] or "X-CSRF-TOKEN"] = assert(me.headers["x-csrf-token"], "no CSRF token")

local count = 0
assert(b:subscribe("/v2/me/*", function(data)
  if data.notificationType == "NewMessages" then count = count + 1 end
end))

local cpu, wall = common.flood(url, id, n, user, function() return count >= n end,
  function() b:poll(1) end)
assert(count == n, "events lost or doubled")
b:close()
common.emit { events = count, cpu = cpu, wall = wall }
