-- Feeds the vendor's notification samples to a client through a real gws-sim: the sample's
-- text goes verbatim (not re-encoded by Lua, which would turn `[]` into `{}`) into
-- `POST /sim/publish`, and the simulator delivers it as one Bayeux event on the agent's long
-- poll. The request is made with gws.core alone (as support.simctl does), none of the Lua
-- layers under test.
local core = require "gws.core"
local core_wait = require "support.core_wait"
local vendor = require "support.vendor"

local feed = {}

feed.TOPIC = "/v2/me/smssessions" -- the simulator's SMS topic (inferred; the client subscribes to /v2/me/*)

local engines = setmetatable({}, { __mode = "k" })

local function post(sim, path, body)
  local eng = engines[sim]
  if not eng then
    eng = core.new {}
    engines[sim] = eng
  end
  return core_wait.submit(eng, { method = "POST", url = sim.url .. path, body = body, timeout = 10,
    headers = { ["Content-Type"] = "application/json" } }, true, { step = 10 })
end

--- Publishes the sample `rel` (e.g. "Accept/3-notification.json") to `agent` (default agent1).
-- A sample printed with its CometD envelope ({"channel", "data"}) goes out on its own channel.
function feed.publish(sim, rel, agent)
  local text = vendor.text(rel)
  local sample = vendor.load(rel)
  local channel, data_text = feed.TOPIC, text
  if type(sample.channel) == "string" and type(sample.data) == "table" then
    channel = sample.channel
    -- The envelope's inner object, still as text: cut at the "data" member.
    data_text = assert(text:match('"data"%s*:%s*(%b{})'), rel .. ": no data object")
  end
  feed.publish_text(sim, data_text, channel, agent)
end

--- Publishes `text` (a JSON object as text) on `channel` (default TOPIC) to `agent`.
function feed.publish_text(sim, text, channel, agent)
  local body = ('{"agent":"%s","channel":"%s","data":%s}'):format(agent or "agent1", channel or feed.TOPIC, text)
  local r = post(sim, "/sim/publish", body)
  assert(not r.err and r.status == 200, ("POST /sim/publish answered %s: %s"):format(
    tostring(r.status), r.err and r.err.message or r.body))
end

--- Drops the engine kept for `sim` (call it before the simulator stops).
function feed.close(sim)
  local eng = engines[sim]
  if eng then eng:close() end
  engines[sim] = nil
end

return feed
