-- Bad input from the caller: each case raises a clear error naming the argument, sends no
-- request (the simulator's request log is unchanged), and leaves the client usable.
local helper = require "helper"
local sms = require "gws.sms"

local MiB = ("x"):rep(1024 * 1024)
local cyclic = {}
cyclic.self = cyclic

-- { description, function(client, id) that must raise, text the message must contain }
local cases = {
  -- wrong types
  { "id is a number", function(c) c:accept(42, "n") end, "'id'" },
  { "id is nil", function(c) c:send_message(nil, "hi") end, "'id'" },
  { "id is a table", function(c) c:reject({}) end, "'id'" },
  { "nickname is a number", function(c, id) c:accept(id, { nickname = 5 }) end, "nickname" },
  { "saveLAR is a string", function(c, id) c:accept(id, { nickname = "n", saveLAR = "yes" }) end, "saveLAR" },
  { "text is a number", function(c, id) c:send_message(id, 42) end, "text" },
  { "text is a boolean", function(c, id) c:send_message(id, true) end, "text" },
  { "user data is a string", function(c, id) c:attach_user_data(id, "k=v") end, "userData" },
  { "keys is a string", function(c, id) c:delete_user_data(id, "k") end, "keys" },
  { "keys has a number", function(c, id) c:delete_user_data(id, { "a", 2 }) end, "keys[2]" },
  { "disposition is a table", function(c, id) c:set_disposition(id, { disposition = {} }) end, "disposition" },
  { "unknown option", function(c, id) c:accept(id, { nickname = "n", nick = "x" }) end, "nick" },
  { "options for an op without any", function(c, id) c:reject(id, "now") end, "opts" },
  { "transfer with no target", function(c, id) c:transfer(id, {}) end, "targetUri" },
  { "transfer with two targets", function(c, id) c:transfer(id, { queue = "Q", target_uri = "u" }) end, "targetUri" },
  { "queue is a number", function(c, id) c:transfer(id, { queue = 7 }) end, "queue" },
  { "event name is a number", function(c) c:on(1, print) end, "event" },
  { "callback is not a function", function(c) c:on("message", "print") end, "fn" },
  { "channel with a slash", function(c) c:ready("sms/../x") end, "channel" },
  { "operation name with a space", function(c, id) c:operation(id, "Send Message") end, "operation" },
  { "operation params not a table", function(c, id) c:operation(id, "SetInFocus", 5) end, "params" },
  { "reference is a string", function(c) c:wait_reference("17", 1) end, "ref" },
  { "start_index negative", function(c, id) c:messages(id, { start_index = -1 }) end, "start_index" },
  { "count fractional", function(c, id) c:messages(id, { count = 1.5 }) end, "count" },
  { "user_uri with a slash", function(c) c:user_uri("../admin") end, "user_id" },
  -- empty and 1 MiB strings
  { "empty text", function(c, id) c:send_message(id, "") end, "text" },
  { "1 MiB text", function(c, id) c:send_message(id, MiB) end, "text" },
  { "empty nickname", function(c, id) c:accept(id, "") end, "nickname" },
  { "1 MiB nickname", function(c, id) c:accept(id, { nickname = MiB }) end, "nickname" },
  { "empty id", function(c) c:accept("", "n") end, "'id'" },
  { "1 MiB id", function(c) c:accept(MiB, "n") end, "'id'" },
  -- ids that would change the URL
  { "id with /", function(c) c:accept("a/b", "n") end, "'id'" },
  { "id with ?", function(c) c:accept("a?b=1", "n") end, "'id'" },
  { "id with #", function(c) c:accept("a#b", "n") end, "'id'" },
  { "id with %", function(c) c:accept("a%2Fb", "n") end, "'id'" },
  { "id ..", function(c) c:accept("..", "n") end, "'id'" },
  { "id with CR LF", function(c) c:accept("a\r\nX-Evil: 1", "n") end, "'id'" },
  { "id with NUL", function(c) c:accept("a\0b", "n") end, "'id'" },
  -- invalid UTF-8
  { "text not UTF-8", function(c, id) c:send_message(id, "caf\xe9") end, "UTF-8" },
  { "nickname not UTF-8", function(c, id) c:accept(id, "\xc3") end, "UTF-8" },
  { "user data value not UTF-8", function(c, id) c:attach_user_data(id, { k = "\xff" }) end, "userData.k" },
  { "user data key not UTF-8", function(c, id) c:attach_user_data(id, { ["\xfe"] = "v" }) end, "UTF-8" },
  { "text with NUL", function(c, id) c:send_message(id, "a\0b") end, "NUL" },
  -- nested and cyclic user data, NaN and infinity
  { "nested user data", function(c, id) c:attach_user_data(id, { a = { b = 1 } }) end, "userData.a" },
  { "cyclic user data", function(c, id) c:update_user_data(id, { userData = cyclic }) end, "userData.self" },
  { "cyclic operation params", function(c, id) c:operation(id, "X", { p = cyclic }) end, "params" },
  { "NaN user data", function(c, id) c:attach_user_data(id, { n = 0 / 0 }) end, "userData.n" },
  { "infinite user data", function(c, id) c:attach_user_data(id, { n = 1 / 0 }) end, "userData.n" },
  { "-infinite user data", function(c, id) c:attach_user_data(id, { n = -1 / 0 }) end, "userData.n" },
  { "NaN in operation params", function(c, id) c:operation(id, "X", { n = 0 / 0 }) end, "params" },
  { "empty user data", function(c, id) c:attach_user_data(id, {}) end, "userData" },
  -- negative or absurd timeouts
  { "negative call timeout", function(c, id) c:send_message(id, "x", { timeout = -1 }) end, "timeout" },
  { "zero call timeout", function(c, id) c:send_message(id, "x", { timeout = 0 }) end, "timeout" },
  { "NaN call timeout", function(c, id) c:send_message(id, "x", { timeout = 0 / 0 }) end, "timeout" },
  { "absurd call timeout", function(c, id) c:send_message(id, "x", { timeout = 1e12 }) end, "timeout" },
  { "string call timeout", function(c, id) c:send_message(id, "x", { timeout = "5" }) end, "timeout" },
  { "unknown call option", function(c, id) c:send_message(id, "x", { timeuot = 5 }) end, "timeuot" },
  { "negative poll", function(c) c:poll(-1) end, "timeout" },
  { "infinite poll", function(c) c:poll(1 / 0) end, "timeout" },
  { "NaN wait", function(c) c:wait_reference(1, 0 / 0) end, "timeout" },
  { "negative sleep", function(c) c:sleep(-3) end, "seconds" },
  { "start_session timeout", function(c) c:start_session { timeout = -2 } end, "timeout" },
  { "start_session channels", function(c) c:start_session { channels = { "sms", 5 } } end, "channels[2]" },
  -- the module level goes through the same checks
  { "module-level bad id", function() sms.send_message("a/b", "x") end, "'id'" },
}

local constructor_cases = {
  { "no options", function() sms.new() end, "opts" },
  { "url missing", function() sms.new { username = "a", password = "b" } end, "url" },
  { "url not http", function() sms.new { url = "ftp://h", username = "a", password = "b" } end, "url" },
  { "url with CR LF", function() sms.new { url = "http://h\r\nX: 1", username = "a", password = "b" } end, "url" },
  { "username missing", function() sms.new { url = "http://h", password = "b" } end, "username" },
  { "username with colon", function() sms.new { url = "http://h", username = "a:b", password = "c" } end, "username" },
  { "password a number", function() sms.new { url = "http://h", username = "a", password = 1 } end, "password" },
  { "negative timeout", function() sms.new { url = "http://h", username = "a", password = "b", timeout = -5 } end,
    "timeout" },
  { "max_pending 0", function() sms.new { url = "http://h", username = "a", password = "b", max_pending = 0 } end,
    "max_pending" },
  { "log not a function", function() sms.new { url = "http://h", username = "a", password = "b", log = "x" } end,
    "log" },
  { "unknown log level", function()
    sms.new { url = "http://h", username = "a", password = "b", log_level = "loud" } end, "log_level" },
}

describe("bad input from the caller", function()
  local sim, client, id

  setup(function()
    sim = helper.start_sim()
    client = helper.client(sim)
    assert(client:start_session())
    id = sim:offer("agent1")
    assert(client:accept(id, "Bot"))
    assert(helper.poll_until(client, function()
      local s = client:session(id)
      return s and s.state == "Chatting"
    end))
    sms.configure { url = sim.url, username = "agent1", password = "password", timeout = 5 }
  end)

  teardown(function()
    sms.close()
    client:close()
    sim:stop()
  end)

  it("has at least 40 cases", function()
    assert.is_true(#cases + #constructor_cases >= 40)
  end)

  for _, case in ipairs(cases) do
    local what, fn, needle = case[1], case[2], case[3]
    it(what .. ": raises naming it, sends nothing, client still usable", function()
      -- Bayeux long polls come and go on their own; only REST requests are counted.
      local function rest_requests() return #sim:rest_requests() end
      sim:clear_requests()
      local before = rest_requests()
      local ok, msg = pcall(fn, client, id)
      assert.is_false(ok, what .. " did not raise")
      assert.equals("string", type(msg))
      assert.truthy(msg:find(needle, 1, true), ("%s: %q does not name %q"):format(what, msg, needle))
      assert.truthy(#msg < 400, "the message is too long: " .. #msg)
      assert.falsy(msg:find("password", 1, true))
      client:poll(0)
      assert.equals(before, rest_requests(), what .. " sent a request")
      local res = assert(client:send_message(id, "still fine"))
      assert.equals(0, res.statusCode)
    end)
  end

  for _, case in ipairs(constructor_cases) do
    local what, fn, needle = case[1], case[2], case[3]
    it("sms.new: " .. what, function()
      local ok, msg = pcall(fn)
      assert.is_false(ok)
      assert.truthy(msg:find(needle, 1, true), ("%q does not name %q"):format(msg, needle))
    end)
  end
end)
