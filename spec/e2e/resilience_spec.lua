-- Notifications that never stall or lose an event. Every fault mode of gws-sim is injected in
-- the middle of a conversation, and the same audit checks that the bot saw each numbered
-- customer message exactly once and in order.
local helper = require "helper"
local bayeux = require "gws.bayeux"

-- Quick reconnects so the suite stays fast; the long poll is held 1 s by the server.
local new_client, SIM_FLAGS = helper.fast_client, helper.FAST_SIM_FLAGS

-- Starts a conversation and returns an audit: audit.texts lists, in delivery order, every
-- customer text the bot's "message" callback saw for that session.
local function conversation(client, sim)
  local audit = { texts = {}, events = {} }
  assert(client:start_session())
  local id = sim:offer("agent1", "m0")
  audit.id = id
  client:on("message", function(m, s)
    if s.id == id and m.type == "Text" and m.from.type == "Customer" then
      audit.texts[#audit.texts + 1] = m.text
    end
  end)
  for _, e in ipairs { "connected", "disconnected", "reconnecting", "gave_up", "resynced" } do
    client:on(e, function(info) audit.events[#audit.events + 1] = { e, info } end)
  end
  assert(client:accept(id, { nickname = "Auditor" }))
  assert(helper.poll_until(client, function() return #audit.texts == 1 end, 5))
  return audit
end

local function say_range(sim, id, from, to)
  for i = from, to do
    local status = sim:say(id, "m" .. i)
    assert(status == 200, "customer message m" .. i .. " refused: " .. tostring(status))
  end
end

local function expect_all(client, audit, n, timeout)
  helper.poll_until(client, function() return #audit.texts >= n + 1 end, timeout or 15)
  client:poll(0.3) -- anything doubled would show up now
  local want = {}
  for i = 0, n do want[#want + 1] = "m" .. i end
  assert.same(want, audit.texts)
end

local function saw(audit, name)
  for _, e in ipairs(audit.events) do
    if e[1] == name then return e[2] end
  end
end

describe("the fault matrix", function()
  local sim, client

  before_each(function() sim = helper.start_sim { flags = SIM_FLAGS } end)
  after_each(function()
    if client then client:close() end
    sim:stop()
  end)

  it("forgotten Bayeux client (402): re-handshake, resubscribe, resync", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { forget_clients = true }
    say_range(sim, audit.id, 4, 6) -- published while the client has no Bayeux session
    helper.poll_until(client, function() return saw(audit, "resynced") end, 10)
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9)
    assert.truthy(saw(audit, "disconnected"))
    assert.truthy(saw(audit, "resynced"))
  end)

  it("forgotten HTTP sessions (403): cookie and CSRF refreshed together", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { forget_http_sessions = true }
    say_range(sim, audit.id, 4, 6)
    client:poll(0.5)
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9)
    -- the REST side works with the refreshed session too
    assert.truthy(client:send_message(audit.id, "still here"))
  end)

  it("dropped connections: retried with backoff", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { drop_connections = 8 } -- more than curl's own retries on pooled connections absorb
    say_range(sim, audit.id, 4, 6)
    client:poll(0.5)
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9)
    assert.truthy(saw(audit, "reconnecting"))
  end)

  it("slow responses (delay)", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    sim:fault { delay_ms = 300 }
    say_range(sim, audit.id, 1, 6)
    client:poll(0.5)
    sim:fault { delay_ms = 0 }
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9)
  end)

  it("events lost in transit: the gap is noticed and fetched, in order", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { discard_events = 3 }
    say_range(sim, audit.id, 4, 6) -- these three notifications never arrive
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9)
  end)

  for _, status in ipairs { 500, 502, 503 } do
    it("server errors (HTTP " .. status .. ")", function()
      client = new_client(sim)
      local audit = conversation(client, sim)
      say_range(sim, audit.id, 1, 3)
      sim:fault { http_error = { status = status, count = 4 } }
      say_range(sim, audit.id, 4, 6)
      client:poll(0.5)
      say_range(sim, audit.id, 7, 9)
      expect_all(client, audit, 9)
      local info = saw(audit, "reconnecting")
      assert.truthy(info)
      assert.equals(status, info.error.http_status)
    end)
  end

  it("a long-poll answer lost mid-body (lose_events)", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { lose_events = 2 }
    say_range(sim, audit.id, 4, 6)
    client:poll(0.5)
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9)
  end)

  it("a failed gap fetch (events lost, then the fetch of the gap fails twice)", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { discard_events = 2 }
    sim:fault { bad_answer = { mode = "html", count = 2,
      path = "/api/v2/me/smssessions/" .. audit.id .. "/messages" } }
    say_range(sim, audit.id, 4, 9)
    expect_all(client, audit, 9)
  end)

  it("a failed resync list (after a forced re-handshake)", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { bad_answer = { mode = "html", count = 1, path = "/api/v2/me/smssessions" } }
    sim:fault { forget_clients = true }
    say_range(sim, audit.id, 4, 6)
    client:poll(0.5)
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9)
  end)

  it("a lossy link (dropped connections, events lost in transit and mid-body, in turns)", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    for k = 0, 2 do
      sim:fault { drop_connections = 2, discard_events = 1, lose_events = 1 }
      say_range(sim, audit.id, 3 * k + 1, 3 * k + 3)
      client:poll(0.3)
    end
    expect_all(client, audit, 9)
  end)

  it("a restart of the bot process between conversations", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    expect_all(client, audit, 3)
    client:close()
    client = new_client(sim) -- the restarted bot: m0..m3 are history, m4..m9 news, each once
    assert(client:start_session())
    local texts = {}
    client:on("message", function(m, s)
      if s.id == audit.id and m.type == "Text" and m.from.type == "Customer" then texts[#texts + 1] = m.text end
    end)
    say_range(sim, audit.id, 4, 9)
    helper.poll_until(client, function() return #texts >= 6 end, 10)
    client:poll(0.3)
    assert.same({ "m4", "m5", "m6", "m7", "m8", "m9" }, texts)
  end)

  it("a complete stall (partition / long GC pause)", function()
    client = new_client(sim)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    sim:fault { stall_seconds = 3 }
    say_range(sim, audit.id, 4, 6) -- the control API is not stalled, only /api/v2
    client:poll(1)
    say_range(sim, audit.id, 7, 9)
    expect_all(client, audit, 9, 20)
  end)
end)

describe("a simulator restart", function()
  it("the client carries on by itself with the saved state", function()
    local state = os.tmpname()
    local sim = helper.start_sim { flags = { "--poll-timeout", "1000", "--state", state } }
    local client = new_client(sim)
    finally(function()
      client:close()
      sim:stop()
      os.remove(state)
    end)
    local audit = conversation(client, sim)
    say_range(sim, audit.id, 1, 3)
    expect_all(client, audit, 3)
    local port = sim.port
    assert.equals(0, sim:stop())
    client:poll(0.3) -- the client notices: connection refused, retrying
    sim = helper.start_sim { port = port, flags = { "--poll-timeout", "1000", "--state", state } }
    assert.equals("Chatting", sim:session(audit.id).state)
    say_range(sim, audit.id, 4, 9)
    expect_all(client, audit, 9, 20)
    assert.truthy(saw(audit, "disconnected"))
    assert.truthy(client:send_message(audit.id, "after the restart"))
  end)
end)

describe("reconnecting", function()
  it("backs off exponentially with jitter, within its bounds", function()
    for attempt = 1, 12 do
      local d = math.min(0.5 * 2 ^ (attempt - 1), 30)
      for _, r in ipairs { 0, 0.5, 1 } do
        local got = bayeux.backoff_delay(attempt, 0.5, 30, function() return r end)
        assert.is_true(got >= d / 2 - 1e-9 and got <= d + 1e-9)
      end
    end
    assert.equals(30, bayeux.backoff_delay(100, 0.5, 30, function() return 1 end))
    assert.equals(15, bayeux.backoff_delay(100, 0.5, 30, function() return 0 end))
  end)

  it("says reconnecting with growing capped delays, then gave_up after max_attempts", function()
    local sim = helper.start_sim { flags = SIM_FLAGS }
    local client = new_client(sim, { max_attempts = 5, backoff_base = 0.05, backoff_cap = 0.2 })
    finally(function() client:close() end)
    local audit = conversation(client, sim)
    local port = sim.port
    sim:stop()
    assert.truthy(helper.poll_until(client, function() return saw(audit, "gave_up") end, 10))
    local delays = {}
    for _, e in ipairs(audit.events) do
      if e[1] == "reconnecting" then delays[#delays + 1] = e[2].delay end
    end
    assert.equals(5, #delays)
    for i, d in ipairs(delays) do
      local cap = math.min(0.05 * 2 ^ (i - 1), 0.2)
      assert.is_true(d >= cap / 2 - 1e-9 and d <= cap + 1e-9, ("delay %d = %g"):format(i, d))
    end
    assert.equals("transport", saw(audit, "gave_up").error.kind)
    assert.equals("gave_up", client.bayeux.state)
    -- Nothing more happens by itself; connect() starts again once the server is back.
    sim = helper.start_sim { port = port, flags = SIM_FLAGS }
    finally(function() sim:stop() end)
    assert.truthy(client:connect(5))
  end)

  it("gives up after give_up_after seconds", function()
    local sim = helper.start_sim { flags = SIM_FLAGS }
    local client = new_client(sim, { give_up_after = 0.5 })
    finally(function() client:close() end)
    local audit = conversation(client, sim)
    sim:stop()
    local t0 = helper.gettime()
    assert.truthy(helper.poll_until(client, function() return saw(audit, "gave_up") end, 10))
    assert.is_true(helper.gettime() - t0 < 5)
  end)
end)

describe("gws.bayeux on its own", function()
  local sim
  setup(function() sim = helper.start_sim { flags = { "--no-csrf", "--poll-timeout", "1000" } } end)
  teardown(function() sim:stop() end)

  it("subscribes, publishes, receives, unsubscribes", function()
    local b = bayeux.new { url = sim.url .. "/api/v2/notifications", username = "agent3",
      password = "password", backoff_base = 0.05 }
    finally(function() b:close() end)
    local got = {}
    assert.truthy(b:subscribe("/chat/room", function(data, msg) got[#got + 1] = { data, msg } end))
    assert.truthy(b:publish("/chat/room", { text = "hello" }))
    local deadline = helper.gettime() + 5
    while #got == 0 and helper.gettime() < deadline do b:poll(0.2) end
    assert.equals("hello", got[1][1].text)
    assert.equals("/chat/room", got[1][2].channel)
    assert.truthy(b:unsubscribe("/chat/room"))
    assert.truthy(b:publish("/chat/room", { text = "unheard" }))
    b:poll(0.5)
    assert.equals(1, #got)
  end)

  it("replays every subscription after a re-handshake", function()
    local b = bayeux.new { url = sim.url .. "/api/v2/notifications", username = "agent3",
      password = "password", backoff_base = 0.05 }
    finally(function() b:close() end)
    local got = {}
    for _, ch in ipairs { "/a/one", "/b/**" } do
      assert.truthy(b:subscribe(ch, function(data) got[#got + 1] = data.n end))
    end
    local handshakes = 0
    b:on("handshake", function(info) if not info.first then handshakes = handshakes + 1 end end)
    b:poll(0.1) -- the first handshake's event
    sim:fault { forget_clients = true }
    local deadline = helper.gettime() + 5
    while handshakes < 1 and helper.gettime() < deadline do b:poll(0.1) end
    assert.equals(1, handshakes)
    assert.truthy(b:publish("/a/one", { n = 1 }))
    assert.truthy(b:publish("/b/x/y", { n = 2 }))
    deadline = helper.gettime() + 5
    while #got < 2 and helper.gettime() < deadline do b:poll(0.1) end
    table.sort(got)
    assert.same({ 1, 2 }, got)
  end)

  it("matches channels like CometD", function()
    assert.is_true(bayeux.channel_matches("/v2/me/*", "/v2/me/smssessions"))
    assert.is_false(bayeux.channel_matches("/v2/me/*", "/v2/me/a/b"))
    assert.is_true(bayeux.channel_matches("/v2/**", "/v2/me/a/b"))
    assert.is_false(bayeux.channel_matches("/v2/**", "/v2"))
    assert.is_true(bayeux.channel_matches("/x", "/x"))
  end)
end)

describe("backpressure", function()
  it("pauses the long poll at max_pending and loses nothing", function()
    -- One event per long-poll answer, so the bound is visible exactly.
    local sim = helper.start_sim { flags = { "--poll-timeout", "1000", "--max-batch", "1" } }
    local client = new_client(sim, { max_pending = 5 })
    finally(function() client:close(); sim:stop() end)
    local audit = conversation(client, sim)
    local pressure = {}
    client:on("backpressure", function(info) pressure[#pressure + 1] = info end)
    say_range(sim, audit.id, 1, 40)
    client:sleep(1.5) -- the network runs, nothing is dispatched
    local pending = client:pending()
    assert.is_true(pending >= 5 and pending <= 6, "pending = " .. pending)
    expect_all(client, audit, 40)
    assert.truthy(pressure[1] and pressure[1].paused)
    assert.is_false(pressure[#pressure].paused)
  end)
end)
