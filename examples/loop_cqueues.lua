-- The echo bot driven by cqueues (Debian's lua-cqueues): the client speaks the cqueues
-- polling protocol (pollfd/events/timeout), so cqueues.poll(client) waits on it like on a
-- socket, and client:step(0) does the work.
--
--   GWS_URL=http://127.0.0.1:8090 lua5.4 examples/loop_cqueues.lua [--sessions N]
package.path = "./examples/?.lua;" .. package.path
local cqueues = require "cqueues"
local sms = require "gws.sms"
local echo = require "echo"

local url = os.getenv("GWS_URL") or "http://127.0.0.1:8090"
local client <close> = sms.new { url = url, username = os.getenv("GWS_USER") or "agent1",
  password = os.getenv("GWS_PASSWORD") or "password" }

local done = false
echo.install(client, { sessions = echo.sessions_arg(arg), done = function() done = true end })

local cq = cqueues.new()
cq:wrap(function()
  assert(client:start_session())
  assert(client:ready("sms"))
  print("[bot] ready on sms at " .. url .. " (cqueues " .. cqueues.VERSION .. ")")
  io.stdout:flush()
  while not done do
    cqueues.poll(client)
    client:step(0)
  end
end)
assert(cq:loop())
