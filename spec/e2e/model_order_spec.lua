-- Issue 9, item 3: the session model only moves forward. The first resync's session list is
-- held by the simulator (delay_path: the answer is made, then held 800 ms) while the offer and
-- the accept are notified live; when the old list lands it must not undo them.
local helper = require "helper"

local LIST = "/api/v2/me/smssessions" -- GET /me/smssessions?fields=* (gws.sms.http), by prefix

describe("the session model with a late session list", function()
  local sim, client
  helper.sim_and_client_each(function(s, c) sim, client = s, c end)

  -- true once the simulator has made the list's answer and is holding it.
  local function list_held()
    local _, faults = sim:ctl("GET", "/sim/faults")
    return faults.delay_path.count == 0
  end

  it("never goes back to an offer, says invited once, and ends nothing it did not end", function()
    -- `early` is offered before we listen (the held list shows it Invited, and we accept it
    -- by id); `live` is offered after the list was made (the list does not show it at all).
    local early = sim:offer("agent1", "early bird")
    sim:fault { delay_path = { path = LIST, ms = 800, count = 1 } }
    local rec = helper.recorder(client, { "invited", "state", "ended", "resynced" })
    assert(client:connect())
    assert.truthy(helper.poll_until(client, list_held, 5), "the resync's list was never held")
    -- Only the list was held: an accept sent before it would have been the one delayed.
    local live = sim:offer("agent1", "live one")
    assert.truthy(helper.poll_until(client, function() return client:session(live) end))
    assert(client:accept(early, "Bot"))
    assert(client:accept(live, "Bot"))
    assert.truthy(helper.poll_until(client, function()
      local e, l = client:session(early), client:session(live)
      return e and e.state == "Chatting" and l and l.state == "Chatting"
    end))
    -- Now the old list lands (early: Invited; live: missing).
    assert.truthy(helper.poll_until(client, function() return #rec:of("resynced") == 1 end, 5))
    client:poll(0.2)

    local invited = {}
    for _, ev in ipairs(rec:of("invited")) do invited[ev[2].id] = (invited[ev[2].id] or 0) + 1 end
    assert.is_true((invited[early] or 0) <= 1, "invited fired " .. tostring(invited[early]) .. " times")
    assert.equals(1, invited[live])
    for _, ev in ipairs(rec:of("state")) do
      local s, old, new = ev[2], ev[3], ev[4]
      assert.is_false(new == "Invited" and old ~= nil and old ~= "Invited",
        ("session %s went back from %s to %s"):format(s.id, tostring(old), new))
    end
    assert.same({}, rec:of("ended"))
    for _, id in ipairs { early, live } do
      local s = client:session(id)
      assert.equals("Chatting", s.state)
      assert.is_false(s.ended)
      assert.truthy(client:send_message(id, "still here"))
    end
  end)
end)
