-- The agent the C host (examples/embed/host.c) runs: log in, accept the first offer, echo the
-- customer's first text, and say so. It returns the object for the host to drive and how the
-- host knows it is finished; the host owns the loop, this script never waits for events.
--
--   host examples/embed/agent.lua URL [USERNAME [PASSWORD]]
local sms = require "gws.sms"

local url, username, password = ...
local client = sms.new { url = assert(url, "usage: agent.lua URL [USERNAME [PASSWORD]]"),
  username = username or "agent1", password = password or "password" }

local echoed = false
client:on("invited", function(session)
  print("[agent] offered " .. session.id .. ": accepting")
  assert(session:accept { nickname = "EmbedBot" })
end)
client:on("message", function(m, session)
  if echoed or m.type ~= "Text" or type(m.from) ~= "table" or m.from.type ~= "Customer" then
    return
  end
  assert(session:send_message("echo: " .. tostring(m.text)))
  print("[agent] echoed: " .. tostring(m.text))
  echoed = true
end)

-- Before the host's loop runs, plain calls block, as in any script.
assert(client:start_session())
assert(client:ready("sms"))
print("[agent] ready as " .. client.username)

return { client = client, done = function() return echoed end }
