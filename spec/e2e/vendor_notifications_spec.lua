-- The vendor's notification samples are the oracle (issue #12, item 1): each one the vendor's
-- SMS pages print is published verbatim by a real gws-sim (POST /sim/publish) and reaches the
-- client over real HTTP and real Bayeux. The client must accept it, deliver it to its named
-- event with every field intact, and update the session model as the vendor's sequence
-- implies. Every case once waiting in spec/todo passes and lives here; a new fact the client
-- does not meet yet goes to spec/todo first.
local cjson = require "cjson"
local helper = require "helper"
local vendor = require "support.vendor"
local feed = require "support.vendor_feed"

local EVENTS = { "*", "StatusChange", "ParticipantsUpdated", "PropertiesUpdated", "NewMessages", "Error",
                 "invited", "message", "state", "ended" }

local ACCEPT_ID = "0000Na9B26EF002X" -- Accept, Leave and Complete samples share this session

describe("the vendor's notifications, delivered by gws-sim over Bayeux", function()
  local sim, client, rec, callback_errors

  before_each(function()
    sim = helper.start_sim()
    client = helper.client(sim)
    callback_errors = {}
    client:on_error(function(err) callback_errors[#callback_errors + 1] = tostring(err) end)
    assert(client:start_session())
    rec = helper.recorder(client, EVENTS)
  end)

  after_each(function()
    client:close()
    feed.close(sim)
    sim:stop()
  end)

  -- Publishes a sample and dispatches until the client's "*" event has seen it; returns the
  -- data and session that "*" got.
  local function deliver(rel)
    local n = #rec:of("*")
    feed.publish(sim, rel)
    assert(helper.poll_until(client, function() return #rec:of("*") > n end), rel .. " never reached the client")
    local ev = rec:of("*")[n + 1]
    return ev[2], ev[3]
  end

  describe("every notification sample", function()
    for _, rel in ipairs(vendor.files("notification")) do
      it(rel .. " is accepted and reaches its named event with every field intact", function()
        local sample = vendor.load(rel)
        local data, session = deliver(rel)
        local expected = (type(sample.data) == "table" and sample.channel) and sample.data or sample
        local ok, where = vendor.same(expected, data)
        assert.is_true(ok, "the data as delivered differs from the vendor's at " .. tostring(where))
        local kind = expected.notificationType
        if kind then
          local named = rec:of(kind)
          assert.equals(1, #named, "the " .. kind .. " event did not fire once")
          assert.equals(data, named[1][2])
          assert.equals(session, named[1][3])
        end
        -- A session sample names its session: the callback gets the live Session.
        local ss = expected.smssession or expected.smsession
        local uri = expected.smssessionUri or expected.smsessionUri
        local id = type(ss) == "table" and ss.id or (uri and uri:match("([^/]+)$"))
        if id then
          assert.equals(client:session(id), session)
          assert.equals(id, session.id)
        end
        assert.same({}, callback_errors)
      end)
    end
  end)

  describe("the model follows the vendor's sequences", function()
    it("Accept's three: Chatting with the vendor's 7 capabilities, two participants, six messages", function()
      for i = 3, 5 do deliver("Accept/" .. i .. "-notification.json") end
      local s = client:session(ACCEPT_ID)
      assert.equals("Chatting", s.state)
      assert.is_false(s.ended)
      assert.same(vendor.load("Accept/3-notification.json").smssession.capabilities, s.capabilities)
      assert.is_true(vendor.same(vendor.load("Accept/4-notification.json").smssession.participants, s.participants))
      assert.equals(6, #s.messages)
      for i, m in ipairs(s.messages) do assert.equals(i, m.index) end
      assert.equals(6, s.last_index)
      -- One state change, six message events in order, nothing ended, no offer.
      local states = rec:of("state")
      assert.equals(1, #states)
      assert.same({ nil, "Chatting" }, { states[1][3], states[1][4] })
      local msgs = rec:of("message")
      assert.equals(6, #msgs)
      for i, e in ipairs(msgs) do assert.equals(i, e[2].index) end
      assert.equals(0, #rec:of("ended"))
      assert.equals(0, #rec:of("invited"))
    end)

    it("the StatusChange whose messageType is the slip \"test_accept \" still updates the model", function()
      local data = deliver("Accept/3-notification.json")
      assert.equals("test_accept ", data.messageType)
      assert.equals(1, #rec:of("StatusChange"))
      assert.equals("Chatting", client:session(ACCEPT_ID).state)
    end)

    it("Reject: Completed with participants [], and \"ended\" once", function()
      deliver("Reject/3-notification.json")
      local s = client:session("0000Wa9CAM6W00FF")
      assert.equals("Completed", s.state)
      assert.is_true(s.ended)
      assert.equals(1, #rec:of("ended"))
      assert.equals(s, rec:of("ended")[1][2])
    end)

    it("Leave outside a conference: LeftChat with the vendor's 4 capabilities, not ended; then Complete ends it", function()
      for i = 3, 5 do deliver("Accept/" .. i .. "-notification.json") end
      deliver("Leave/3-notification.json")
      local s = client:session(ACCEPT_ID)
      assert.equals("LeftChat", s.state)
      assert.is_false(s.ended)
      assert.same({ "Transfer", "Complete", "Leave", "InFocus" }, s.capabilities)
      assert.equals(2, #s.participants, "a StatusChange without participants keeps the known ones")
      assert.equals(0, #rec:of("ended"))
      deliver("Complete/4-notification.json")
      assert.equals("Completed", s.state)
      assert.is_true(s.ended)
      assert.equals(1, #rec:of("ended"))
    end)

    it("Leave inside a conference: Completed, and \"ended\" once", function()
      for i = 3, 5 do deliver("Accept/" .. i .. "-notification.json") end
      deliver("Leave/4-notification.json")
      local s = client:session(ACCEPT_ID)
      assert.equals("Completed", s.state)
      assert.is_true(s.ended)
      assert.equals(1, #rec:of("ended"))
      local states = rec:of("state")
      assert.same({ "Chatting", "Completed" }, { states[#states][3], states[#states][4] })
    end)

    it("Invite's ParticipantsUpdated: four participants, two of them both \"TestName\", all kept", function()
      deliver("Invite/3-notification.partial.json")
      local s = client:session("0000Na9B26EF006E")
      assert.equals(4, #s.participants)
      assert.equals(16, #s.capabilities)
      local named = 0
      for _, p in ipairs(s.participants) do if p.nickname == "TestName" then named = named + 1 end end
      assert.equals(2, named)
    end)
  end)

  describe("the Error shape", function()
    for _, rel in ipairs { "CancelConsult/3-notification.json", "CancelConsult/4-notification.json" } do
      it(rel .. ": three keys, no session; \"Error\" fires with a nil session and the model is untouched", function()
        local before = #client:sessions()
        local data, session = deliver(rel)
        assert.same({ "errorMessage", "notificationType", "referenceId" }, (function()
          local keys = {}
          for k in pairs(data) do keys[#keys + 1] = k end
          table.sort(keys)
          return keys
        end)())
        assert.is_nil(session)
        local errs = rec:of("Error")
        assert.equals(1, #errs)
        assert.is_nil(errs[1][3])
        assert.equals(before, #client:sessions())
        assert.same({}, callback_errors)
      end)
    end
  end)

  describe("the vendor's spelling variants (INDEX.md §2.8)", function()
    it("session key smsession (SetDisposition): the disposition lands in the session's user data", function()
      local data, session = deliver("SetDisposition/3-notification.json")
      assert.equals(client:session("0000Na9B26EF003M"), session)
      assert.equals("IssueResolved", session.user_data.DispositionCode)
      assert.equals("Chatting", session.state)
      assert.equals(session, rec:of("PropertiesUpdated")[1][3])
      assert.equals(data.smsession.uri, session.uri) -- "http: //localhost:8080/…/smsessions/…" verbatim
    end)

    local uris = {
      { "SendCustomNotice/3-notification.json", "0000RaB4Q006001F", "smsessionUri + smsessionPath, /smsessions/" },
      { "SendCustomNoticeToAgents/3-notification.json", "0000RaB4Q006001K", "smssessionUri + smssessionPath" },
      { "SendStopTypingNotification/3-notification.json", "0000Wa9CAM6W00FY", "smsessionUri alone" },
      { "SendMessage/3-notification.json", "0000Wa9CAM6W00FN", "smssessionUri (the usual)" },
    }
    for _, case in ipairs(uris) do
      local rel, id, what = table.unpack(case)
      it(what .. " (" .. rel .. "): the message reaches session " .. id, function()
        local sample = vendor.load(rel)
        deliver(rel)
        local s = client:session(id)
        assert.truthy(s, "no session " .. id)
        local m = sample.messages[1]
        assert.is_true(vendor.same(m, s:message(m.index)))
        local got = rec:of("message")
        assert.equals(1, #got)
        assert.equals(s, got[1][3])
      end)
    end

    it("a session uri with spaces inside (Reject: \"http: //localhost: 8080/…\") is kept verbatim", function()
      deliver("Reject/3-notification.json")
      assert.equals("http: //localhost: 8080/api/v2/smssessions/0000Wa9CAM6W00FF", client:session("0000Wa9CAM6W00FF").uri)
    end)
  end)

  describe("the three timestamp forms (INDEX.md §2.6), passed through as text", function()
    local forms = {
      { "Accept/5-notification.json", "0000Na9B26EF002X", "2014-01-02T14:23:18.000-0800", nil },
      { "SendMessage/3-notification.json", "0000Wa9CAM6W00FN", "2014-01-09 11:58:12.035+0200", 1389261492035 },
      { "SendUrl/3-notification.json", "0001Ea9Q8UVY000T", "2014-05-1502:24:00.000-0700", 1400145840000 },
    }
    for _, case in ipairs(forms) do
      local rel, id, stamp, millis = table.unpack(case)
      it(stamp .. " (" .. rel .. ")", function()
        deliver(rel)
        local m = client:session(id).messages[1]
        assert.equals(stamp, m.timestamp)
        if millis then
          assert.equals("integer", math.type(m.timestampSeconds))
          assert.equals(millis, m.timestampSeconds)
        else
          assert.is_nil(m.timestampSeconds)
        end
      end)
    end
  end)

  it("user data as the vendor prints it (keys with spaces and hyphens, integers, null) lands in the model", function()
    -- The cut sample lost its session id; its uri names the session, so the spec puts the id back.
    local rel = "UpdateUserData/3-notification.partial.json"
    local id = "0000Wa9CAM6W00J"
    local n = #rec:of("*")
    feed.publish_text(sim, (vendor.text(rel):gsub('"smssession"%s*:%s*{', '"smssession": {"id": "' .. id .. '",', 1)))
    assert(helper.poll_until(client, function() return #rec:of("*") > n end))
    local s = client:session(id)
    local ok, where = vendor.same(vendor.load(rel).smssession.userData, s.user_data)
    assert.is_true(ok, "user data differs from the vendor's at " .. tostring(where))
    assert.equals(vendor.null, s.user_data.RRequestedSkills)
    assert.equals(1, s.user_data["PegAGChat distribution for processing"])
  end)

  it("wait_reference: a reused referenceId (Accept's 17, then Leave's 17) never returns the stale one", function()
    local accept = deliver("Accept/3-notification.json")
    local leave = deliver("Leave/3-notification.json")
    assert.equals(accept.referenceId, leave.referenceId)
    local got = client:wait_reference(17, 0.3)
    assert.are_not.equal(accept, got)
  end)

  describe("capabilities (INDEX.md §2.1): the list as the vendor sends it", function()
    it("can() answers from the latest list", function()
      deliver("Accept/3-notification.json")
      local s = client:session(ACCEPT_ID)
      assert.is_true(s:can("SendMessage"))
      assert.is_true(s:can("Complete"))
      assert.is_false(s:can("Invite"))
      deliver("Leave/3-notification.json")
      assert.is_false(s:can("SendMessage"))
      assert.is_true(s:can("Complete"))
    end)

    it("can() maps the vendor's names: InFocus means SetInFocus", function()
      deliver("Accept/3-notification.json")
      assert.is_true(client:session(ACCEPT_ID):can("SetInFocus"))
    end)

    it("can() maps the vendor's names: the plural list entry allows the singular operation", function()
      deliver("Invite/3-notification.partial.json")
      local s = client:session("0000Na9B26EF006E")
      assert.is_true(s:can("SendStopTypingToAgentNotification"))
      assert.is_true(s:can("SendStopTypingToAgentsNotification"))
    end)
  end)

  describe("capabilities are advisory (INDEX.md §2.1)", function()
    -- The operation must go to the server (whatever it answers: the simulator does not know the
    -- vendor's session ids), never be refused locally.
    local function assert_sent(id, op, call)
      sim:clear_requests()
      local _, err = call()
      assert.is_true(err == nil or err.kind ~= "capability",
        op .. " was refused locally: " .. tostring(err))
      local found = false
      for _, r in ipairs(sim:rest_requests()) do
        local body = type(r.body) == "string" and cjson.decode(r.body) or r.body
        if r.method == "POST" and r.path == "/api/v2/me/smssessions/" .. id
          and type(body) == "table" and body.operationName == op then
          found = true
        end
      end
      assert.is_true(found, op .. " never reached the server")
    end

    local after_accept = {
      { "SetDisposition", function(c) return c:set_disposition(ACCEPT_ID, "Done") end },
      { "SendUrl", function(c) return c:send_url(ACCEPT_ID, "http://www.genesys.com") end },
      { "SendCustomNotice", function(c) return c:send_custom_notice(ACCEPT_ID, "notice") end },
      { "SendToAgents", function(c) return c:send_to_agents(ACCEPT_ID, "psst") end },
      { "AttachUserData", function(c) return c:attach_user_data(ACCEPT_ID, { k = "v" }) end },
      { "CancelConsult", function(c) return c:cancel_consult(ACCEPT_ID) end },
    }
    for _, case in ipairs(after_accept) do
      it(case[1] .. " is sent in Chatting although Accept's 7-entry list lacks it", function()
        for i = 3, 5 do deliver("Accept/" .. i .. "-notification.json") end
        assert_sent(ACCEPT_ID, case[1], function() return case[2](client) end)
      end)
    end

    for _, case in ipairs {
      { "AttachUserData", function(c) return c:attach_user_data(ACCEPT_ID, { k = "v" }) end },
      { "SetDisposition", function(c) return c:set_disposition(ACCEPT_ID, "Done") end },
    } do
      it(case[1] .. " is sent in LeftChat (the Leave page says it still works; the list of 4 lacks it)", function()
        for i = 3, 5 do deliver("Accept/" .. i .. "-notification.json") end
        deliver("Leave/3-notification.json")
        assert_sent(ACCEPT_ID, case[1], function() return case[2](client) end)
      end)
    end
  end)
end)
