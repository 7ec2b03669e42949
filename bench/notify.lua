--- B4: notification delivery. The client connects (GET /me, handshake, subscribe; its first
-- resync adopts the session), then, timed: the simulator is asked to flood N NewMessages
-- events (POST /sim/flood on a separate engine, without credentials) and client:poll() runs
-- until the "message" callback has seen all N. Every event goes the whole way: curl, cjson,
-- Bayeux intake, the session model (the transcript keeps every message), callbacks.
--
--   lua5.4 bench/notify.lua BASE_URL USER PASSWORD SESSION_ID N
-- Prints {"events":N,"cpu":s,"wall":s}.
package.path = "./bench/?.lua;" .. package.path
local common = require "common"
local cjson = require "cjson"
local transport = require "gws.transport"

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

local ctl = transport.new {}
local c0, w0 = common.cpu(), common.wall()
local r = ctl:request { method = "POST", url = url .. "/sim/flood", timeout = 120,
  headers = { ["Content-Type"] = "application/json" },
  body = cjson.encode { session = id, count = n, agent = user } }
assert(r.status == 200 and r.json and r.json.published == n, "flood failed: " .. tostring(r.body))
while count < n do client:poll(1) end
local cpu, wall = common.cpu() - c0, common.wall() - w0
ctl:close()
assert(last == first + n and #sess.messages == first + n, "messages lost or doubled")
client:close()
common.emit { events = count, cpu = cpu, wall = wall }
