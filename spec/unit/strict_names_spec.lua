-- Strict names (issue 15, item 2): every typo the issue found raises at once, naming what was
-- meant, instead of being ignored. Nothing here touches the network (sms.new sends nothing).
local sms = require "gws.sms"
local bayeux = require "gws.bayeux"
local names = require "gws.names"
local session_mod = require "gws.sms.session"

local function client(extra)
  local opts = { url = "http://127.0.0.1:9", username = "agent1", password = "password" }
  for k, v in pairs(extra or {}) do opts[k] = v end
  return sms.new(opts)
end

-- The message of the error fn raises (it must raise).
local function raised(fn, ...)
  local ok, msg = pcall(fn, ...)
  assert.is_false(ok, "did not raise")
  return tostring(msg)
end

local function says(msg, text)
  assert.truthy(msg:find(text, 1, true), ("%q does not say %q"):format(msg, text))
end

describe("strict names", function()
  local c
  before_each(function() c = client() end)
  after_each(function() c:close() end)

  describe("the issue's typos", function()
    it("sms.new{timout = 5}", function()
      says(raised(client, { timout = 5 }), "unknown option 'timout' (did you mean 'timeout'?)")
    end)
    it('c:on("mesage", f)', function()
      says(raised(c.on, c, "mesage", print), "unknown event 'mesage' (did you mean 'message'?)")
    end)
    it('c:on("Message", f): upper-case, but a near miss of a known event', function()
      says(raised(c.on, c, "Message", print), "unknown event 'Message' (did you mean 'message'?)")
    end)
    it("c:send_mesage(…)", function()
      says(raised(function() c:send_mesage("s1", "hi") end),
        "no method 'send_mesage' (did you mean 'send_message'?)")
    end)
  end)

  describe("options", function()
    it("sms.new names the option and where, with the line of the caller", function()
      local msg = raised(function() client { log_levle = "debug" } end)
      says(msg, "sms.new: unknown option 'log_levle' (did you mean 'log_level'?)")
      says(msg, "strict_names_spec.lua:")
    end)
    it("sms.configure goes through the same check", function()
      says(raised(sms.configure, { url = "http://h", username = "a", password = "b", retries = 3 }),
        "unknown option 'retries'")
    end)
    it("sms.new takes every option it documents", function()
      local x = client { timeout = 5, channels = { "sms" }, topics = { "/v2/me/*" },
        check_capabilities = true, csrf = true, resync = true, max_pending = 10, log_level = "warn",
        max_body = 1024, connect_timeout = 3, poll_margin = 5, backoff_base = 1, backoff_cap = 2,
        max_attempts = 3, give_up_after = 9, max_string = 100, insecure = false }
      x:close()
    end)
    it("sms.loop", function()
      says(raised(sms.loop, { max_request = 4 }), "sms.loop: unknown option 'max_request' (did you mean 'max_requests'?)")
    end)
    it("bayeux.new", function()
      says(raised(bayeux.new, { url = "http://h/cometd", backof_cap = 3 }),
        "bayeux.new: unknown option 'backof_cap' (did you mean 'backoff_cap'?)")
    end)
    it("a per-call option table", function()
      says(raised(c.send_message, c, "s1", "hi", { timout = 5 }),
        "unknown option 'timout' (did you mean 'timeout'?)")
    end)
    it("an operation's option table", function()
      says(raised(c.accept, c, "s1", { nicknme = "Bot" }), "unknown option for accept (did you mean 'nickname'?)")
      says(raised(c.transfer, c, "s1", { target = "u" }), "(did you mean 'targetUri'?)")
    end)
    it("start_session and messages", function()
      says(raised(c.start_session, c, { channel = { "sms" } }),
        "start_session: unknown option 'channel' (did you mean 'channels'?)")
      says(raised(c.messages, c, "s1", { start = 1 }), "(did you mean 'start_index'?)")
    end)
  end)

  describe("events", function()
    it("every documented event is taken", function()
      for _, e in ipairs { "StatusChange", "ParticipantsUpdated", "PropertiesUpdated", "NewMessages",
          "Error", "*", "invited", "message", "state", "ended", "connected", "disconnected",
          "reconnecting", "gave_up", "handshake", "forbidden", "resynced", "resync_failed",
          "backpressure" } do
        assert.equals(print, c:on(e, print))
      end
    end)
    it("an upper-case name far from every known one is a notificationType a server may add", function()
      assert.equals(print, c:on("ChatTranscriptArchived", print))
    end)
    it("near misses of notificationTypes and of lower-case events raise", function()
      says(raised(c.on, c, "NewMessage", print), "(did you mean 'NewMessages'?)")
      says(raised(c.on, c, "statusChange", print), "(did you mean 'StatusChange'?)")
      says(raised(c.on, c, "disconected", print), "(did you mean 'disconnected'?)")
      says(raised(c.on, c, "gaveup", print), "(did you mean 'gave_up'?)")
    end)
    it("a lower-case name nothing is close to says how notificationTypes are spelled", function()
      local msg = raised(c.on, c, "whatever", print)
      says(msg, "unknown event 'whatever'")
      says(msg, '"*"')
    end)
    it("gws.bayeux's connection events", function()
      local b = bayeux.new { url = "http://127.0.0.1:9/cometd" }
      says(raised(b.on, b, "conected", print), "(did you mean 'connected'?)")
      assert.equals(print, b:on("gave_up", print))
      b:close()
    end)
  end)

  describe("methods", function()
    it("a client's unknown method names the closest one", function()
      says(raised(function() c:list_session() end), "no method 'list_session' (did you mean 'list_sessions'?)")
      says(raised(function() c:wait_refrence(1) end), "(did you mean 'wait_reference'?)")
    end)
    it("a session's unknown method names the closest one; its nil fields still read as nil", function()
      local s = session_mod.new({}, "s1")
      assert.is_nil(s.state)
      assert.is_nil(s.uri)
      says(raised(function() s:sendmessage("hi") end), "no method 'sendmessage' (did you mean 'send_message'?)")
    end)
    it("the module's unknown function names the closest one", function()
      says(raised(function() sms.configur {} end), "no function 'configur' (did you mean 'configure'?)")
    end)
    it("a name nothing is close to raises all the same", function()
      says(raised(function() c:frobnicate() end), "no method 'frobnicate'")
    end)
    it("the client's fields and private names read as they are", function()
      assert.is_function(c.log) -- the stderr log when none is given
      assert.is_false(c.closed)
      assert.is_nil(c._no_such_private_field)
    end)
  end)

  describe("gws.names", function()
    it("counts a transposition as one edit and ignores case", function()
      assert.equals(1, names.distance("ulr", "url"))
      assert.equals(0, names.distance("Message", "message"))
      assert.equals(1, names.distance("timout", "timeout"))
    end)
    it("suggests nothing far away", function()
      assert.is_nil(names.closest("zzz", { "timeout", "url" }))
      assert.equals("url", names.closest("ulr", { "timeout", "url" }))
    end)
    it("lists the known names when there are few and none is close", function()
      assert.equals("unknown option 'xyz' (known: a, b)",
        names.unknown_message("option", "xyz", { b = true, a = true }))
    end)
  end)
end)
