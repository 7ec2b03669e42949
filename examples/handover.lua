-- A warm handover between two agents in one script: the first agent accepts, consults a
-- specialist privately, then transfers the customer to them.
--
--   GWS_URL=http://127.0.0.1:8090 lua5.4 examples/handover.lua [--demo]
-- --demo: also play the customer through gws-sim's control API.
package.path = "./examples/?.lua;" .. package.path
local sms = require "gws.sms"
local show = require "show"

local url = os.getenv("GWS_URL") or "http://127.0.0.1:8090"
local function agent(name)
  local c = sms.new { url = url, username = name, password = os.getenv("GWS_PASSWORD") or "password" }
  c:on("message", function(m, s) print(("[%s sees %s] %s"):format(name, s.id, show.message(m))) end)
  assert(c:start_session())
  return c
end
local front <close> = agent("agent1")
local expert <close> = agent("agent2")
assert(front:ready("sms"))
print("[handover] ready: agent1 takes offers, agent2 is the specialist")
io.stdout:flush()

local customer
for _, a in ipairs(arg) do
  if a == "--demo" then
    customer = require("sim_customer").new(url, "PersonP")
    customer:text_in("My router is on fire")
  end
end

-- Waits (dispatching `client`'s notifications) until fn() returns a value.
local function await(client, fn, what)
  for _ = 1, 200 do
    local v = fn()
    if v then return v end
    client:poll(0.05)
  end
  error("handover: timed out waiting for " .. what)
end
local function offer(client)
  return await(client, function()
    for _, s in ipairs(client:sessions()) do if s.state == "Invited" then return s end end
  end, "an offer")
end

local s1 = offer(front)
assert(s1:accept("Frontline"))
assert(s1:wait("Chatting", 5))
assert(s1:send_message("Let me check with a colleague."))
assert(s1:consult { target_uri = front:user_uri("agent2") })

local s2 = offer(expert)
assert(s2:accept("Specialist"))
assert(s2:wait("Chatting", 5))
assert(s1:send_to_agents("Customer's router is on fire, can you take it?"))
assert(s2:send_to_agents("Sure, transferring is fine."))

assert(s1:transfer { target_uri = front:user_uri("agent2") })
assert(s1:wait("Completed", 5))
print("[handover] agent1 is done with " .. s1.id)
assert(s2:send_message("Hi, I'm the specialist. Unplug it first, please."))
await(expert, function() return s2.last_index >= 7 end, "the specialist's message")
if customer then customer:close() end
print("[handover] " .. s2.id .. " now belongs to agent2 (" .. s2.state .. ")")
