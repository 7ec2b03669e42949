-- The walking skeleton end to end: log in, get an offer, accept it, see the vendor's three
-- notifications; over real HTTP against gws-sim.
local helper = require "helper"
local sms = require "gws.sms"

-- True when `ours` has every field `seed` has, with the same JSON type, recursively.
local function assert_shape(seed, ours, path)
  path = path or "data"
  assert(type(ours) == type(seed), ("%s: expected a %s, got %s"):format(path, type(seed), type(ours)))
  if type(seed) ~= "table" then return end
  for k, v in pairs(seed) do
    if type(k) == "string" then
      assert(ours[k] ~= nil, path .. "." .. k .. " is missing")
      assert_shape(v, ours[k], path .. "." .. k)
    end
  end
end

describe("accept, end to end", function()
  local sim, client
  helper.sim_and_client_each(function(s, c) sim, client = s, c end)

  it("gives the three notifications of the vendor's Accept page, field by field", function()
    assert.truthy(client:start_session())
    local got = {}
    client:on("*", function(data) got[#got + 1] = data end)
    local id = sim:offer("agent1")
    assert.truthy(helper.poll_until(client, function() return #got >= 1 end))
    assert.equals("StatusChange", got[1].notificationType)
    assert.equals("Invited", got[1].smssession.state)
    got = {}

    local res, err = client:accept(id, { nickname = "John Doe", saveLAR = true })
    assert.is_nil(err)
    assert.equals(0, res.statusCode)
    assert.truthy(helper.poll_until(client, function() return #got >= 3 end))
    assert.equals(3, #got)

    local seed = helper.seed_notifications()
    assert.equals(3, #seed, "the seed page must show three notifications")
    -- 1. StatusChange: Chatting, the seed's capabilities first and in its order.
    assert.equals("StatusChange", got[1].notificationType)
    assert.equals("SMSsessionStateChangeMessage", got[1].messageType)
    local seed1 = seed[1]
    seed1.messageType = "SMSsessionStateChangeMessage" -- the seed's "test_accept " is a typo
    assert_shape(seed1, got[1])
    assert.equals("Chatting", got[1].smssession.state)
    assert.equals(id, got[1].smssession.id)
    assert.truthy(got[1].smssession.uri:find("/api/v2/smssessions/" .. id, 1, true))
    assert.truthy(math.type(got[1].referenceId) == "integer")
    for i, cap in ipairs(seed1.smssession.capabilities) do
      assert.equals(cap, got[1].smssession.capabilities[i])
    end
    -- 2. ParticipantsUpdated: the agent (our nickname), then the customer.
    assert.equals("ParticipantsUpdated", got[2].notificationType)
    assert_shape(seed[2], got[2])
    local parts = got[2].smssession.participants
    assert.equals(2, #parts)
    for i = 1, 2 do assert_shape(seed[2].smssession.participants[i], parts[i]) end
    assert.same({ "Agent", "John Doe" }, { parts[1].type, parts[1].nickname })
    assert.same({ "Customer", "PersonP" }, { parts[2].type, parts[2].nickname })
    -- 3. NewMessages: the transcript so far, each message shaped like the seed's.
    assert.equals("NewMessages", got[3].notificationType)
    assert.equals("MessageLogUpdated", got[3].messageType)
    assert.truthy(got[3].smssessionUri:find(id, 1, true))
    local msgs = got[3].messages
    assert.same({ "ParticipantJoined", "Text", "ParticipantJoined" },
      { msgs[1].type, msgs[2].type, msgs[3].type })
    local seed_by_type = {}
    for _, m in ipairs(seed[3].messages) do seed_by_type[m.type] = seed_by_type[m.type] or m end
    for i, m in ipairs(msgs) do
      assert.equals(i, m.index)
      assert_shape(seed_by_type[m.type], m, "messages[" .. i .. "]")
    end
    assert.equals("Hello World", msgs[2].text)
    assert.equals("PersonP", msgs[2].from.nickname)
    assert.equals("John Doe", msgs[3].from.nickname)

    -- The simulator recorded what the agent sent.
    local rec = sim:session(id)
    assert.equals("Chatting", rec.state)
    assert.equals("John Doe", rec.nickname)
    assert.is_true(rec.saveLAR)
  end)

  it("passes data and the session to callbacks of each notification type", function()
    assert.truthy(client:start_session())
    local seen = {}
    for _, t in ipairs { "StatusChange", "ParticipantsUpdated", "NewMessages" } do
      client:on(t, function(data, session)
        seen[#seen + 1] = { t, data.notificationType, session }
      end)
    end
    local id = sim:offer("agent1")
    assert.truthy(helper.poll_until(client, function() return #seen >= 1 end))
    assert.truthy(client:accept(id, { nickname = "John Doe" }))
    assert.truthy(helper.poll_until(client, function() return #seen >= 4 end))
    for _, s in ipairs(seen) do
      assert.equals(s[1], s[2])
      assert.equals(id, s[3].id)
      assert.equals(client:session(id), s[3])
    end
  end)

  it("records saveLAR = false and leaves it unset when not given", function()
    assert.truthy(client:start_session())
    local a, b = sim:offer("agent1"), sim:offer("agent1")
    assert.truthy(client:accept(a, { nickname = "A", saveLAR = false }))
    assert.truthy(client:accept(b, "B"))
    assert.is_false(sim:session(a).saveLAR)
    local rb = sim:session(b)
    assert.truthy(rb.saveLAR == nil or rb.saveLAR == require("cjson").null)
    assert.equals("B", rb.nickname)
  end)

  it("answers statusCode 6 for an unknown session id", function()
    assert.truthy(client:start_session())
    local res, err = client:accept("NOSUCHSESSION123", { nickname = "John Doe" })
    assert.is_nil(res)
    assert.equals("status", err.kind)
    assert.equals(6, err.code)
    assert.truthy(tostring(err):find("statusCode 6", 1, true))
  end)

  it("answers statusCode 2 when accepting twice", function()
    assert.truthy(client:start_session())
    local id = sim:offer("agent1")
    assert.truthy(client:accept(id, { nickname = "John Doe" }))
    helper.poll_until(client, function()
      local s = client:session(id)
      return s and s.state == "Chatting"
    end)
    -- Capabilities are advisory by default: the accept is sent and the server's answer decides.
    local res, err = client:accept(id, { nickname = "John Doe" })
    assert.is_nil(res)
    assert.equals(2, err.code)
    res, err = client:operation(id, "Accept", { nickname = "John Doe" })
    assert.is_nil(res)
    assert.equals(2, err.code)
    -- With check_capabilities = true and the model in place (the first resync adopts the
    -- Chatting session), the client refuses it without sending anything.
    client:close()
    local checking = helper.client(sim, { check_capabilities = true })
    finally(function() checking:close() end)
    assert.truthy(checking:start_session())
    assert.truthy(helper.poll_until(checking, function()
      local s = checking:session(id)
      return s and s.state == "Chatting"
    end))
    local before = #sim:rest_requests()
    res, err = checking:accept(id, { nickname = "John Doe" })
    assert.is_nil(res)
    assert.equals("capability", err.kind)
    assert.equals(before, #sim:rest_requests())
  end)

  it("raises on a missing nickname, naming it, and sends nothing", function()
    assert.truthy(client:start_session())
    local id = sim:offer("agent1")
    sim:clear_requests()
    local ok, msg = pcall(client.accept, client, id, { saveLAR = true })
    assert.is_false(ok)
    assert.truthy(msg:find("nickname", 1, true), msg)
    ok, msg = pcall(client.accept, client, id, { nickname = 42 })
    assert.is_false(ok)
    assert.truthy(msg:find("nickname", 1, true), msg)
    ok, msg = pcall(client.accept, client, 12345, { nickname = "x" })
    assert.is_false(ok)
    assert.truthy(msg:find("'id'", 1, true), msg)
    assert.same({}, sim:rest_requests())
    -- Still usable afterwards.
    assert.truthy(client:accept(id, { nickname = "John Doe" }))
  end)

  it("reports a wrong password clearly and does not leak it", function()
    client:close()
    local wrong = helper.client(sim, { password = "not-the-password" })
    finally(function() wrong:close() end)
    local res, err = wrong:start_session()
    assert.is_nil(res)
    assert.equals("http", err.kind)
    assert.equals(401, err.http_status)
    assert.equals(20, err.code)
    assert.truthy(tostring(err):find("agent1", 1, true))
    assert.falsy(tostring(err):find("not-the-password", 1, true))
  end)

  it("fetches the CSRF token before its first POST", function()
    assert.truthy(client:start_session())
    local reqs = sim:requests()
    assert.equals("GET", reqs[1].method)
    assert.equals("/api/v2/me", reqs[1].path)
    for _, r in ipairs(reqs) do
      assert.falsy((r.body or ""):find("password", 1, true))
    end
  end)

  it("refreshes cookie and token after a 403 and retries once", function()
    assert.truthy(client:start_session())
    local id = sim:offer("agent1")
    assert.truthy(helper.poll_until(client, function() return client:session(id) end))
    sim:fault { forget_http_sessions = true }
    sim:clear_requests()
    local res, err = client:accept(id, { nickname = "John Doe" })
    assert.is_nil(err)
    assert.equals(0, res.statusCode)
    -- One refresh (GET /me), and the POST sent twice: refused, then retried. (The long poll
    -- may meet the 403 first and do the refresh; then the POST reuses it.)
    local gets, posts = 0, 0
    for _, r in ipairs(sim:requests()) do
      if r.method == "GET" and r.path == "/api/v2/me" then gets = gets + 1 end
      if r.method == "POST" and r.path == "/api/v2/me/smssessions/" .. id then posts = posts + 1 end
    end
    assert.equals(1, gets)
    assert.equals(2, posts)
    assert.equals("Chatting", sim:session(id).state)
  end)

  it("keeps going when a callback raises, and reports the error", function()
    assert.truthy(client:start_session())
    local reported, after = {}, 0
    client:on_error(function(e, info) reported[#reported + 1] = { e, info } end)
    client:on("StatusChange", function() error("boom") end)
    client:on("StatusChange", function() error({ code = 7 }) end)
    client:on("StatusChange", function() after = after + 1 end)
    local id = sim:offer("agent1")
    assert.truthy(helper.poll_until(client, function() return after >= 1 end))
    assert.truthy(client:accept(id, { nickname = "John Doe" }))
    assert.truthy(helper.poll_until(client, function() return after >= 2 end))
    assert.equals(4, #reported)
    assert.truthy(tostring(reported[1][1]):find("boom", 1, true))
    assert.equals("StatusChange", reported[1][2].event)
    assert.truthy(reported[1][2].traceback:find("traceback", 1, true))
    assert.same({ code = 7 }, reported[2][1])
  end)

  it("closes explicitly, idempotently, and at the end of a <close> scope", function()
    assert.truthy(client:start_session())
    client:close()
    client:close()
    assert.has_error(function() client:poll(0) end)
    local scoped
    do
      local c <close> = helper.client(sim)
      assert.truthy(c:start_session())
      scoped = c
    end
    assert.is_true(scoped.closed)
    scoped:close() -- closing again after the scope must be harmless
  end)
end)

describe("module-level functions", function()
  it("act on the default client made by sms.configure", function()
    local sim = helper.start_sim()
    finally(function() sms.close(); sim:stop() end)
    assert.has_error(function() sms.poll(0) end, nil)
    sms.configure { url = sim.url, username = "agent1", password = "password", timeout = 5 }
    assert.truthy(sms.start_session())
    local got = {}
    sms.on("NewMessages", function(data) got[#got + 1] = data end)
    local id = sim:offer("agent1")
    local res = sms.accept(id, { nickname = "John Doe" })
    assert.equals(0, res.statusCode)
    local deadline = helper.gettime() + 5
    while #got == 0 and helper.gettime() < deadline do sms.poll(0.1) end
    assert.equals(3, #got[1].messages)
    assert.equals("Chatting", sms.session(id).state)
  end)
end)
