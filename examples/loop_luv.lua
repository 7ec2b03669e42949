-- The echo bot driven by a libuv loop (Debian's lua-luv): the client adds no thread and no
-- loop of its own; luv watches client:pollfd() and a timer for client:timeout(), and calls
-- client:step(0) when either fires.
--
--   GWS_URL=http://127.0.0.1:8090 lua5.4 examples/loop_luv.lua [--sessions N]
package.path = "./examples/?.lua;" .. package.path
local uv = require "luv"
local sms = require "gws.sms"
local echo = require "echo"

local url = os.getenv("GWS_URL") or "http://127.0.0.1:8090"
local client <close> = sms.new { url = url, username = os.getenv("GWS_USER") or "agent1",
  password = os.getenv("GWS_PASSWORD") or "password" }

local poll = uv.new_poll(client:pollfd())
local timer = uv.new_timer()
local function finish()
  poll:stop()
  timer:stop()
  poll:close()
  timer:close()
end
echo.install(client, { sessions = echo.sessions_arg(arg), done = finish })

assert(client:start_session())
assert(client:ready("sms"))
print("[bot] ready on sms at " .. url .. " (luv " .. uv.version_string() .. ")")
io.stdout:flush()

local function drive()
  client:step(0)
  if timer:is_closing() then return end
  local t = client:timeout()
  timer:stop()
  if t then timer:start(math.max(0, math.ceil(t * 1000)), 0, drive) end
end
poll:start("r", drive)
drive()
uv.run()
