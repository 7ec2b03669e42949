-- An SMS echo bot under client:run(): every callback runs in its own coroutine, so one slow
-- conversation never holds up another.
--
--   GWS_URL=http://127.0.0.1:8090 lua5.4 examples/echo_bot.lua [--sessions N] [--demo]
--
-- --sessions N  exit after N conversations ended (default: run until interrupted)
-- --demo        also play a scripted customer against gws-sim (what `make demo` shows)
package.path = "./examples/?.lua;" .. package.path
local sms = require "gws.sms"
local echo = require "echo"

local url = os.getenv("GWS_URL") or "http://127.0.0.1:8090"
local demo = false
for _, a in ipairs(arg) do if a == "--demo" then demo = true end end
local sessions = echo.sessions_arg(arg) or (demo and 1 or nil)

local client <close> = sms.new { url = url, username = os.getenv("GWS_USER") or "agent1",
  password = os.getenv("GWS_PASSWORD") or "password" }
echo.install(client, { sessions = sessions, done = function() client:stop() end })

client:run(function()
  local ok, err = client:start_session()
  if not ok then
    io.stderr:write("echo_bot: cannot start: ", tostring(err), "\n")
    client:stop()
    return
  end
  assert(client:ready("sms"))
  print("[bot] ready on sms at " .. url)
  io.stdout:flush()
  if demo then
    -- The customer's side, played through the simulator's control API.
    local customer = require("sim_customer").new(url, "PersonP")
    local function pause() client.transport:sleep(0.3) end
    print('[customer] "Hi, is anyone there?"')
    customer:text_in("Hi, is anyone there?")
    pause()
    for _, line in ipairs { "I'd like to check my order", "Thanks, bye!" } do
      customer:typing(true)
      pause()
      print('[customer] "' .. line .. '"')
      customer:say(line)
      pause()
    end
    print("[customer] leaves")
    customer:leave()
    customer:close()
  end
end)
