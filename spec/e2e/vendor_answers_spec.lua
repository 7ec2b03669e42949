-- The vendor's answer samples are the oracle (issue #12, item 1): each REST answer the
-- vendor's pages print is served verbatim to the client over real HTTP (by
-- spec/support/answer_server.lua, a canned-answer server with none of our code in it), and the
-- client must read it as the vendor means it. The request the client sends for each operation
-- is checked against the vendor's request sample too. Every case once waiting in spec/todo
-- passes and lives here; a new fact the client does not meet yet goes to spec/todo first.
local cjson = require "cjson"
local vendor = require "support.vendor"
local answers = require "support.answers"

local ID = "0071023821aec011" -- the session id of the vendor's request lines
local SESSION_PATH = "/api/v2/me/smssessions/" .. ID
local CONTACT = "http://localhost:8080/api/v2/contacts/429a55994ef64991a77acb77c1cf9041"

-- Every operation page: the client call its request sample shows, the request, the answer.
local OPERATIONS = {
  { "Accept", function(c) return c:accept(ID, "John Doe") end, "Accept/1-request.json", "Accept/2-response.json" },
  { "Reject", function(c) return c:reject(ID) end, "Reject/1-request.json", "Reject/2-response.json" },
  { "Complete", function(c) return c:complete(ID) end, "Complete/1-request.json", "Complete/3-response.json" },
  { "Complete to a queue", function(c) return c:complete(ID, { queueName = "PostProcessingQueue" }) end,
    "Complete/2-request.json", "Complete/3-response.json" },
  { "Leave", function(c) return c:leave(ID) end, "Leave/1-request.json", "Leave/2-response.json" },
  { "SendMessage", function(c) return c:send_message(ID, "How may I help you?") end,
    "SendMessage/1-request.json", "SendMessage/2-response.json" },
  { "SendUrl", function(c) return c:send_url(ID, "http://www.genesys.com") end,
    "SendUrl/1-request.json", "SendUrl/2-response.json" },
  { "SendCustomNotice", function(c) return c:send_custom_notice(ID, "This is a custom notice") end,
    "SendCustomNotice/1-request.json", "SendCustomNotice/2-response.json" },
  { "SendToAgents", function(c) return c:send_to_agents(ID, "We need your help?") end,
    "SendToAgents/1-request.json", "SendToAgents/2-response.json" },
  { "SendStartTypingNotification", function(c) return c:start_typing(ID) end,
    "SendStartTypingNotification/1-request.json", "SendStartTypingNotification/2-response.json" },
  { "SendStopTypingNotification", function(c) return c:stop_typing(ID) end,
    "SendStopTypingNotification/1-request.json", "SendStopTypingNotification/2-response.json" },
  { "SendStartTypingToAgentsNotification", function(c) return c:start_typing_to_agents(ID) end,
    "SendStartTypingToAgentsNotification/1-request.json", "SendStartTypingToAgentsNotification/2-response.json" },
  { "SendStopTypingToAgentNotification (singular, as its page prints it)",
    function(c) return c:stop_typing_to_agents(ID) end,
    "SendStopTypingToAgentsNotification/1-request.json", "SendStopTypingToAgentsNotification/2-response.json" },
  { "SendCustomNoticeToAgents", function(c) return c:send_custom_notice_to_agents(ID, "This is a custom notice to Agents") end,
    "SendCustomNoticeToAgents/1-request.json", "SendCustomNoticeToAgents/2-response.json" },
  { "Consult", function(c) return c:consult(ID, { targetUri = CONTACT }) end,
    "Consult/1-request.json", "Consult/2-response.json" },
  { "CancelConsult", function(c) return c:cancel_consult(ID) end,
    "CancelConsult/1-request.json", "CancelConsult/2-response.json" },
  { "AttachUserData", function(c) return c:attach_user_data(ID, { UserData1 = "DATA1", UserData2 = 123456789 }) end,
    "AttachUserData/1-request.json", "AttachUserData/2-response.json" },
  { "UpdateUserData", function(c)
      return c:update_user_data(ID, { UserData1 = 987654321, UserData2 = "DATAUPDATE-@123" })
    end, "UpdateUserData/1-request.json", "UpdateUserData/2-response.json" },
  { "DeleteUserData", function(c) return c:delete_user_data(ID, { "UserData1" }) end,
    "DeleteUserData/1-request.json", "DeleteUserData/2-response.json" },
  { "SetDisposition", function(c)
      return c:set_disposition(ID, { disposition = "IssueResolved", dispositionKey = "DispositionCode" })
    end, "SetDisposition/1-request.json", "SetDisposition/2-response.json" },
}

describe("the vendor's answers, served verbatim over HTTP", function()
  local server, client
  answers.server_and_client_each(function(s, c) server, client = s, c end)

  describe("each operation page", function()
    for _, case in ipairs(OPERATIONS) do
      local title, call, request_file, response_file = table.unpack(case)
      it(title .. ": sends the vendor's request and returns the vendor's answer", function()
        answers.check_operation(server, client, SESSION_PATH, call, request_file, response_file)
      end)
    end

    it("Invite: returns the vendor's referenceId 35 (the sample's userUri sent as targetUri, the table's name)", function()
      server:answer { answers.vendor_me(), answers.json("POST", SESSION_PATH, vendor.text("Invite/2-response.json")) }
      local res, err = client:invite(ID, { targetUri = vendor.load("Invite/1-request.json").userUri })
      assert.is_nil(err)
      assert.is_true(vendor.same(vendor.load("Invite/2-response.json"), res))
      local sent = server:posts(SESSION_PATH)
      assert.same({ operationName = "Invite", targetUri = CONTACT }, cjson.decode(sent[1].body))
    end)

    it("EndContactCenterSession: sends the vendor's request to /me", function()
      answers.check_operation(server, client, "/api/v2/me", function(c) return c:end_session() end,
        "EndContactCenterSession/1-request.json", "EndContactCenterSession/2-response.json")
    end)
  end)

  describe("the referenceIds of answers", function()
    for _, case in ipairs { { "Invite", 35 }, { "Consult", 35 }, { "CancelConsult", 5 } } do
      it(case[1] .. "'s answer carries referenceId " .. case[2] .. " as an integer", function()
        server:answer { answers.vendor_me(),
          answers.json("POST", SESSION_PATH, vendor.text(case[1] .. "/2-response.json")) }
        local res = assert(client:operation(ID, case[1]))
        assert.equals(case[2], res.referenceId)
        assert.equals("integer", math.type(res.referenceId))
      end)
    end

    it("every other operation's answer has no referenceId, and that is a success", function()
      server:answer { answers.vendor_me(), answers.json("POST", SESSION_PATH, vendor.text("SendMessage/2-response.json")) }
      local res, err = client:send_message(ID, "hi")
      assert.is_nil(err)
      assert.is_nil(res.referenceId)
    end)
  end)

  describe("status answers", function()
    it("reads {\"statusCode\":20,\"statusMessage\":\"Access denied\"} as a status error, code 20", function()
      server:answer { answers.vendor_me(),
        answers.json("POST", SESSION_PATH, vendor.text("InterpretingaResponse/3-response.json")) }
      local res, err = client:send_message(ID, "hi")
      assert.is_nil(res)
      assert.equals("status", err.kind)
      assert.equals(20, err.code)
      assert.matches("Access denied", err.message, 1, true)
    end)

    it("reads the same body with HTTP 401 as an authentication failure, code 20", function()
      server:answer { answers.vendor_me(), answers.json("POST", SESSION_PATH,
        vendor.text("InterpretingaResponse/3-response.json"), { status = 401 }) }
      local res, err = client:send_message(ID, "hi")
      assert.is_nil(res)
      assert.equals(20, err.code)
      assert.equals(401, err.http_status)
    end)
  end)

  describe("agent channel state", function()
    local function ready_answer(file)
      server:answer { answers.vendor_me(), answers.json("POST", "/api/v2/me/channels/sms", vendor.text(file)) }
    end

    it("Ready: accepts the supervisor page's string \"statusCode\": \"0\"", function()
      ready_answer("AgentStateControlReady/2-response.json")
      local res, err = client:ready("sms")
      assert.is_nil(err)
      assert.truthy(res)
    end)

    it("Ready: accepts the 8.5.1 page's {\"status\":\"ok\"}", function()
      ready_answer("SettingAgentStateChannel/2-response.json")
      local res, err = client:ready("sms")
      assert.is_nil(err)
      assert.truthy(res)
    end)

    it("Ready: reads {\"status\":\"error\",\"errorDescription\":…} as a status error naming it", function()
      ready_answer("SettingAgentStateChannel/3-response.json")
      local res, err = client:ready("sms")
      assert.is_nil(res)
      assert.equals("status", err.kind)
      assert.matches("details", err.message, 1, true)
    end)
  end)

  it("NotReady: sends the 8.5.1 page's request to /me/channels/sms", function()
    server:answer { answers.vendor_me(), answers.json("POST", "/api/v2/me/channels/sms",
      '{"statusCode":0}') }
    assert(client:not_ready("sms"))
    local sent = server:posts("/api/v2/me/channels/sms")
    assert.equals(1, #sent)
    assert.is_true(vendor.same(vendor.load("SettingAgentStateChannel/4-request.json"), cjson.decode(sent[1].body)))
  end)

  describe("the session list", function()
    local session = vendor.text("Resources/1-response.json")
    local function list_answer(body)
      server:answer { answers.vendor_me(),
        answers.json("GET", "/api/v2/me/smssessions", body, { query = "fields=%*" }) }
    end

    it("{\"statusCode\":0,\"smssessions\":[SESSION]} (the simulator's decision) gives the vendor's session intact", function()
      list_answer('{"statusCode":0,"smssessions":[' .. session .. ']}')
      local list, err = client:list_sessions()
      assert.is_nil(err)
      assert.equals(1, #list)
      local ok, where = vendor.same(vendor.load("Resources/1-response.json"), list[1])
      assert.is_true(ok, "the session differs from the vendor's at " .. tostring(where))
    end)

    local function assert_one_session(list, err)
      assert.is_nil(err)
      assert.equals(1, #list)
      local ok, where = vendor.same(vendor.load("Resources/1-response.json"), list[1])
      assert.is_true(ok, "the session differs from the vendor's at " .. tostring(where))
    end

    it("{\"statusCode\":0,\"smsSessions\":[SESSION]} (camelCase, as the IM sibling)", function()
      list_answer('{"statusCode":0,"smsSessions":[' .. session .. ']}')
      assert_one_session(client:list_sessions())
    end)

    it("the bare SESSION object the vendor's Resources page prints", function()
      list_answer(session)
      assert_one_session(client:list_sessions())
    end)

    it("a bare array of SESSION", function()
      list_answer('[' .. session .. ']')
      assert_one_session(client:list_sessions())
    end)

    it("any single array-valued key", function()
      list_answer('{"statusCode":0,"sessions":[' .. session .. ']}')
      assert_one_session(client:list_sessions())
    end)

    it("an answer it cannot read as a list is an error, never \"no sessions\"", function()
      list_answer(vendor.text("InterpretingaResponse/1-response.json"))
      local list, err = client:list_sessions()
      assert.is_nil(list)
      assert.equals("decode", err.kind)
    end)

    it("two array-valued keys: which one is the list would be a guess, so it is an error", function()
      list_answer('{"statusCode":0,"sessions":[' .. session .. '],"others":[' .. session .. ']}')
      local list, err = client:list_sessions()
      assert.is_nil(list)
      assert.equals("decode", err.kind)
    end)

    it("an empty list is an empty list", function()
      list_answer('{"statusCode":0,"smssessions":[]}')
      local list, err = client:list_sessions()
      assert.is_nil(err)
      assert.same({}, list)
    end)
  end)

  it("GetMessages: returns the vendor's messages with every field, External participant included", function()
    server:answer { answers.vendor_me(), answers.json("GET", SESSION_PATH .. "/messages",
      vendor.text("GetMessages/1-response.partial.json")) }
    local msgs, err = client:messages(ID)
    assert.is_nil(err)
    local ok, where = vendor.same(vendor.load("GetMessages/1-response.partial.json").messages, msgs)
    assert.is_true(ok, "messages differ from the vendor's at " .. tostring(where))
    assert.equals("External", msgs[2].from.type)
    assert.equals("integer", math.type(msgs[1].timestampSeconds))
  end)

  it("a server with CSRF protection off costs one GET /me, not one per operation", function()
      server:answer {
        answers.json("GET", "/api/v2/me", vendor.text("InterpretingaResponse/2-response.json")),
        answers.json("POST", SESSION_PATH, vendor.text("SendMessage/2-response.json")),
      }
      for i = 1, 10 do assert(client:send_message(ID, "message " .. i)) end
      local gets = 0
      for _, r in ipairs(server:requests()) do
        if r.method == "GET" and r.path == "/api/v2/me" then gets = gets + 1 end
      end
      assert.equals(1, gets)
    end)

  it("CSRF off, then a 403 asking for a token: the token is fetched then, and the write retried", function()
    server:answer {
      answers.json("GET", "/api/v2/me", vendor.text("InterpretingaResponse/2-response.json"), { times = 1 }),
      answers.renewed_me(), answers.csrf_refusal(SESSION_PATH),
      answers.json("POST", SESSION_PATH, vendor.text("SendMessage/2-response.json")),
    }
    assert(client:send_message(ID, "one")) -- no token: refused once, refreshed, retried
    assert(client:send_message(ID, "two"))
    local sent = server:posts(SESSION_PATH)
    assert.equals(3, #sent)
    assert.is_nil(sent[1].headers["x-csrf-token"])
    assert.equals("second-token", sent[2].headers["x-csrf-token"])
    assert.equals("second-token", sent[3].headers["x-csrf-token"])
  end)

  it("keeps the load balancer's AWSELB cookie when the HTTP session is refreshed", function()
    server:answer { answers.vendor_me { times = 1 }, answers.renewed_me(), answers.csrf_refusal(SESSION_PATH),
      answers.json("POST", SESSION_PATH, vendor.text("SendMessage/2-response.json")) }
    assert(client:send_message(ID, "hi"))
    local sent = server:posts(SESSION_PATH)
    assert.equals(2, #sent)
    assert.equals(answers.vendor_csrf().awselb, sent[2].cookies.AWSELB)
  end)

  it("a 403 \"Missing or invalid Csrf token\" refreshes cookie and token once and retries once", function()
    server:answer { answers.vendor_me { times = 1 }, answers.renewed_me(), answers.csrf_refusal(SESSION_PATH),
      answers.json("POST", SESSION_PATH, vendor.text("SendMessage/2-response.json")) }
    local res, err = client:send_message(ID, "hi")
    assert.is_nil(err)
    assert.equals(0, res.statusCode)
    local sent = server:posts(SESSION_PATH)
    assert.equals(2, #sent)
    assert.equals("second-token", sent[2].headers["x-csrf-token"])
    assert.equals("second", sent[2].cookies.JSESSIONID)
  end)
end)
