-- gws.sms.session alone: applying views, the transcript, moving forward only, and its
-- operations and waits going through its owner (a plain table here).
local session = require "gws.sms.session"

describe("gws.sms.session", function()
  local function names(events)
    local out = {}
    for i, e in ipairs(events) do out[i] = e[1] end
    return out
  end

  it("applies a view: state, capabilities, participants, user data; derives events", function()
    local s = session.new({}, "S1")
    assert.is_true(s:can("Accept")) -- nothing known yet: the server decides
    local ev = s:apply({ state = "Invited", capabilities = { "Accept", "Reject" },
      participants = { { type = "Customer" } }, userData = { k = "v" } }, "StatusChange")
    assert.same({ "invited", "state" }, names(ev))
    assert.is_true(s:can("Accept"))
    assert.is_false(s:can("SendMessage"))
    assert.equals("v", s.user_data.k)
    -- an empty participant list in a StatusChange keeps what we know
    s:apply({ state = "Chatting", participants = {} }, "StatusChange")
    assert.equals(1, #s.participants)
    assert.same({ "state", "ended" }, names(s:apply({ state = "Completed" })))
    assert.is_true(s.ended)
  end)

  it("can() compares the vendor's spellings as one name (InFocus/SetInFocus, plural/singular)", function()
    local s = session.new({}, "S1")
    s:apply({ state = "Chatting", capabilities = { "InFocus", "SendStopTypingToAgentsNotification" } })
    assert.is_true(s:can("SetInFocus"))
    assert.is_true(s:can("InFocus"))
    assert.is_true(s:can("SendStopTypingToAgentNotification"))
    assert.is_false(s:can("SendStartTypingToAgentsNotification"))
    s:apply({ state = "Chatting", capabilities = { "SetInFocus", "SendStartTypingToAgentNotification" } })
    assert.is_true(s:can("InFocus"))
    assert.is_true(s:can("SendStartTypingToAgentsNotification"))
    assert.is_false(s:can("SendStopTypingToAgentNotification"))
  end)

  it("never goes from Chatting back to an offer; invited and ended fire once a round", function()
    local s = session.new({}, "S1")
    s:apply { state = "Invited", capabilities = { "Accept" } }
    s:apply { state = "Chatting", capabilities = { "SendMessage" } }
    assert.same({}, s:apply { state = "Invited", capabilities = { "Accept" } })
    assert.equals("Chatting", s.state)
    assert.is_true(s:can("SendMessage"))
    assert.same({ "state", "ended" }, names(s:apply { state = "Completed" }))
    assert.same({ "state" }, names(s:apply { state = "Revoked" })) -- ended already
    -- offered again after it ended (transferred back): a new round
    assert.same({ "invited", "state" }, names(s:apply { state = "Invited" }))
    assert.is_false(s.ended)
  end)

  it("merges transcript messages once each, in index order, and finds them by index", function()
    local s = session.new({}, "S1")
    local fresh = s:add_messages { { index = 2, text = "b" }, { index = 1.0, text = "a" } }
    assert.same({ 1, 2 }, { fresh[1].index, fresh[2].index })
    assert.same({}, s:add_messages { { index = 1 }, { index = 2 } })
    s:add_messages { { index = 5, text = "e" }, { index = 3, text = "c" } }
    local idx = {}
    for i, m in ipairs(s.messages) do idx[i] = m.index end
    assert.same({ 1, 2, 3, 5 }, idx)
    assert.equals("c", s:message(3).text)
    assert.is_nil(s:message(4))
    assert.equals(5, s.last_index)
  end)

  it("builds its operations from the table and sends them through its owner", function()
    local sent = {}
    local owner = { max_string = 100 }
    function owner.perform(_, id, entry, body, timeout)
      sent[#sent + 1] = { id, entry.op, body, timeout }
      return { statusCode = 0 }
    end
    local s = session.new(owner, "S9")
    assert.truthy(s:send_message("hi", { timeout = 2 }))
    assert.same({ "S9", "SendMessage", { operationName = "SendMessage", text = "hi" }, 2 }, sent[1])
    assert.truthy(s:accept { nickname = "Bot", saveLAR = true })
    assert.equals("Accept", sent[2][2])
    local ok, err = pcall(function() s:send_message(42) end)
    assert.is_false(ok)
    assert.truthy(err:find("bad argument 'text'", 1, true))
    assert.truthy(err:find("session_spec.lua", 1, true)) -- blamed on the caller
    assert.equals(2, #sent)
  end)

  it("wait asks its owner, with a predicate and a message for the timeout", function()
    local owner = {}
    function owner.wait(_, pred, timeout, desc, result)
      return pred() and result or nil, desc() .. " in " .. timeout
    end
    local s = session.new(owner, "S1")
    s:apply { state = "Chatting" }
    assert.equals(s, s:wait("Chatting", 1))
    local r, why = s:wait(function(x) return x.state == "Completed" end, 1)
    assert.is_nil(r)
    assert.truthy(why:find("did not satisfy", 1, true))
    assert.has_error(function() s:wait(42) end)
  end)
end)
