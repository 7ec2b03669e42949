-- gws.sms.resync alone: the paged read of a transcript larger than max_body, and the first
-- resync adopting a session whose transcript could not be read (history later, silently).
-- A plain table stands in for gws.sms.http (a transcript and a max_body of its own); the
-- model and the emitter are the real ones.
local emitter = require "gws.emitter"
local errors = require "gws.errors"
local model_mod = require "gws.sms.model"
local resync = require "gws.sms.resync"

-- A server holding `n` messages of `size` bytes each (sizes[i] overrides one), answering at
-- most `max_body` bytes; `ignores_window`: it answers every read with the whole transcript.
local function server(n, size, max_body, opts)
  opts = opts or {}
  local s = { calls = {} }
  function s.messages(_, id, from, count)
    s.calls[#s.calls + 1] = { id, from, count }
    if opts.fail then return nil, opts.fail end
    from = (not opts.ignores_window and from) or 1
    local last = (not opts.ignores_window and count and count > 0) and math.min(n, from + count - 1) or n
    local out, bytes = {}, 0
    for i = from, last do
      out[#out + 1] = { index = i, text = "t" .. i }
      bytes = bytes + ((opts.sizes or {})[i] or size)
    end
    if bytes > max_body then
      return nil, errors.new("too_large", "response body exceeds max_body")
    end
    return out
  end
  return s
end

local function indices(list)
  local out = {}
  for i, m in ipairs(list) do out[i] = m.index end
  return out
end

local function range(a, b)
  local out = {}
  for i = a, b do out[#out + 1] = i end
  return out
end

describe("gws.sms.resync.read_messages", function()
  it("one request when the transcript fits", function()
    local http = server(10, 100, 10000)
    local msgs = assert(resync.read_messages(http, nil, "S1", nil))
    assert.same(range(1, 10), indices(msgs))
    assert.same({ { "S1", nil, nil } }, http.calls)
  end)

  it("pages from after the last index read when the indexes skip numbers, reading each once",
    function()
    -- Odd indexes only (1, 3, 5, ...): a page's `count` messages span twice as many numbers.
    local http = { calls = {} }
    function http.messages(_, id, from, count)
      http.calls[#http.calls + 1] = { id, from, count }
      if not count then return nil, errors.new("too_large", "response body exceeds max_body") end
      local out = {}
      local i = from % 2 == 1 and from or from + 1
      while i <= 999 and #out < count do
        out[#out + 1] = { index = i }
        i = i + 2
      end
      return out
    end
    local msgs = assert(resync.read_messages(http, nil, "S1", nil))
    local want = {}
    for i = 1, 999, 2 do want[#want + 1] = i end
    assert.same(want, indices(msgs)) -- each once: a page never overlaps the one before
    assert.same({ "S1", 512, 256 }, http.calls[3]) -- after 511, the last index of page one
  end)

  it("pages when it does not, halving a page that is still too large", function()
    local http = server(1000, 100, 20000) -- 200 messages an answer at most
    local msgs = assert(resync.read_messages(http, nil, "S1", nil))
    assert.same(range(1, 1000), indices(msgs))
    assert.same({ "S1", 1, 256 }, http.calls[2]) -- too large
    assert.same({ "S1", 1, 128 }, http.calls[3])
    assert.is_true(#http.calls < 20, #http.calls .. " requests")
  end)

  it("from an index on", function()
    local http = server(1000, 100, 20000)
    local msgs = assert(resync.read_messages(http, nil, "S1", 901))
    assert.same(range(901, 1000), indices(msgs))
  end)

  it("skips, with a warn line, a single message larger than max_body", function()
    local lines = {}
    local log = function(level, fmt, ...) lines[#lines + 1] = level .. ": " .. fmt:format(...) end
    local http = server(300, 100, 20000, { sizes = { [150] = 30000 } })
    local msgs = assert(resync.read_messages(http, log, "S1", nil))
    local want = range(1, 149)
    for i = 151, 300 do want[#want + 1] = i end
    assert.same(want, indices(msgs))
    assert.equals(1, #lines)
    assert.matches("^warn: session S1: message 150 is larger than max_body", lines[1])
  end)

  it("gives up, with the error, on a server that ignores startIndex and count", function()
    local http = server(1000, 100, 20000, { ignores_window = true })
    local msgs, err = resync.read_messages(http, function() end, "S1", nil)
    assert.is_nil(msgs)
    assert.equals("too_large", err.kind)
    assert.is_true(#http.calls < 50, #http.calls .. " requests")
  end)

  it("any other failure is returned as it is", function()
    local http = server(10, 100, 10000, { fail = errors.new("transport", "connection reset") })
    local msgs, err = resync.read_messages(http, nil, "S1", nil)
    assert.is_nil(msgs)
    assert.equals("transport", err.kind)
    assert.equals(1, #http.calls)
  end)
end)

describe("gws.sms.resync, the first resync with one transcript unreadable", function()
  local model, em, http, rec, failing

  before_each(function()
    em = emitter.new()
    failing = { S2 = true }
    http = server(3, 10, 100000)
    local read = http.messages
    function http.messages(self, id, from, count)
      if failing[id] then return nil, errors.new("transport", "connection reset") end
      return read(self, id, from, count)
    end
    function http.list_sessions()
      return { { id = "S1", state = "Chatting" }, { id = "S2", state = "Chatting" } }
    end
    model = model_mod.new { http = http, emitter = em }
    rec = {}
    for _, name in ipairs { "message", "state", "ended", "resync_failed" } do
      em:on(name, function(a, b) rec[#rec + 1] = { name, a, b } end)
    end
  end)

  local function names()
    local out = {}
    for i, r in ipairs(rec) do out[i] = r[1] .. (r[1] == "message" and (":" .. r[3].id .. ":" .. r[2].index) or "") end
    return out
  end

  it("adopts the others, parks the one, and takes its history silently later, its news once", function()
    local due = {}
    model.holding = true
    assert.is_true(resync.list(model, http, true, due))
    assert.same({ S2 = true }, due)
    assert.truthy(model.blocked.S2)
    model:release_held()
    em:dispatch()
    assert.same({ "resync_failed" }, names())
    assert.equals("S2", rec[1][2].session)
    assert.same({ 1, 2, 3 }, indices(model.sessions.S1.messages))
    assert.equals("Chatting", model.sessions.S2.state)
    assert.same({}, model.sessions.S2.messages)
    -- News for S2 while it is parked; then its transcript (now 1..4) can be read.
    model:intake { notificationType = "NewMessages", smssessionUri = "S2", messages = { { index = 4 } } }
    em:dispatch()
    assert.same({ "resync_failed" }, names())
    failing.S2 = nil
    http.list_sessions = nil
    local r = resync.new(model, http, function() return 0 end)
    r.history_due = due
    model.transport = { spawn = function(_, _, fn, self) fn(self) end }
    local read = http.messages
    function http.messages(self, id, from, count)
      local msgs = read(self, id, from, count)
      if id == "S2" and msgs and (from or 1) <= 4 then msgs[#msgs + 1] = { index = 4 } end
      return msgs
    end
    r:wake()
    em:dispatch()
    assert.same({ "resync_failed", "message:S2:4" }, names())
    assert.same({ 1, 2, 3, 4 }, indices(model.sessions.S2.messages))
    assert.is_nil(model.blocked.S2)
    assert.same({}, due)
  end)
  it("reads every unreadable session's history, then waits once for a poll, not once each", function()
    failing = { S1 = true, S2 = true }
    local due = {}
    model.holding = true
    assert.is_true(resync.list(model, http, true, due))
    assert.same({ S1 = true, S2 = true }, due)
    model:release_held()
    em:dispatch()
    failing = {}
    local waits = 0
    local r = resync.new(model, http, function() return 0 end, function() return 0 end)
    r.history_due = due
    model.transport = { spawn = function(_, _, fn, self) fn(self) end,
      wait = function() waits = waits + 1 end }
    r:wake()
    em:dispatch()
    assert.equals(1, waits)
    assert.same({}, due)
    assert.same({ 1, 2, 3 }, indices(model.sessions.S1.messages))
    assert.same({ 1, 2, 3 }, indices(model.sessions.S2.messages))
  end)
end)
