-- The vendor's notification samples the client does NOT handle as the vendor means yet
-- (issue #12): the to-do list for the client, as specs. Not run by `make test` (.busted
-- excludes *_todo_spec.lua); see spec/todo/README.md. When a case passes, move it into
-- spec/e2e/vendor_notifications_spec.lua.
local cjson = require "cjson"
local helper = require "helper"
local feed = require "support.vendor_feed"

local ACCEPT_ID = "0000Na9B26EF002X"

describe("the vendor's notifications the client does not honour yet", function()
  local sim, client, rec

  before_each(function()
    sim = helper.start_sim()
    client = helper.client(sim)
    assert(client:start_session())
    rec = helper.recorder(client, { "*" })
  end)

  after_each(function()
    client:close()
    feed.close(sim)
    sim:stop()
  end)

  local function deliver(rel)
    local n = #rec:of("*")
    feed.publish(sim, rel)
    assert(helper.poll_until(client, function() return #rec:of("*") > n end), rel .. " never reached the client")
    return rec:of("*")[n + 1][2]
  end

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

  describe("capabilities are advisory (INDEX.md §2.1)", function()
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

  it("wait_reference: a reused referenceId (Accept's 17, then Leave's 17) never returns the stale one", function()
    local accept = deliver("Accept/3-notification.json")
    local leave = deliver("Leave/3-notification.json")
    assert.equals(accept.referenceId, leave.referenceId)
    local got = client:wait_reference(17, 0.3)
    assert.are_not.equal(accept, got)
  end)
end)
