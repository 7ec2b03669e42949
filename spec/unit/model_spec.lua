-- gws.sms.model alone: intake, dispatch, snapshots against newer news, operations' path.
-- A plain table stands in for gws.sms.http (the REST calls), the emitter is the real one.
local emitter = require "gws.emitter"
local model_mod = require "gws.sms.model"
local operations = require "gws.sms.operations"

describe("gws.sms.model", function()
  local model, em, http, rec

  before_each(function()
    em = emitter.new()
    http = { calls = {}, gap = {} }
    function http.messages(_, id, from, count)
      http.calls[#http.calls + 1] = { "messages", id, from, count }
      return http.gap
    end
    function http.call(_, method, path, body)
      http.calls[#http.calls + 1] = { method, path, body }
      return { statusCode = 0 }
    end
    model = model_mod.new { http = http, emitter = em, check_capabilities = true, max_string = 100 }
    rec = {}
    for _, name in ipairs { "invited", "state", "ended", "message", "StatusChange", "*" } do
      em:on(name, function(a, b, c) rec[#rec + 1] = { name, a, b, c } end)
    end
  end)

  local function status(id, state, caps)
    return { notificationType = "StatusChange", smssession = { id = id, state = state,
      capabilities = caps or {} } }
  end
  local function names()
    local out = {}
    for i, r in ipairs(rec) do out[i] = r[1] end
    return out
  end

  it("resync: a session list the client cannot read ends nothing (resync_failed instead)", function()
    local resync = require "gws.sms.resync"
    local errors = require "gws.errors"
    model:dispatch(status("S1", "Chatting", { "SendMessage" }))
    rec = {}
    local failed
    em:on("resync_failed", function(info) failed = info end)
    function http.list_sessions() return nil, errors.new("decode", "no session list in the answer") end
    local ok, err = resync.list(model, http, false)
    assert.is_nil(ok)
    em:dispatch()
    assert.same({}, names())
    assert.is_false(model.sessions.S1.ended)
    assert.equals("decode", err.kind)
    -- The repairer says so, and tries again after its backoff.
    local sleeps = {}
    model.transport = { spawn = function(_, _, fn, r) fn(r) end,
      sleep = function(_, d)
        sleeps[#sleeps + 1] = d
        if #sleeps == 2 then model.repairer_under_test:close() end
      end }
    local r = resync.new(model, http, function(n) return n / 10 end)
    model.repairer_under_test = r
    r:want_list(false)
    em:dispatch()
    assert.equals("decode", failed.error.kind)
    assert.same({ 0.1, 0.2 }, sleeps)
    assert.is_false(model.sessions.S1.ended)
  end)

  it("takes notifications in, in order, and applies them at dispatch: model first, then callbacks",
    function()
    assert.is_true(model:intake(status("S1", "Invited", { "Accept" })))
    assert.is_nil(model.sessions.S1) -- nothing applied before dispatch
    em:dispatch()
    assert.same({ "StatusChange", "*", "invited", "state" }, names())
    assert.equals("Invited", model.sessions.S1.state)
    assert.equals(model.sessions.S1, rec[1][3])
  end)

  local function delivered()
    local idx = {}
    for _, r in ipairs(rec) do if r[1] == "message" then idx[#idx + 1] = r[2].index end end
    return idx
  end

  it("parks a session with a gap, fetches the gap first and then releases what was parked", function()
    local uri = "http://x/api/v2/me/smssessions/S1"
    local woken = 0
    model.wake_repair = function() woken = woken + 1 end
    model:intake { notificationType = "NewMessages", smssessionUri = uri, messages = { { index = 1 } } }
    http.gap = { { index = 2 }, { index = 3 }, { index = 4 } }
    model:intake { notificationType = "NewMessages", smssessionUri = uri, messages = { { index = 4 } } }
    model:intake(status("S1", "LeftChat"))
    assert.equals(1, woken)
    assert.equals(1, model.intake_last.S1) -- the marker stays before the gap
    em:dispatch()
    assert.same({ 1 }, delivered())
    assert.is_true(model:repair("S1"))
    assert.same({ "messages", "S1", 2 }, http.calls[1])
    em:dispatch()
    assert.same({ 1, 2, 3, 4 }, delivered())
    assert.equals("LeftChat", model.sessions.S1.state)
    assert.equals(4, model.intake_last.S1)
  end)

  it("a failed gap fetch keeps the session parked and the marker before the gap", function()
    local errors = require "gws.errors"
    local uri = "http://x/api/v2/me/smssessions/S1"
    model:intake { notificationType = "NewMessages", smssessionUri = uri, messages = { { index = 1 } } }
    function http.messages() return nil, errors.new("transport", "connection reset") end
    model:intake { notificationType = "NewMessages", smssessionUri = uri, messages = { { index = 5 } } }
    model:intake { notificationType = "NewMessages", smssessionUri = uri, messages = { { index = 6 } } }
    local ok, err = model:repair("S1")
    assert.is_nil(ok)
    assert.equals("transport", err.kind)
    em:dispatch()
    assert.same({ 1 }, delivered())
    assert.equals(1, model.intake_last.S1)
    function http.messages(_, _, from)
      local out = {}
      for i = from, 6 do out[#out + 1] = { index = i } end
      return out
    end
    assert.is_true(model:repair("S1"))
    em:dispatch()
    assert.same({ 1, 2, 3, 4, 5, 6 }, delivered())
  end)

  it("holds notifications during the first resync and takes them in after it, in order", function()
    local uri = "http://x/api/v2/me/smssessions/S1"
    model.holding = true
    model:intake { notificationType = "NewMessages", smssessionUri = uri, messages = { { index = 4 } } }
    assert.is_nil(model.intake_last.S1)
    model:note_intake("S1", { { index = 1 }, { index = 2 }, { index = 3 }, { index = 4 } }) -- adopted
    model:release_held()
    em:dispatch()
    assert.same({ 4 }, delivered())
    assert.is_nil(next(model.blocked))
  end)

  it("keeps at most keep_ended ended sessions; forget drops one now", function()
    model = model_mod.new { http = http, emitter = em, keep_ended = 2 }
    for i = 1, 5 do
      model:dispatch(status("S" .. i, "Chatting"))
      model:dispatch(status("S" .. i, "Completed"))
    end
    model:dispatch(status("S9", "Chatting"))
    local ids = {}
    for _, s in ipairs(model.order) do ids[#ids + 1] = s.id end
    assert.same({ "S4", "S5", "S9" }, ids)
    assert.is_nil(model.sessions.S1)
    assert.is_true(model:forget("S9"))
    assert.is_false(model:forget("S9"))
    assert.equals(2, #model.order)
  end)

  it("a snapshot sent before newer news does not override it", function()
    local sent = model.received -- a resync sends its list request now
    model:intake(status("S1", "Invited", { "Accept" }))
    model:intake(status("S1", "Chatting", { "SendMessage" }))
    em:push(model.on_snapshot, status("S1", "Invited", { "Accept" }), sent) -- the late list
    em:dispatch()
    local s = model.sessions.S1
    assert.equals("Chatting", s.state)
    assert.is_true(s:can("SendMessage"))
    local invited = 0
    for _, r in ipairs(rec) do if r[1] == "invited" then invited = invited + 1 end end
    assert.equals(1, invited)
    -- a snapshot sent after the news applies
    em:push(model.on_snapshot, status("S1", "LeftChat", { "Complete" }), model.received)
    em:dispatch()
    assert.equals("LeftChat", s.state)
  end)

  it("a session missing from a late list is not ended; adopt keeps live news", function()
    local sent = model.received
    model:intake(status("S2", "Invited", { "Accept" }))
    em:dispatch()
    model:ended_away(model.sessions.S2, sent)
    assert.is_false(model.sessions.S2.ended)
    model:adopt({ id = "S2", state = "Completed" }, { { index = 1 } }, sent)
    assert.equals("Invited", model.sessions.S2.state)
    assert.equals(1, #model.sessions.S2.messages)
    model:ended_away(model.sessions.S2, model.received)
    assert.is_true(model.sessions.S2.ended)
  end)

  it("references: a reused number finds only what came after the operation, on its session", function()
    local function note(id, ref) return { notificationType = "StatusChange", referenceId = ref,
      smssession = { id = id, state = "Chatting" } } end
    local stale = note("S1", 7)
    model:dispatch(stale)
    assert.equals(stale, model:reference(7)) -- no scope: the first one
    -- An operation on S1 answered referenceId 7: only what arrives after it counts.
    http.call = function() return { statusCode = 0, referenceId = 7 } end
    assert.truthy(model:post("S1", { operationName = "Invite" }))
    local after, sid = model:reference_scope(7)
    assert.equals("S1", sid)
    assert.is_nil(model:reference(7, after, sid))
    model:dispatch(note("S2", 7)) -- another session's 7
    assert.is_nil(model:reference(7, after, sid))
    local error_note = { notificationType = "Error", errorMessage = "Request failed", referenceId = 7 }
    model:dispatch(error_note) -- an Error names no session: it matches
    assert.equals(error_note, model:reference(7, after, sid))
    -- A number no operation returned: from now on only.
    local now = model:reference_scope(8)
    model:dispatch(note("S3", 8))
    assert.equals("S3", model:reference(8, now).smssession.id)
    assert.is_nil(model:reference(8, model:reference_scope(8)))
  end)

  it("perform: remembers what we acted on, refuses what capabilities forbid, else POSTs", function()
    local entry = operations.by_name.send_message
    assert.truthy(model:perform("S5", entry, { operationName = "SendMessage", text = "x" }))
    assert.is_true(model.acted_on:get("S5"))
    assert.equals("/me/smssessions/S5", http.calls[1][2])
    model:dispatch(status("S6", "Invited", { "Accept" }))
    local res, err = model:perform("S6", entry, { operationName = "SendMessage", text = "x" })
    assert.is_nil(res)
    assert.equals("capability", err.kind)
    assert.equals(1, #http.calls)
  end)
end)
