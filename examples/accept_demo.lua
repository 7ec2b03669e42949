-- The walking skeleton as a story: an agent bot logs in, a customer texts "Hello World",
-- the bot accepts as "John Doe" and prints every notification the server sends.
--
--   GWS_URL=http://127.0.0.1:8090 lua5.4 examples/accept_demo.lua
-- (`make demo` starts a simulator and runs this against it.)
package.path = "./examples/?.lua;" .. package.path
local sms = require "gws.sms"
local show = require "show"
local sim_customer = require "sim_customer"

local url = os.getenv("GWS_URL") or "http://127.0.0.1:8090"
local client <close> = sms.new { url = url, username = os.getenv("GWS_USER") or "agent1",
  password = os.getenv("GWS_PASSWORD") or "password" }

print("gws-sms " .. sms.VERSION .. " demo against " .. url)
assert(client:start_session())
print("[agent1] logged in; notifications connected")

local accepted, transcript_seen = false, false
client:on("*", function(data) print(show.notification(data)) end)
client:on("invited", function(session)
  print(("[bot] offered session %s; accepting as \"John Doe\""):format(session.id))
  assert(client:accept(session.id, { nickname = "John Doe", saveLAR = true }))
  accepted = true
end)
client:on("NewMessages", function() transcript_seen = true end)

local customer = sim_customer.new(url, "PersonP")
print('[customer PersonP] texts "Hello World"')
customer:text_in("Hello World", "agent1")

local deadline = os.time() + 10
while not (accepted and transcript_seen) and os.time() < deadline do client:poll(0.5) end
customer:close()
if not transcript_seen then
  io.stderr:write("demo: the conversation did not complete within 10 s\n")
  os.exit(1)
end
print("[bot] in conversation; transcript above. Done.")
