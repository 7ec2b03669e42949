-- Every SMS operation of spec section 3 through the public API, against gws-sim: what the
-- server recorded, what notifications came back, and every error path.
local helper = require "helper"
local cjson = require "cjson"

local chatting = helper.chatting

local function last(t) return t[#t] end

local function wait_state(client, id, state)
  return helper.poll_until(client, function()
    local s = client:session(id)
    return s and s.state == state
  end)
end

describe("SMS operations", function()
  local sim, client
  helper.sim_and_client_each(function(s, c) sim, client = s, c end, { start_session = true })

  describe("messages to the customer", function()
    local cases = {
      { "send_message", "hello there", { type = "Text", text = "hello there", visibility = "All" } },
      { "send_url", "https://example.com/x", { type = "PushUrl", url = "https://example.com/x" } },
      { "send_custom_notice", "survey follows", { type = "CustomNotice", noticeText = "survey follows" } },
      { "send_to_agents", "agents only", { type = "Text", text = "agents only", visibility = "Agents" } },
      { "start_typing", nil, { type = "TypingStarted", visibility = "All" } },
      { "stop_typing", nil, { type = "TypingStopped", visibility = "All" } },
      { "start_typing_to_agents", nil, { type = "TypingStarted", visibility = "Agents" } },
      { "stop_typing_to_agents", nil, { type = "TypingStopped", visibility = "Agents" } },
    }
    for _, c in ipairs(cases) do
      local name, arg, want = c[1], c[2], c[3]
      it(name .. " reaches the transcript and comes back as a message event", function()
        local id, s = chatting(client, sim)
        local seen = {}
        client:on("message", function(m, sess) if sess.id == id then seen[#seen + 1] = m end end)
        local res, err = client[name](client, id, arg)
        assert.is_nil(err)
        assert.equals(0, res.statusCode)
        -- The vendor's answers to these are {"statusCode":0} alone (only Invite, Consult and
        -- CancelConsult carry a referenceId).
        assert.is_nil(res.referenceId)
        local rec = last(sim:session(id).transcript)
        for k, v in pairs(want) do assert.equals(v, rec[k], name .. ": transcript " .. k) end
        assert.equals("Bot", rec.from.nickname)
        assert.truthy(helper.poll_until(client, function() return #seen >= 1 end))
        for k, v in pairs(want) do assert.equals(v, seen[1][k]) end
        assert.equals(rec.index, last(s.messages).index)
        -- The same operation on the session object.
        assert.truthy(s[name](s, arg))
      end)
    end
  end)

  it("attach, update and delete user data, and set a disposition", function()
    local id, s = chatting(client, sim)
    local props = 0
    client:on("PropertiesUpdated", function() props = props + 1 end)
    assert.truthy(client:attach_user_data(id, { Reason = "billing", Score = 7 }))
    assert.same({ Reason = "billing", Score = 7 }, sim:session(id).userData)
    assert.truthy(client:update_user_data(id, { user_data = { Reason = "refund" } }))
    assert.equals("refund", sim:session(id).userData.Reason)
    assert.truthy(s:delete_user_data({ "Score" }))
    assert.same({ Reason = "refund" }, sim:session(id).userData)
    assert.truthy(client:set_disposition(id, "Resolved"))
    local rec = sim:session(id)
    assert.equals("Resolved", rec.disposition)
    assert.equals("Resolved", rec.userData.DispositionCode)
    assert.truthy(client:set_disposition(id, { disposition = "Sale", dispositionKey = "Outcome" }))
    assert.equals("Sale", sim:session(id).userData.Outcome)
    assert.truthy(helper.poll_until(client, function() return props >= 5 end))
    assert.same({ Reason = "refund", DispositionCode = "Resolved", Outcome = "Sale" }, s.user_data)
  end)

  it("leave, then complete, ends the session", function()
    local id, s = chatting(client, sim)
    local ended = 0
    client:on("ended", function(sess) if sess.id == id then ended = ended + 1 end end)
    assert.truthy(client:leave(id))
    assert.truthy(wait_state(client, id, "LeftChat"))
    -- can() answers from the vendor's LeftChat list (Transfer, Complete, Leave, InFocus),
    -- which lacks SetDisposition although the server still takes it.
    assert.is_true(s:can("Complete"))
    assert.is_false(s:can("SendMessage"))
    assert.truthy(client:set_disposition(id, "Done"))
    assert.truthy(client:complete(id))
    assert.truthy(wait_state(client, id, "Completed"))
    assert.truthy(helper.poll_until(client, function() return ended == 1 end))
    assert.is_true(s.ended)
    assert.equals("Completed", sim:session(id).agents.agent1.state)
  end)

  it("complete from Chatting closes the session for the customer", function()
    local id = chatting(client, sim)
    assert.truthy(client:complete(id, { saveLAR = true }))
    assert.truthy(wait_state(client, id, "Completed"))
    assert.equals("Completed", sim:session(id).state)
  end)

  it("reject declines an offer: Completed, as the vendor's Reject page shows", function()
    local id = sim:offer("agent1")
    local s = helper.poll_until(client, function() return client:session(id) end)
    assert.truthy(s:reject())
    assert.truthy(wait_state(client, id, "Completed"))
    assert.is_true(s.ended)
    assert.equals("Completed", sim:session(id).agents.agent1.state)
  end)

  it("the escape hatch sends undocumented operations", function()
    local id = chatting(client, sim)
    local res, err = client:operation(id, "SetInFocus")
    assert.is_nil(err)
    assert.equals(0, res.statusCode)
    local posted
    for _, r in ipairs(sim:requests()) do
      if r.path == "/api/v2/me/smssessions/" .. id then posted = r end
    end
    assert.same({ operationName = "SetInFocus" }, cjson.decode(posted.body))
    -- and reports the server's refusal like any other operation
    res, err = client:operation(id, "NoSuchOperation", { x = 1 })
    assert.is_nil(res)
    assert.equals("status", err.kind)
    assert.equals(2, err.code)
  end)

  describe("with a second agent", function()
    local agent2

    before_each(function()
      agent2 = helper.client(sim, { username = "agent2" })
      assert(agent2:start_session())
    end)
    after_each(function() agent2:close() end)

    local function pump_both(pred)
      return helper.poll_until(client, function()
        agent2:poll(0)
        return pred()
      end)
    end

    it("transfer to an agent hands the session over when they accept", function()
      local id = chatting(client, sim)
      local offered
      agent2:on("invited", function(s) offered = s end)
      local res = assert(client:transfer(id, { target_uri = client:user_uri("agent2") }))
      assert.equals(0, res.statusCode)
      assert.truthy(pump_both(function() return offered end))
      assert.equals(id, offered.id)
      assert.truthy(offered:accept("Second"))
      assert.truthy(pump_both(function()
        local s = client:session(id)
        return s.state == "Completed" and offered.state == "Chatting"
      end))
      assert.equals("Chatting", sim:session(id).agents.agent2.state)
      assert.truthy(offered:send_message("agent2 here"))
      assert.equals("Second", last(sim:session(id).transcript).from.nickname)
    end)

    it("transfer to a queue offers the session to a Ready agent", function()
      assert.truthy(agent2:ready("sms"))
      local id = chatting(client, sim)
      local offered
      agent2:on("invited", function(s) offered = s end)
      assert.truthy(client:transfer(id, { queue = "Support" }))
      assert.truthy(pump_both(function() return offered end))
      assert.equals(id, offered.id)
    end)

    it("a rejected transfer comes back as an Error notification", function()
      local id = chatting(client, sim)
      local offered, errors = nil, {}
      agent2:on("invited", function(s) offered = s end)
      client:on("Error", function(note) errors[#errors + 1] = note end)
      local res = assert(client:transfer(id, { targetUri = client:user_uri("agent2") }))
      -- Only Invite, Consult and CancelConsult answer with a referenceId: the Error's is one
      -- this client never received.
      assert.is_nil(res.referenceId)
      assert.truthy(pump_both(function() return offered end))
      assert.truthy(offered:reject())
      assert.truthy(pump_both(function() return #errors == 1 end))
      assert.equals("Error", errors[1].notificationType)
      assert.truthy(errors[1].errorMessage:find("agent2", 1, true))
      assert.equals("integer", math.type(errors[1].referenceId))
      assert.equals("Chatting", client:session(id).state)
    end)

    it("invite makes a conference of three", function()
      local id = chatting(client, sim)
      local offered
      agent2:on("invited", function(s) offered = s end)
      local res = assert(client:invite(id, { target_uri = client:user_uri("agent2") }))
      assert.equals("integer", math.type(res.referenceId))
      assert.truthy(pump_both(function() return offered end))
      assert.truthy(offered:accept("Helper"))
      assert.truthy(pump_both(function() return #client:session(id).participants == 3 end))
      local names = {}
      for _, p in ipairs(client:session(id).participants) do names[#names + 1] = p.nickname end
      assert.same({ "Bot", "Helper", "PersonP" }, names)
    end)

    it("consult, then cancel the pending consultation", function()
      local id, s = chatting(client, sim)
      local offered
      agent2:on("invited", function(x) offered = x end)
      assert.truthy(client:consult(id, { target_path = "/users/agent2" }))
      assert.truthy(pump_both(function() return offered end))
      -- CancelConsult is in no capability list the vendor shows: the server decides.
      assert.is_false(s:can("CancelConsult"))
      assert.equals("integer", math.type(assert(client:cancel_consult(id)).referenceId))
      assert.truthy(pump_both(function() return offered.state == "Revoked" end))
      assert.equals("Chatting", s.state)
    end)

    it("cancel_consult after the consultant joined reports an Error notification", function()
      local id = chatting(client, sim)
      local offered
      agent2:on("invited", function(x) offered = x end)
      assert.truthy(client:consult(id, { targetUri = client:user_uri("agent2") }))
      assert.truthy(pump_both(function() return offered end))
      assert.truthy(offered:accept("Expert"))
      assert.truthy(pump_both(function() return #client:session(id).participants == 3 end))
      local res = assert(client:cancel_consult(id))
      local note = assert(client:wait_reference(res.referenceId, 5))
      assert.equals("Error", note.notificationType)
      -- The consultant's join message is for agents only.
      local joined = sim:session(id).transcript
      assert.equals("Agents", last(joined).visibility)
    end)
  end)

  describe("error paths", function()
    -- Arguments that are valid for each operation (so that only the state or id is wrong).
    local valid = {
      accept = { nickname = "X" }, complete = nil, transfer = { queue = "Q" },
      send_message = "x", send_url = "https://x.example", send_custom_notice = "n",
      send_to_agents = "x", send_custom_notice_to_agents = "n", invite = { target_path = "/users/agent2" },
      consult = { target_path = "/users/agent2" }, attach_user_data = { k = "v" },
      update_user_data = { k = "v" }, delete_user_data = { "k" }, set_disposition = "D",
    }
    local ops = require("gws.sms.operations").list

    it("an unknown id answers statusCode 6 for every operation", function()
      for _, e in ipairs(ops) do
        local res, err = client[e.name](client, "UNKNOWN0000ID", valid[e.name])
        assert.is_nil(res, e.name)
        assert.equals(6, err.code, e.name)
      end
    end)

    it("a wrong state answers statusCode 2 for every operation (server side)", function()
      local free = helper.client(sim, { check_capabilities = false })
      finally(function() free:close() end)
      assert(free:start_session())
      local invited = sim:offer("agent1")
      local chat = chatting(free, sim)
      for _, e in ipairs(ops) do
        local id = (e.name == "accept" or e.name == "reject") and chat or invited
        local res, err = free[e.name](free, id, valid[e.name])
        assert.is_nil(res, e.name)
        assert.equals(2, err.code, e.name .. ": " .. tostring(err))
      end
    end)

    it("with check_capabilities = true, a capability the session lacks is refused locally, sending nothing", function()
      local strict = helper.client(sim, { check_capabilities = true })
      finally(function() strict:close() end)
      assert(strict:start_session())
      local invited = sim:offer("agent1")
      local chat = chatting(strict, sim)
      helper.poll_until(strict, function() return strict:session(invited) end)
      local before = #sim:rest_requests()
      for _, e in ipairs(ops) do
        local id = (e.name == "accept" or e.name == "reject") and chat or invited
        local res, err = strict[e.name](strict, id, valid[e.name])
        assert.is_nil(res, e.name)
        assert.equals("capability", err.kind, e.name)
        assert.equals(e.op, err.operation)
        assert.truthy(tostring(err):find(e.op, 1, true))
      end
      assert.equals(before, #sim:rest_requests())
    end)

    it("a missing required parameter raises, naming it, and sends nothing", function()
      local id = chatting(client, sim)
      local before = #sim:rest_requests()
      local required = {
        accept = "nickname", transfer = "targetUri", send_message = "text", send_url = "url",
        send_custom_notice = "noticeText", send_to_agents = "text", invite = "targetUri",
        consult = "targetUri", attach_user_data = "userData", update_user_data = "userData",
        delete_user_data = "keys", set_disposition = "disposition",
      }
      for name, param in pairs(required) do
        local ok, msg = pcall(client[name], client, id, {})
        assert.is_false(ok, name)
        assert.truthy(msg:find(param, 1, true), name .. ": " .. msg)
      end
      -- REST requests only: the long poll may reconnect meanwhile.
      assert.equals(before, #sim:rest_requests())
    end)

    it("the server's own missing-parameter answer is statusCode 1", function()
      local id = chatting(client, sim)
      local res, err = client:operation(id, "SendMessage", {})
      assert.is_nil(res)
      assert.equals(1, err.code)
    end)
  end)
end)

describe("the agent's session and reads", function()
  local sim, client
  helper.sim_and_client_each(function(s, c) sim, client = s, c end)

  it("start_session, ready, not_ready and end_session", function()
    assert.truthy(client:start_session { channels = { "sms" } })
    assert.truthy(client:ready())
    local id = sim:offer(nil) -- routed: agent1 is the only Ready agent
    assert.truthy(helper.poll_until(client, function() return client:session(id) end))
    assert.truthy(client:not_ready("sms"))
    local id2 = sim:offer(nil)
    client:poll(0.3)
    assert.is_nil(client:session(id2))
    assert.equals("Queued", sim:session(id2).state)
    assert.truthy(client:end_session())
  end)

  it("start_session: a channel the server refuses is a partial success (code 7), the others live", function()
    local res, err = client:start_session { channels = { "sms", "pigeon" } }
    assert.is_nil(err)
    assert.equals(7, res.statusCode)
    assert.truthy(tostring(res.statusMessage):find("pigeon", 1, true))
    -- The sms channel worked: it is live.
    assert.truthy(client:ready())
    local id = sim:offer(nil) -- routed: agent1 is the only Ready agent
    assert.truthy(helper.poll_until(client, function() return client:session(id) end))
  end)

  it("list_sessions, get_session and messages read the server's view", function()
    assert.truthy(client:start_session())
    local id = chatting(client, sim)
    sim:say(id, "second")
    local list = assert(client:list_sessions())
    local found
    for _, s in ipairs(list) do if s.id == id then found = s end end
    assert.equals("Chatting", found.state)
    local one = assert(client:get_session(id))
    assert.equals(id, one.id)
    local all = assert(client:messages(id))
    assert.equals(4, #all)
    local tail = assert(client:messages(id, { start_index = 3, count = 1 }))
    assert.equals(1, #tail)
    assert.equals(3, tail[1].index)
    local _, err = client:get_session("NOPE")
    assert.equals(6, err.code)
  end)
end)

describe("the session model", function()
  local sim, client
  helper.sim_and_client_each(function(s, c) sim, client = s, c end, { start_session = true })

  it("stays right when notifications of several sessions interleave", function()
    local ids = {}
    for i = 1, 3 do ids[i] = chatting(client, sim, "Bot" .. i) end
    for round = 1, 5 do
      for i = 3, 1, -1 do sim:say(ids[i], ("s%d m%d"):format(i, round)) end
    end
    assert.truthy(helper.poll_until(client, function()
      for _, id in ipairs(ids) do
        if #client:session(id).messages < 8 then return false end
      end
      return true
    end))
    for i, id in ipairs(ids) do
      local s = client:session(id)
      local texts = {}
      for _, m in ipairs(s.messages) do
        if m.type == "Text" and m.from.type == "Customer" and m.text ~= "Hello World" then
          texts[#texts + 1] = m.text
        end
      end
      assert.same({ ("s%d m1"):format(i), ("s%d m2"):format(i), ("s%d m3"):format(i),
                    ("s%d m4"):format(i), ("s%d m5"):format(i) }, texts)
      for j, m in ipairs(s.messages) do assert.equals(j, m.index) end
      assert.equals("Chatting", s.state)
    end
  end)

  it("delivers every transcript message to 'message' exactly once", function()
    local counts = {}
    client:on("message", function(m, s)
      local k = s.id .. "#" .. m.index
      counts[k] = (counts[k] or 0) + 1
    end)
    local id = chatting(client, sim)
    for i = 1, 10 do sim:say(id, "n" .. i) end
    assert.truthy(helper.poll_until(client, function() return #client:session(id).messages >= 13 end))
    -- A second NewMessages carrying the whole transcript (e.g. a resync) adds nothing.
    client.model:dispatch { messageType = "MessageLogUpdated", notificationType = "NewMessages",
      messages = assert(client:messages(id)), smssessionUri = "x/" .. id }
    local n = 0
    for _, c in pairs(counts) do
      n = n + 1
      assert.equals(1, c)
    end
    assert.equals(13, n)
  end)

  it("adopts what the server already holds at start, replaying no history", function()
    local id = chatting(client, sim)
    local offer = sim:offer("agent1")
    local late = helper.client(sim)
    finally(function() late:close() end)
    local rec = helper.recorder(late, { "message", "invited", "state", "ended" })
    assert(late:start_session())
    assert.truthy(helper.poll_until(late, function() return late:session(id) and late:session(offer) end))
    late:poll(0.2)
    assert.same({ "invited" }, rec:names())
    assert.equals(offer, rec.list[1][2].id)
    assert.equals("Chatting", late:session(id).state)
    assert.equals(3, #late:session(id).messages)
    -- and what happens from now on is news
    sim:say(id, "now")
    assert.truthy(helper.poll_until(late, function() return #rec:of("message") == 1 end))
    assert.equals("now", rec:of("message")[1][2].text)
  end)

  it("treats a session this client acted on before its first resync as news, not history", function()
    -- The race this pins down: offered and accepted while the first resync's list was on its
    -- way, a session's first messages were adopted silently, so no "message" ever fired.
    local offer = sim:offer("agent1", "first words")
    local early = helper.client(sim)
    finally(function() early:close() end)
    local rec = helper.recorder(early, { "message" })
    assert(early:accept(offer, "Bot")) -- acted on before notifications are connected
    assert(early:connect())
    assert.truthy(helper.poll_until(early, function() return #rec:of("message") >= 1 end))
    local texts = {}
    for _, ev in ipairs(rec:of("message")) do texts[#texts + 1] = ev[2].text end
    assert.equals("first words", texts[1])
    early:poll(0.2) -- and nothing twice
    local seen = {}
    for _, ev in ipairs(rec:of("message")) do
      local i = ev[2].index
      assert.is_nil(seen[i], "message " .. tostring(i) .. " delivered twice")
      seen[i] = true
    end
  end)

  it("waits for a state and times out with a clear error", function()
    local id = sim:offer("agent1")
    local s = assert(helper.poll_until(client, function() return client:session(id) end))
    assert.truthy(s:accept("Bot"))
    assert.equals(s, s:wait("Chatting", 3))
    local r, err = s:wait(function(x) return x.state == "Completed" end, 0.2)
    assert.is_nil(r)
    assert.equals("timeout", err.kind)
  end)
end)
