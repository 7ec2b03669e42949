-- Never lose, never double, never die (issue 11): each finding as a story against gws-sim.
-- The audit is resilience_spec's: every customer text of the conversation once, in order.
local helper = require "helper"

-- Quick reconnects so the suite stays fast; the long poll is held 1 s by the server.
local new_client, SIM_FLAGS = helper.fast_client, helper.FAST_SIM_FLAGS

-- Records every customer text of session `id` in delivery order.
local function texts_of(client, id)
  local texts = {}
  client:on("message", function(m, s)
    if s.id == id and m.type == "Text" and m.from and m.from.type == "Customer" then
      texts[#texts + 1] = m.text
    end
  end)
  return texts
end

local function conversation(client, sim)
  assert(client:start_session())
  local id = sim:offer("agent1", "m0")
  local texts = texts_of(client, id)
  assert(client:accept(id, { nickname = "Auditor" }))
  assert(helper.poll_until(client, function() return #texts == 1 end, 5))
  return id, texts
end

local function say_range(sim, id, from, to)
  for i = from, to do assert.equals(200, (sim:say(id, "m" .. i))) end
end

local function expect_all(client, texts, n, timeout)
  helper.poll_until(client, function() return #texts >= n + 1 end, timeout or 10)
  client:poll(0.3) -- anything doubled would show up now
  local want = {}
  for i = 0, n do want[#want + 1] = "m" .. i end
  assert.same(want, texts)
end

describe("never lose", function()
  local sim, client
  before_each(function() sim = helper.start_sim { flags = SIM_FLAGS } end)
  after_each(function()
    if client then client:close() end
    client = nil
    sim:stop()
  end)

  it("a long-poll answer larger than max_body loses nothing: the resync brings it, in pages,"
    .. " once, in order", function()
    client = new_client(sim, { max_body = 65536 })
    local id, texts = conversation(client, sim)
    -- 400 texts at once (over 64 KiB): the long poll's answer is refused as too large.
    assert.equals(200, (sim:ctl("POST", "/sim/flood", { session = id, count = 400 })))
    helper.poll_until(client, function() return #texts >= 401 end, 20)
    client:poll(0.3) -- anything doubled would show up now
    local want = {}
    for _, m in ipairs(sim:session(id).transcript) do
      if m.type == "Text" and m.from and m.from.type == "Customer" then want[#want + 1] = m.text end
    end
    assert.equals(401, #want)
    assert.same(want, texts)
  end)

  it("a restarted bot: what came before start_session is history, what comes after is news, once"
    .. " (finding 1)", function()
    local first = new_client(sim)
    local id = conversation(first, sim)
    first:close()
    for trial = 1, 6 do
      client = new_client(sim)
      assert(client:start_session())
      local texts = texts_of(client, id)
      sim:say(id, "new" .. trial) -- the customer texts as soon as start_session returns
      helper.poll_until(client, function() return #texts >= 1 end, 5)
      client:poll(0.3)
      assert.same({ "new" .. trial }, texts)
      client:close()
      client = nil
    end
  end)

  it("a gap whose fetch fails is fetched again, and nothing after it overtakes it (finding 2)", function()
    client = new_client(sim)
    local id, texts = conversation(client, sim)
    say_range(sim, id, 1, 3)
    expect_all(client, texts, 3)
    sim:fault { discard_events = 1 }
    say_range(sim, id, 4, 4) -- lost in transit
    sim:fault { bad_answer = { mode = "html", count = 2, path = "/api/v2/me/smssessions/" .. id .. "/messages" } }
    say_range(sim, id, 5, 6) -- shows the gap; its fetch fails twice
    expect_all(client, texts, 6)
  end)

  it("a long-poll answer lost mid-body while the conversation is idle (finding 3)", function()
    client = new_client(sim)
    local id, texts = conversation(client, sim)
    say_range(sim, id, 1, 3)
    expect_all(client, texts, 3)
    sim:fault { lose_events = 1 }
    say_range(sim, id, 4, 4) -- the customer's last text; nothing comes after it
    expect_all(client, texts, 4)
    assert.equals(1, sim:fault({}).applied.lost_event_replies)
  end)

  it("the customer's leaving, lost mid-body, still arrives (finding 3)", function()
    client = new_client(sim)
    local id, texts = conversation(client, sim)
    local left = 0
    client:on("message", function(m, s)
      if s.id == id and m.type == "ParticipantLeft" and m.from.type == "Customer" then left = left + 1 end
    end)
    sim:fault { lose_events = 1 }
    assert.equals(200, (sim:ctl("POST", "/sim/sessions/" .. id .. "/leave")))
    assert.truthy(helper.poll_until(client, function() return left > 0 end, 10), "the leaving never arrived")
    client:poll(0.3)
    assert.equals(1, left)
    assert.same({ "m0" }, texts)
    assert.equals(1, sim:fault({}).applied.lost_event_replies)
  end)

  it("after a forced re-handshake, a session list that fails once is retried (finding 3)", function()
    client = new_client(sim)
    local id, texts = conversation(client, sim)
    local failed = 0
    client:on("resync_failed", function() failed = failed + 1 end)
    say_range(sim, id, 1, 3)
    expect_all(client, texts, 3)
    sim:fault { bad_answer = { mode = "html", count = 1, path = "/api/v2/me/smssessions" } }
    sim:fault { forget_clients = true }
    say_range(sim, id, 4, 6) -- published while the client has no Bayeux session
    expect_all(client, texts, 6)
    assert.equals(1, failed)
  end)

  it("waiting inside a callback keeps the transcript's order across a resync (finding 5)", function()
    client = new_client(sim)
    local id, texts = conversation(client, sim)
    local handled = {} -- in the order the bot finished with them
    client:on("message", function(m, s)
      if s.id == id and m.type == "Text" and m.from.type == "Customer" then
        assert(s:send_message("echo " .. m.text))
        -- A nested wait for what a later notification of this very session brings.
        assert(s:wait(function(ss)
          local last = ss.messages[#ss.messages]
          for i = #ss.messages, 1, -1 do
            if ss.messages[i].text == "echo " .. m.text then return true end
          end
          return last == nil
        end, 5))
        handled[#handled + 1] = m.text
      end
    end)
    say_range(sim, id, 1, 3)
    sim:fault { forget_clients = true }
    say_range(sim, id, 4, 8)
    expect_all(client, texts, 8)
    assert.truthy(helper.poll_until(client, function() return #handled >= 8 end, 10))
    assert.same({ "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8" }, handled)
  end)

  it("a server that changed the password after a good start: one GET /me, then gave_up (finding 9)", function()
    client = new_client(sim)
    conversation(client, sim)
    local gave_up
    client:on("gave_up", function(info) gave_up = info end)
    local port = sim.port
    sim:stop()
    sim = helper.start_sim { port = port, flags = { "--poll-timeout", "1000", "--user", "agent1:changed" } }
    assert.truthy(helper.poll_until(client, function() return gave_up end, 10))
    assert.equals("http", gave_up.error.kind)
    assert.equals(20, gave_up.error.code)
    local seen = #sim:requests()
    client:poll(1)
    assert.equals(seen, #sim:requests()) -- no loop on 401
    local me = 0
    for _, r in ipairs(sim:requests()) do if r.path == "/api/v2/me" then me = me + 1 end end
    assert.equals(1, me)
  end)
end)

describe("bounded", function()
  it("3 000 conversations: the model keeps keep_ended ended sessions, the heap does not grow (finding 8)",
    function()
    local sim = helper.start_sim { flags = SIM_FLAGS }
    local client = new_client(sim, { keep_ended = 50 })
    finally(function() client:close(); sim:stop() end)
    assert(client:start_session())
    local ended = 0
    client:on("ended", function() ended = ended + 1 end)
    local heap
    for i = 1, 3000 do
      local id = sim:offer("agent1", "hello " .. i)
      assert(client:accept(id, { nickname = "Bot" }))
      assert(client:complete(id))
      assert(helper.poll_until(client, function() return ended == i end, 5))
      if i == 2000 then
        collectgarbage("collect")
        heap = collectgarbage("count")
      end
    end
    collectgarbage("collect")
    local growth = collectgarbage("count") - heap
    assert.equals(50, #client:sessions())
    -- The bounded caches (references, forgotten markers, ids, URLs: two generations each) cycle
    -- every 1 000 conversations, so 2 000 and 3 000 are the same point of their cycle.
    assert.is_true(growth < 128, ("the heap grew %.0f KiB from 2000 to 3000 conversations"):format(growth))
    local last = client:sessions()[50]
    assert.is_true(client:forget(last.id))
    assert.equals(49, #client:sessions())
  end)
end)

describe("small ones (finding 10)", function()
  local sim
  setup(function() sim = helper.start_sim { flags = SIM_FLAGS } end)
  teardown(function() sim:stop() end)

  it("close() inside a callback: the callbacks already queued do not run", function()
    local client = new_client(sim)
    local id = conversation(client, sim)
    local after = 0
    client:on("message", function(m)
      if m.text == "m1" then client:close() elseif m.text == "m2" then after = after + 1 end
    end)
    say_range(sim, id, 1, 2)
    helper.sleep(0.5) -- both arrive before the next poll
    local deadline = helper.gettime() + 5
    while not client.closed and helper.gettime() < deadline do pcall(client.poll, client, 0.1) end
    assert.is_true(client.closed)
    assert.equals(0, after)
  end)

  it("session:wait on a closed client says closed", function()
    local client = new_client(sim)
    local id = conversation(client, sim)
    local s = client:session(id)
    client:on("message", function() client:close() end)
    sim:say(id, "bye")
    local ok, err = s:wait("Completed", 2)
    assert.is_nil(ok)
    assert.equals("closed", err.kind)
  end)

  it("on() does not copy the listener list: 20 000 registrations take well under a second", function()
    local client = new_client(sim)
    finally(function() client:close() end)
    local t0 = helper.gettime()
    for _ = 1, 20000 do client:on("message", function() end) end
    assert.is_true(helper.gettime() - t0 < 0.5)
  end)
end)
