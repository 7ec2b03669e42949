-- gws-sim's own control features, seen from outside over real HTTP: the delay_path fault and
-- POST /sim/publish. The simulator is driven through gws.core directly (several requests in
-- flight at once, a hand-made Bayeux session), not through the client under test.
local helper = require "helper"
local core = require "gws.core"
local cjson = require "cjson"

local AGENT = "agent1"

-- An engine logged in as agent1 with a few blocking/async helpers around it.
local function new_api(sim)
  local api = { eng = core.new { username = AGENT, password = "password" }, done = {} }

  function api.submit(method, path, body)
    return api.eng:submit {
      method = method, url = sim.url .. path, timeout = 10,
      headers = body and { ["Content-Type"] = "application/json" } or {},
      body = body and cjson.encode(body) or nil,
    }
  end

  -- Steps the engine until `id` has a result; every result seen is kept in api.done, stamped
  -- with the time it arrived.
  function api.await(id, timeout)
    local deadline = helper.gettime() + (timeout or 5)
    while not api.done[id] and helper.gettime() < deadline do
      for _, r in ipairs(api.eng:step(0.05)) do
        r.at = helper.gettime()
        api.done[r.id] = r
      end
    end
    return assert(api.done[id], "no answer for request " .. id)
  end

  function api.call(method, path, body)
    return api.await(api.submit(method, path, body))
  end

  -- Handshake and subscribe to /v2/me/*; returns the clientId.
  function api.bayeux()
    local hs = api.call("POST", "/api/v2/notifications", {
      channel = "/meta/handshake", version = "1.0", supportedConnectionTypes = { "long-polling" },
    })
    local client_id = assert(hs.json and hs.json[1].clientId, "handshake failed: " .. hs.body)
    local sub = api.call("POST", "/api/v2/notifications", {
      channel = "/meta/subscribe", clientId = client_id, subscription = "/v2/me/*",
    })
    assert(sub.json and sub.json[1].successful, "subscribe failed: " .. sub.body)
    return client_id
  end

  -- A /meta/connect; `now` asks the server to answer at once (advice.timeout = 0, as
  -- CometD's first connect does) instead of holding it as a long poll.
  function api.connect(client_id, now)
    return api.submit("POST", "/api/v2/notifications", {
      channel = "/meta/connect", clientId = client_id, connectionType = "long-polling",
      advice = now and { timeout = 0 } or nil,
    })
  end

  -- The event messages (not the /meta/connect reply) of a connect result.
  function api.events(result)
    local out = {}
    for _, m in ipairs(result.json or {}) do
      if m.channel ~= "/meta/connect" then out[#out + 1] = m end
    end
    return out
  end

  return api
end

describe("gws-sim control", function()
  local sim, api

  before_each(function()
    sim = helper.start_sim { flags = { "--no-csrf", "--poll-timeout", "3000" } }
    api = new_api(sim)
  end)
  after_each(function()
    api.eng:close()
    sim:stop()
  end)

  describe("the delay_path fault", function()
    it("delays only the next `count` requests under the path, and shows what it applied", function()
      local status, faults = sim:ctl("POST", "/sim/faults",
        { delay_path = { path = "/api/v2/me/smssessions", ms = 600, count = 1 } })
      assert.equals(200, status)
      assert.same({ path = "/api/v2/me/smssessions", ms = 600, count = 1 }, faults.delay_path)

      -- Whether a request was held is read from the fault's own counter, not from a clock
      -- (a loaded machine can make any request slow).
      local function held()
        local _, shown = sim:ctl("GET", "/sim/faults")
        return shown.applied.path_delays
      end
      local other = api.call("GET", "/api/v2/me")          -- another path: not delayed
      assert.equals(200, other.status)
      assert.equals(0, held())

      local t0 = helper.gettime()
      local list = api.call("GET", "/api/v2/me/smssessions")
      assert.equals(200, list.status)
      -- (the simulator's clock counts whole milliseconds)
      assert.is_true(helper.gettime() - t0 >= 0.59, "the list was not delayed")

      assert.equals(1, held())
      assert.equals(200, api.call("GET", "/api/v2/me/smssessions").status)
      assert.equals(1, held(), "count = 1 delayed a second request")

      local _, shown = sim:ctl("GET", "/sim/faults")
      assert.equals(0, shown.delay_path.count)
      assert.equals(1, shown.applied.path_delays)
      assert.equals(0, shown.applied.delayed_responses)

      local _, cleared = sim:ctl("DELETE", "/sim/faults")
      assert.equals(cjson.null, cleared.delay_path.path)
      assert.equals(0, cleared.applied.path_delays)
    end)

    it("does not hold the simulator while it waits: requests and notifications flow", function()
      assert(api.call("POST", "/api/v2/me",
        { operationName = "StartContactCenterSession", channels = { "sms" } }).status == 200)
      local client_id = api.bayeux()
      api.await(api.connect(client_id, true))
      local poll = api.connect(client_id)

      sim:fault { delay_path = { path = "/api/v2/me/sms", ms = 1500 } }
      local t0 = helper.gettime()
      local list = api.submit("GET", "/api/v2/me/smssessions")
      -- The fault is counted once the answer is made and held.
      local deadline = helper.gettime() + 1
      local held
      repeat
        api.eng:step(0.01)
        local _, shown = sim:ctl("GET", "/sim/faults")
        held = shown.applied.path_delays == 1
      until held or helper.gettime() > deadline
      assert.is_true(held, "the list request was never held")

      -- Meanwhile: another request, the control API, and a notification to the held poll.
      assert.equals(200, api.call("GET", "/api/v2/me/channels").status)
      local id = sim:offer(AGENT, "during the delay")
      assert.truthy(id)
      local got = api.await(poll)
      local events = api.events(got)
      assert.is_true(#events >= 1, "no notification reached the long poll")
      assert.is_nil(api.done[list], "the delayed answer came first")
      assert.is_true(got.at - t0 < 1.0)

      -- The answer was made when the request arrived: it predates the offer.
      local answer = api.await(list, 5)
      assert.is_true(answer.at - t0 >= 1.49)
      assert.equals(0, #answer.json.smssessions)
    end)

    it("refuses a malformed delay_path and changes nothing", function()
      for _, bad in ipairs {
        { delay_path = { ms = 100 } },
        { delay_path = { path = "api/v2", ms = 100 } },
        { delay_path = { path = "/api/v2", ms = -1 } },
        { delay_path = { path = "/api/v2", ms = 100, count = "2" } },
        { delay_path = { path = "/api/v2", ms = 10000000 } },
        { delay_path = "/api/v2" },
      } do
        local status, res = sim:ctl("POST", "/sim/faults", bad)
        assert.equals(400, status)
        assert.matches("delay_path must be", res.error)
      end
      local _, shown = sim:ctl("GET", "/sim/faults")
      assert.equals(cjson.null, shown.delay_path.path)
    end)
  end)

  describe("POST /sim/publish", function()
    -- A vendor-style notification: any JSON object goes out as it is.
    local data = {
      messageType = "ParticipantJoined", notificationType = "NewMessages",
      smsSession = { id = "00ABC", state = "Chatting", participants = { { nickname = "Lee" } } },
      referenceId = 17, ["odd key"] = cjson.null, nested = { list = { 1, 2.5, "x", true } },
    }

    it("publishes the data verbatim as one event on /v2/me/sms by default", function()
      local client_id = api.bayeux()
      api.await(api.connect(client_id, true))
      local poll = api.connect(client_id)
      local status, res = sim:ctl("POST", "/sim/publish", { agent = AGENT, data = data })
      assert.equals(200, status)
      assert.same({ ok = true }, res)
      local events = api.events(api.await(poll))
      assert.equals(1, #events)
      assert.equals("/v2/me/sms", events[1].channel)
      assert.same(data, events[1].data)
    end)

    it("publishes on the channel asked for, to that agent's clients only", function()
      local client_id = api.bayeux()
      api.await(api.connect(client_id, true))
      assert.equals(200, (sim:ctl("POST", "/sim/publish",
        { agent = "agent2", data = { messageType = "NotForAgent1" } })))
      assert.equals(200, (sim:ctl("POST", "/sim/publish",
        { agent = AGENT, channel = "/v2/me/channels", data = { messageType = "Mine" } })))
      local events = api.events(api.await(api.connect(client_id, true)))
      assert.equals(1, #events)
      assert.equals("/v2/me/channels", events[1].channel)
      assert.same({ messageType = "Mine" }, events[1].data)
    end)

    it("answers 400 with a clear message on bad input", function()
      for _, case in ipairs {
        { { data = {} }, "agent must be" },
        { { agent = 1, data = {} }, "agent must be" },
        { { agent = "nobody", data = {} }, "agent is not a known user" },
        { { agent = AGENT }, "data must be a JSON object" },
        { { agent = AGENT, data = { 1, 2 } }, "data must be a JSON object" },
        { { agent = AGENT, data = "text" }, "data must be a JSON object" },
        { { agent = AGENT, channel = "v2/me", data = {} }, "channel must be" },
        { { agent = AGENT, channel = "/meta/connect", data = {} }, "channel must be" },
        { { agent = AGENT, channel = 5, data = {} }, "channel must be" },
        { { 1, 2 }, "body must be a JSON object" },
      } do
        local status, res = sim:ctl("POST", "/sim/publish", case[1])
        assert.equals(400, status)
        assert.matches(case[2], res.error, 1, true)
      end
      local status = sim:ctl("GET", "/sim/publish")
      assert.equals(404, status)
    end)
  end)
end)
