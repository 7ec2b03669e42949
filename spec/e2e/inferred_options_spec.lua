-- What the vendor's pages leave out stays configurable (issue 12): the state an offer is in
-- (offer_state) and the Bayeux endpoint (notifications). Against gws-sim, through real HTTP.
local helper = require "helper"

describe("inferred choices are options", function()
  local sim, client

  before_each(function() sim = helper.start_sim() end)
  after_each(function()
    if client then client:close() end
    client = nil
    sim:stop()
  end)

  -- A session in `state` published verbatim to agent1 (POST /sim/publish), as another server
  -- might send its offer.
  local function publish_offer(state, id)
    local status, res = sim:ctl("POST", "/sim/publish", { agent = "agent1", data = {
      messageType = "SMSsessionStateChangeMessage", notificationType = "StatusChange",
      smssession = { id = id, state = state, capabilities = { "Accept", "Reject" }, participants = {} },
    } })
    assert(status == 200, "publish refused: " .. tostring(status) .. " " .. tostring(res))
  end

  it("offer_state names the state another server offers in: that state fires 'invited'", function()
    client = helper.client(sim, { offer_state = "Alerting" })
    local invited = {}
    client:on("invited", function(s) invited[#invited + 1] = s.id end)
    assert(client:start_session())
    publish_offer("Invited", "s-invited")   -- not an offer for this client
    publish_offer("Alerting", "s-alerting")
    assert(helper.poll_until(client, function() return client:session("s-alerting") end))
    client:poll(0.2)
    assert.same({ "s-alerting" }, invited)
  end)

  it("by default an offer is a session in state Invited", function()
    client = helper.client(sim)
    local invited = {}
    client:on("invited", function(s) invited[#invited + 1] = s.id end)
    assert(client:start_session())
    publish_offer("Alerting", "s-alerting")
    publish_offer("Invited", "s-invited")
    assert(helper.poll_until(client, function() return client:session("s-invited") end))
    client:poll(0.2)
    assert.same({ "s-invited" }, invited)
  end)

  it("notifications takes the Bayeux endpoint as a path under /api/v2 or as a URL", function()
    client = helper.client(sim, { notifications = sim.url .. "/api/v2/notifications" })
    assert(client:connect())
    client:close()
    client = helper.client(sim, { notifications = "/notifications" })
    assert(client:connect())
    client:close()
    client = helper.client(sim, { notifications = "/elsewhere", max_attempts = 1, backoff_base = 0.05 })
    local res, err = client:connect(2)
    assert.is_nil(res)
    assert.truthy(err)
    local seen = false
    for _, r in ipairs(sim:requests()) do
      if r.path == "/api/v2/elsewhere" then seen = true end
    end
    assert.is_true(seen, "the client did not use the endpoint it was given")
  end)

  it("refuses a bad offer_state or notifications, naming it", function()
    for _, case in ipairs {
      { { offer_state = "" }, "offer_state" },
      { { offer_state = 5 }, "offer_state" },
      { { notifications = "notifications" }, "notifications" },
      { { notifications = "ftp://x/y" }, "notifications" },
    } do
      local ok, msg = pcall(helper.client, sim, case[1])
      assert.is_false(ok)
      assert.truthy(tostring(msg):find(case[2], 1, true), msg)
    end
  end)
end)
