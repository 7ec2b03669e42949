-- The agents the C host (examples/embed/host.c) runs: each logs in, accepts its first offer,
-- echoes the customer's first text and says so. They share one loop (sms.loop(): one engine,
-- one fd, one connection pool), which the script returns for the host to drive, with how
-- the host knows they are finished; the host owns the loop, this script never waits for
-- events.
--
--   host examples/embed/agent.lua URL [USERNAMES [PASSWORD]]
--
-- USERNAMES: one name or several separated by commas ("agent1,agent2"; default agent1).
local sms = require "gws.sms"

local url, usernames, password = ...
assert(url, "usage: agent.lua URL [USERNAMES [PASSWORD]]")

local loop = sms.loop()
local agents, echoed = {}, 0

for username in (usernames or "agent1"):gmatch("[^,]+") do
  local client = sms.new { url = url, username = username, password = password or "password", loop = loop }
  local done = false
  -- Callbacks run as tasks: the accept and the send yield, the host's loop keeps turning.
  client:on("invited", function(session)
    print("[agent] " .. username .. " offered " .. session.id .. ": accepting")
    assert(session:accept { nickname = "EmbedBot" })
  end)
  client:on("message", function(m, session)
    if done or m.type ~= "Text" or type(m.from) ~= "table" or m.from.type ~= "Customer" then
      return
    end
    done = true
    assert(session:send_message("echo: " .. tostring(m.text)))
    print("[agent] " .. username .. " echoed: " .. tostring(m.text))
    echoed = echoed + 1
  end)
  -- Before the host's loop runs, plain calls block, as in any script.
  assert(client:start_session())
  assert(client:ready("sms"))
  print("[agent] ready as " .. username)
  agents[#agents + 1] = client
end

return { loop = loop, done = function() return echoed == #agents end }
