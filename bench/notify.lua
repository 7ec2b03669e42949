--- B4: notification delivery. The client connects (GET /me, handshake, subscribe; its first
-- resync adopts the session), then, timed: the simulator is asked to flood N NewMessages
-- events (POST /sim/flood on a separate engine, without credentials) and client:poll() runs
-- until the "message" callback has seen all N. Every event goes the whole way: curl, the JSON
-- decode, Bayeux intake, the session model (the transcript keeps every message), callbacks.
--
--   lua5.4 bench/notify.lua BASE_URL USER PASSWORD SESSION_ID N
-- Prints {"events":N,"cpu":s,"wall":s}.
package.path = "./bench/?.lua;" .. package.path
local common = require "common"

local url, user, password, id, n = arg[1], arg[2], arg[3], arg[4], tonumber(arg[5])
local client = common.client(url, user, password)
local resynced = false
client:on("resynced", function() resynced = true end)
assert(client:connect())
while not resynced do client:poll(0.1) end
local sess = assert(client:session(id), "the session was not adopted")
local first = sess.last_index

local count, last = 0, first
client:on("message", function(m)
  count = count + 1
  last = m.index
end)

local cpu, wall = common.flood(url, id, n, user, function() return count >= n end,
  function() client:poll(1) end)
assert(last == first + n and #sess.messages == first + n, "messages lost or doubled")
client:close()
common.emit { events = count, cpu = cpu, wall = wall }
