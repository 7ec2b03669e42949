-- gws-sim's own output for the vendor's stories has the vendor's shape (issue #12, item 1,
-- third point; item 4): same keys, same value kinds, same states, the same referenceId
-- presence, the same incomplete capability lists. Compared programmatically against the files
-- of spec/fixtures/vendor/ (support.vendor.shape_diff), not by eye.
local helper = require "helper"
local vendor = require "support.vendor"

local CHATTING_LISTS = { "Accept/3-notification.json", "Invite/3-notification.partial.json",
                         "AttachUserData/3-notification.partial.json", "Resources/1-response.json" }

-- Every capability list the vendor shows for Chatting (7, 16, 13 and 8 entries).
local function vendor_chatting_lists()
  local out = {}
  for _, rel in ipairs(CHATTING_LISTS) do
    local t = vendor.load(rel)
    out[#out + 1] = (t.smssession or t).capabilities
  end
  return out
end

local function assert_shape(rel, ours, opts)
  local diff = vendor.shape_diff(vendor.load(rel), ours, opts)
  assert.is_true(#diff == 0, "gws-sim's output differs from " .. rel .. ":\n  " .. table.concat(diff, "\n  "))
end

local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

describe("gws-sim's output has the vendor's shape", function()
  local sim, client, rec

  before_each(function()
    sim = helper.start_sim()
    -- No local capability check: these stories are about what the simulator sends.
    client = helper.client(sim, { check_capabilities = false })
    assert(client:start_session())
    rec = helper.recorder(client, { "*" })
  end)

  after_each(function()
    client:close()
    sim:stop()
  end)

  -- The notifications of the client's agent that arrive (within `timeout`) after `mark`.
  local function since(mark) return table.move(rec.list, mark + 1, #rec.list, 1, {}) end
  local function wait_count(mark, n, timeout)
    helper.poll_until(client, function() return #rec.list >= mark + n end, timeout or 3)
    local out = {}
    for i, e in ipairs(since(mark)) do out[i] = e[2] end
    return out
  end
  local function chatting()
    local id = helper.chatting(client, sim, "TestName")
    helper.poll_until(client, function() return false end, 0.2) -- let stragglers of the accept land
    return id
  end
  local function of_type(list, kind)
    for _, d in ipairs(list) do if d.notificationType == kind then return d end end
  end
  -- The first notification (of `kind`, if given) after `mark`, within 3 s.
  local function first_after(mark, kind)
    local found
    helper.poll_until(client, function()
      for i = mark + 1, #rec.list do
        local d = rec.list[i][2]
        if kind == nil or d.notificationType == kind then found = d; return true end
      end
    end, 3)
    return found
  end

  describe("Accept", function()
    it("answers {\"statusCode\":0} alone", function()
      local id = sim:offer("agent1")
      helper.poll_until(client, function() return client:session(id) end)
      local res = assert(client:accept(id, "TestName"))
      assert.same(keys(vendor.load("Accept/2-response.json")), keys(res))
    end)

    it("publishes StatusChange, ParticipantsUpdated, NewMessages shaped as the vendor's three", function()
      local id = sim:offer("agent1")
      helper.poll_until(client, function() return client:session(id) end)
      local mark = #rec.list
      assert(client:accept(id, "TestName"))
      local got = wait_count(mark, 3)
      assert.equals(3, #got)
      assert.same({ "StatusChange", "ParticipantsUpdated", "NewMessages" },
        { got[1].notificationType, got[2].notificationType, got[3].notificationType })
      assert.equals("SMSsessionStateChangeMessage", got[1].messageType) -- not the sample's slip
      assert_shape("Accept/3-notification.json", got[1])
      assert_shape("Accept/4-notification.json", got[2])
      -- The Accept page's transcript alone lacks timestampSeconds; every other page has it.
      assert_shape("Accept/5-notification.json", got[3], { optional = { ["data.messages[].timestampSeconds"] = true } })
      assert.same(vendor.load("Accept/3-notification.json").smssession.capabilities, got[1].smssession.capabilities)
      assert.same({}, got[1].smssession.participants)
    end)

    it("session uris have no /me and timestamps are in the vendor's form, timestampSeconds in ms", function()
      local id = chatting()
      local s = client:session(id)
      assert.matches("/api/v2/smssessions/" .. id .. "$", s.uri)
      assert.is_nil(s.uri:find("/me/", 1, true))
      for _, m in ipairs(s.messages) do
        assert.is_true(vendor.vendor_timestamp(m.timestamp), "timestamp " .. tostring(m.timestamp))
        assert.equals("integer", math.type(m.timestampSeconds))
        assert.is_true(m.timestampSeconds > 1e12, "timestampSeconds is not in milliseconds")
      end
    end)
  end)

  describe("the operations that publish one NewMessages", function()
    local cases = {
      { "SendMessage", function(c, id) return c:send_message(id, "How may I help you?") end },
      { "SendUrl", function(c, id) return c:send_url(id, "http://www.genesys.com") end },
      { "SendCustomNotice", function(c, id) return c:send_custom_notice(id, "This is a custom notice") end },
      { "SendToAgents", function(c, id) return c:send_to_agents(id, "We need your help?") end },
      { "SendStartTypingNotification", function(c, id) return c:start_typing(id) end },
      { "SendStopTypingNotification", function(c, id) return c:stop_typing(id) end },
      { "SendStartTypingToAgentsNotification", function(c, id) return c:start_typing_to_agents(id) end },
      { "SendStopTypingToAgentsNotification", function(c, id) return c:stop_typing_to_agents(id) end },
    }
    for _, case in ipairs(cases) do
      local folder, call = case[1], case[2]
      it(folder .. ": answers {\"statusCode\":0} alone", function()
        local id = chatting()
        local res = assert(call(client, id))
        assert.same(keys(vendor.load(folder .. "/2-response.json")), keys(res))
      end)

      it(folder .. ": publishes the NewMessages of the vendor's page", function()
        local id = chatting()
        local mark = #rec.list
        assert(call(client, id))
        local note = of_type(wait_count(mark, 1), "NewMessages")
        assert.truthy(note, "no NewMessages")
        assert_shape(folder .. "/3-notification.json", note)
        local m, v = note.messages[1], vendor.load(folder .. "/3-notification.json").messages[1]
        assert.same({ v.type, v.visibility }, { m.type, m.visibility })
      end)
    end
  end)

  for _, case in ipairs {
    { "SetDisposition", function(c, id) return c:set_disposition(id, "Done") end, "SetDisposition/2-response.json" },
    { "AttachUserData", function(c, id) return c:attach_user_data(id, { k = "v" }) end, "AttachUserData/2-response.json" },
    { "UpdateUserData", function(c, id) return c:update_user_data(id, { k = "v" }) end, "UpdateUserData/2-response.json" },
    { "DeleteUserData", function(c, id) return c:delete_user_data(id, { "k" }) end, "DeleteUserData/2-response.json" },
    { "Leave", function(c, id) return c:leave(id) end, "Leave/2-response.json" },
    { "Complete", function(c, id) return c:complete(id) end, "Complete/3-response.json" },
  } do
    it(case[1] .. ": answers {\"statusCode\":0} alone", function()
      local id = chatting()
      local res = assert(case[2](client, id))
      assert.same(keys(vendor.load(case[3])), keys(res))
    end)
  end

  it("Reject: answers {\"statusCode\":0} alone", function()
    local id = sim:offer("agent1")
    helper.poll_until(client, function() return client:session(id) end)
    local res = assert(client:reject(id))
    assert.same(keys(vendor.load("Reject/2-response.json")), keys(res))
  end)

  it("Leave outside a conference: StatusChange to LeftChat with the vendor's 4 capabilities", function()
    local id = chatting()
    local mark = #rec.list
    assert(client:leave(id))
    local note = of_type(wait_count(mark, 1), "StatusChange")
    assert_shape("Leave/3-notification.json", note)
    assert.equals("LeftChat", note.smssession.state)
    assert.same(vendor.load("Leave/3-notification.json").smssession.capabilities, note.smssession.capabilities)
  end)

  it("Complete: StatusChange to Completed without referenceId, capabilities or participants", function()
    local id = chatting()
    local mark = #rec.list
    assert(client:complete(id))
    local note = of_type(wait_count(mark, 1), "StatusChange")
    assert_shape("Complete/4-notification.json", note)
  end)

  it("Reject: StatusChange to Completed with participants [] and a referenceId; no Revoked", function()
    local id = sim:offer("agent1")
    helper.poll_until(client, function() return client:session(id) end)
    local mark = #rec.list
    assert(client:reject(id))
    local note = of_type(wait_count(mark, 1), "StatusChange")
    assert_shape("Reject/3-notification.json", note)
    assert.equals("Completed", note.smssession.state)
    assert.same({}, note.smssession.participants)
  end)

  it("a Chatting capability list is one the vendor shows (7, 8, 13 or 16 entries), never all operations", function()
    local id = chatting()
    local caps = client:session(id).capabilities
    local found = false
    for _, list in ipairs(vendor_chatting_lists()) do
      if vendor.same(list, caps) then found = true end
    end
    assert.is_true(found, "Chatting list not among the vendor's: " .. table.concat(caps, ", "))
  end)

  describe("with a second agent", function()
    local agent2

    before_each(function()
      agent2 = helper.client(sim, { username = "agent2", check_capabilities = false })
      assert(agent2:start_session())
    end)
    after_each(function() agent2:close() end)

    local function pump_both(pred)
      return helper.poll_until(client, function()
        agent2:poll(0)
        return pred()
      end)
    end

    it("Leave inside a conference: the leaver sees StatusChange to Completed, shaped as the vendor's", function()
      local id = chatting()
      local offered
      agent2:on("invited", function(s) offered = s end)
      assert(client:invite(id, { targetUri = client:user_uri("agent2") }))
      assert.truthy(pump_both(function() return offered end))
      assert(offered:accept("Helper"))
      assert.truthy(pump_both(function() return #client:session(id).participants == 3 end))
      local mark = #rec.list
      assert(client:leave(id))
      local note = of_type(wait_count(mark, 1), "StatusChange")
      assert_shape("Leave/4-notification.json", note)
      assert.equals("Completed", note.smssession.state)
    end)

    it("CancelConsult: the answer carries a referenceId; a failure is an Error of three keys only", function()
      local id = chatting()
      local offered
      agent2:on("invited", function(s) offered = s end)
      assert(client:consult(id, { targetUri = client:user_uri("agent2") }))
      assert.truthy(pump_both(function() return offered end))
      assert(offered:accept("Expert"))
      assert.truthy(pump_both(function() return #client:session(id).participants == 3 end))
      local mark = #rec.list
      local res = assert(client:cancel_consult(id))
      assert.equals("integer", math.type(res.referenceId))
      local note = of_type(wait_count(mark, 1), "Error")
      assert.truthy(note, "no Error")
      assert_shape("CancelConsult/3-notification.json", note)
    end)

    it("CancelConsult that succeeds publishes nothing to the canceller", function()
      local id = chatting()
      local offered
      agent2:on("invited", function(s) offered = s end)
      assert(client:consult(id, { targetUri = client:user_uri("agent2") }))
      assert.truthy(pump_both(function() return offered end))
      helper.poll_until(client, function() return false end, 0.2)
      local mark = #rec.list
      local res = assert(client:cancel_consult(id))
      pump_both(function() return false end)
      for _, e in ipairs(since(mark)) do
        assert.are_not.equal(res.referenceId, e[2].referenceId)
      end
    end)
  end)

  it("SetDisposition: PropertiesUpdated shaped as the vendor's, the disposition in userData", function()
    local id = helper.chatting(client, sim, "TestName")
    local mark = #rec.list
    assert(client:set_disposition(id, { disposition = "IssueResolved", dispositionKey = "DispositionCode" }))
    local note = assert(first_after(mark, "PropertiesUpdated"), "no PropertiesUpdated")
    assert_shape("SetDisposition/3-notification.json", note, { free = { ["data.smssession.userData"] = true } })
    assert.equals("IssueResolved", note.smssession.userData.DispositionCode)
  end)

  for _, case in ipairs {
    { "AttachUserData", function(c, id) return c:attach_user_data(id, { UserData1 = "DATA1", UserData2 = 123456789 }) end },
    { "UpdateUserData", function(c, id) return c:update_user_data(id, { UserData1 = 987654321 }) end },
    { "DeleteUserData", function(c, id) return c:delete_user_data(id, { "UserData1" }) end },
  } do
    it(case[1] .. ": the notification has the cut sample's keys, referenceId included", function()
      local id = helper.chatting(client, sim, "TestName")
      local mark = #rec.list
      assert(case[2](client, id))
      local note = assert(first_after(mark), "no notification")
      assert_shape(case[1] .. "/3-notification.partial.json", note,
        { partial = true, free = { ["data.smssession.userData"] = true } })
    end)
  end

  for _, op in ipairs { "Invite", "Consult" } do
    it(op .. " answers {statusCode, referenceId} as the vendor's", function()
      local agent2 = helper.client(sim, { username = "agent2" })
      assert(agent2:start_session())
      local id = helper.chatting(client, sim, "TestName")
      local res = assert(client:operation(id, op, { targetUri = client:user_uri("agent2") }))
      assert.same(keys(vendor.load(op .. "/2-response.json")), keys(res))
      assert.equals("integer", math.type(res.referenceId))
      agent2:close()
    end)
  end
end)
