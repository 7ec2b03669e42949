-- One session's transcript that cannot be read never costs the others (against gws-sim).
-- The first resync (inside connect/start_session) adopts what the server holds; a later one
-- (after a new handshake) brings what was missed. When one session's GetMessages fails (the
-- server errs on it for a while, or its transcript is larger than max_body), the client still
-- starts, every other session is adopted or brought up to date, the failing one stays in the
-- model with its state from the list, the failure is said (a warn line naming the session,
-- "resync_failed" with the session id), and its transcript comes later: history silently,
-- news as "message" events, each once, in order.
local helper = require "helper"

-- Quick reconnects so the suite stays fast; the long poll is held 1 s by the server.
local new_client, SIM_FLAGS = helper.fast_client, helper.FAST_SIM_FLAGS

local function messages_path(id)
  return "/api/v2/me/smssessions/" .. id .. "/messages"
end

-- Every "message" event as "SESSION:TEXT" (or "SESSION:#TYPE" for one without text).
local function record_messages(client, names_of)
  local seen = {}
  client:on("message", function(m, s)
    seen[#seen + 1] = (names_of[s.id] or s.id) .. ":" .. (m.text or ("#" .. tostring(m.type)))
  end)
  return seen
end

local function indices(list)
  local out = {}
  for i, m in ipairs(list) do out[i] = m.index end
  return out
end

-- The client's transcript of `id` is the server's, whole and in order.
local function same_transcript(sim, client, id)
  local server = sim:session(id).transcript
  local sess = client:session(id)
  if not sess then return false end
  local mine = sess.messages
  return #mine == #server and table.concat(indices(mine), ",") == table.concat(indices(server), ",")
end

-- A bot that ran before: sessions A, B and C chatting, each with a customer text.
local function earlier_bot(sim)
  local first = new_client(sim)
  assert(first:start_session())
  local ids = {}
  for _, name in ipairs { "A", "B", "C" } do
    local id = helper.chatting(first, sim)
    assert.equals(200, (sim:say(id, name .. "1")))
    ids[name] = id
  end
  assert(helper.poll_until(first, function() return #first:session(ids.C).messages >= 4 end, 5))
  first:close()
  return ids
end

describe("resync, one session's transcript unreadable", function()
  local sim, client
  before_each(function() sim = helper.start_sim { flags = SIM_FLAGS } end)
  after_each(function()
    if client then client:close() end
    client = nil
    sim:stop()
  end)

  it("at start: the client starts, the others are adopted, the one is fetched later as history",
    function()
    local ids = earlier_bot(sim)
    local names_of = { [ids.A] = "A", [ids.B] = "B", [ids.C] = "C" }
    sim:fault { bad_answer = { mode = "html", count = 100000, path = messages_path(ids.B) } }
    local lines = {}
    client = new_client(sim, { log = function(level, msg) lines[#lines + 1] = level .. ": " .. msg end })
    local failed = {}
    client:on("resync_failed", function(info) failed[#failed + 1] = info end)
    local seen = record_messages(client, names_of)

    local ok, err = client:start_session()
    assert.truthy(ok, "start_session failed: " .. tostring(err))
    client:poll(0) -- the adoption is queued when start_session returns, applied at dispatch
    -- A and C adopted with their whole history, silently; B known with its state.
    assert.is_true(same_transcript(sim, client, ids.A))
    assert.is_true(same_transcript(sim, client, ids.C))
    local b = client:session(ids.B)
    assert.truthy(b, "B is not in the model")
    assert.equals("Chatting", b.state)
    assert.is_false(b.ended)
    -- Said: a warn line naming B, and resync_failed naming B.
    assert.truthy(helper.poll_until(client, function() return #failed > 0 end, 2), "no resync_failed")
    assert.equals(ids.B, failed[1].session)
    assert.truthy(failed[1].error)
    local warned = false
    for _, l in ipairs(lines) do
      if l:find("^warn: ") and l:find(ids.B, 1, true) then warned = true end
    end
    assert.is_true(warned, "no warn line names B:\n" .. table.concat(lines, "\n"))

    -- News while B's transcript still cannot be read: A's at once, B's kept for later.
    assert.equals(200, (sim:say(ids.A, "A2")))
    assert.equals(200, (sim:say(ids.B, "B2")))
    assert.truthy(helper.poll_until(client, function() return #seen >= 1 end, 5))
    client:poll(0.3)
    assert.same({ "A:A2" }, seen)

    -- The server reads B again: its history comes silently, its news once, in order.
    assert.equals(200, (sim:ctl("DELETE", "/sim/faults")))
    assert.truthy(helper.poll_until(client, function() return same_transcript(sim, client, ids.B) end, 10),
      "B's transcript never came")
    assert.equals(200, (sim:say(ids.B, "B3")))
    assert.truthy(helper.poll_until(client, function() return #seen >= 3 end, 5))
    client:poll(0.3)
    assert.same({ "A:A2", "B:B2", "B:B3" }, seen)
    assert.is_true(same_transcript(sim, client, ids.B))
  end)

  it("at start: news whose notification is still on its way when the transcript is read is news",
    function()
    local ids = earlier_bot(sim)
    local names_of = { [ids.A] = "A", [ids.B] = "B", [ids.C] = "C" }
    sim:fault { bad_answer = { mode = "html", count = 100000, path = messages_path(ids.B) } }
    client = new_client(sim, { timeout = 6, poll_margin = 5 }) -- the held poll is no lost one
    local failed = {}
    client:on("resync_failed", function(info) failed[#failed + 1] = info end)
    local seen = record_messages(client, names_of)
    assert(client:start_session())
    assert.truthy(helper.poll_until(client, function() return #failed > 0 end, 2), "no resync_failed")
    -- The next long-poll answer is made now and held 2 s: B2, said meanwhile, reaches the
    -- client only in the poll after it, well after B's transcript (with B2) can be read again.
    sim:fault { delay_path = { path = "/api/v2/notifications", ms = 2000, count = 1 } }
    assert.truthy(helper.poll_until(client, function()
      return sim:fault({}).applied.path_delays == 1
    end, 5), "the long poll was not held")
    assert.equals(200, (sim:say(ids.B, "B2")))
    sim:fault { bad_answer = { mode = "html", count = 0, path = messages_path(ids.B) } }
    assert.truthy(helper.poll_until(client, function() return #seen >= 1 end, 8), "B2 never came as news")
    client:poll(0.3)
    assert.same({ "B:B2" }, seen)
    assert.is_true(same_transcript(sim, client, ids.B))
  end)

  it("at start: a transcript larger than max_body is read in pages, as history", function()
    local ids = earlier_bot(sim)
    local names_of = { [ids.A] = "A", [ids.B] = "B", [ids.C] = "C" }
    -- B's transcript grows past 64 KiB (a few hundred bytes a message).
    assert.equals(200, (sim:ctl("POST", "/sim/flood", { session = ids.B, count = 400 })))
    client = new_client(sim, { max_body = 65536 })
    local seen = record_messages(client, names_of)
    local ok, err = client:start_session()
    assert.truthy(ok, "start_session failed: " .. tostring(err))
    client:poll(0)
    assert.is_true(same_transcript(sim, client, ids.A))
    assert.is_true(same_transcript(sim, client, ids.B), "B's long transcript was not adopted whole")
    assert.is_true(same_transcript(sim, client, ids.C))
    assert.equals(200, (sim:say(ids.B, "B2")))
    assert.truthy(helper.poll_until(client, function() return #seen >= 1 end, 5))
    client:poll(0.3)
    assert.same({ "B:B2" }, seen)
  end)

  it("later: a gap larger than max_body is read in pages, every message once, in order", function()
    client = new_client(sim, { max_body = 65536 })
    assert(client:start_session())
    local id = helper.chatting(client, sim)
    local seen = record_messages(client, { [id] = "S" })
    assert.equals(200, (sim:say(id, "before")))
    assert.truthy(helper.poll_until(client, function() return #seen >= 1 end, 5))
    -- 400 texts (over 64 KiB of transcript) whose notifications are all lost in transit; the
    -- next one shows the gap, and the repair must read it in pages.
    sim:fault { discard_events = 100000 }
    assert.equals(200, (sim:ctl("POST", "/sim/flood", { session = id, count = 400 })))
    assert.equals(200, (sim:ctl("DELETE", "/sim/faults")))
    assert.equals(200, (sim:say(id, "after")))
    assert.truthy(helper.poll_until(client, function() return #seen >= 402 end, 15),
      ("the gap was not repaired: %d of 402 messages"):format(#seen))
    client:poll(0.3)
    assert.equals(402, #seen)
    assert.equals("S:before", seen[1])
    assert.equals("S:after", seen[402])
    assert.is_true(same_transcript(sim, client, id))
  end)

  it("later: after a new handshake, the others are brought up to date and nothing ends", function()
    client = new_client(sim)
    assert(client:start_session())
    local ids = {}
    for _, name in ipairs { "A", "B", "C" } do ids[name] = helper.chatting(client, sim) end
    local names_of = { [ids.A] = "A", [ids.B] = "B", [ids.C] = "C" }
    local seen = record_messages(client, names_of)
    local ended, failed, resynced = {}, {}, {}
    client:on("ended", function(s) ended[#ended + 1] = s.id end)
    client:on("resync_failed", function(info) failed[#failed + 1] = info end)
    client:on("resynced", function(info) resynced[#resynced + 1] = info end)

    sim:fault { bad_answer = { mode = "html", count = 100000, path = messages_path(ids.B) } }
    sim:fault { forget_clients = true }
    -- Published while the client has no Bayeux session: only the resync brings them.
    for _, name in ipairs { "A", "B", "C" } do assert.equals(200, (sim:say(ids[name], name .. "1"))) end
    assert.truthy(helper.poll_until(client, function()
      return #resynced > 0 and #seen >= 2
    end, 10), "no resync brought A's and C's news")
    client:poll(0.3)
    table.sort(seen)
    assert.same({ "A:A1", "C:C1" }, seen)
    assert.same({}, ended)
    for _, name in ipairs { "A", "B", "C" } do
      local s = client:session(ids[name])
      assert.equals("Chatting", s.state, name)
      assert.is_false(s.ended, name)
    end
    assert.truthy(failed[1], "no resync_failed")
    assert.equals(ids.B, failed[1].session)

    assert.equals(200, (sim:say(ids.B, "B2"))) -- parked behind B1
    assert.equals(200, (sim:ctl("DELETE", "/sim/faults")))
    assert.truthy(helper.poll_until(client, function() return #seen >= 4 end, 10), "B's news never came")
    client:poll(0.3)
    assert.same({ "A:A1", "C:C1", "B:B1", "B:B2" }, seen)
    assert.same({}, ended)
    assert.is_true(same_transcript(sim, client, ids.B))
  end)
end)
