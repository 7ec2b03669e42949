-- A loop the library does not own (issue 13, "Done when", first bullet): a luv loop drives
-- the client through pollfd/timeout/step, every answer of the server takes 1.5 s, and the
-- host's own 50 ms timer must keep ticking (no gap over 200 ms) while an operation is in
-- flight, inside a callback or in a task host code started with client:spawn. The same for
-- a shared sms.loop(). Before callbacks ran as tasks, the accept blocked the host for the
-- whole 1.5 s.
local helper = require "helper"
local sms = require "gws.sms"
local uv = require "luv"

local DELAY_MS = 1500
local TICK_MS = 50
local MAX_GAP = 0.2

-- Drives `driven` (a client or a loop) from luv as docs/embedding.md says: a poll on its fd
-- and a one-shot timer re-armed from timeout() after each step. Returns a stop function and
-- the drive function (host code that calls into the library calls it after, to re-arm).
local function drive_from_luv(driven)
  local poll = uv.new_poll(driven:pollfd())
  local timer = uv.new_timer()
  local stopped = false
  local function drive()
    if stopped then return end
    driven:step(0)
    local t = driven:timeout()
    timer:stop()
    if t then timer:start(math.max(0, math.ceil(t * 1000)), 0, drive) end
  end
  poll:start(driven:events() == "r" and "r" or "rw", drive)
  drive()
  return function()
    stopped = true
    poll:stop()
    timer:stop()
    poll:close()
    timer:close()
    -- The closes complete in a loop iteration; handles left closing crash luv at exit.
    uv.run("nowait")
  end, drive
end

-- The host's own ticker: the longest gap between two ticks while `busy()` held.
local function ticker(busy)
  local t = uv.new_timer()
  local last = uv.hrtime()
  local state = { longest = 0, ticks_busy = 0 }
  t:start(TICK_MS, TICK_MS, function()
    local now = uv.hrtime()
    if busy() then
      local gap = (now - last) / 1e9
      if gap > state.longest then state.longest = gap end
      state.ticks_busy = state.ticks_busy + 1
    end
    last = now
  end)
  state.close = function()
    t:stop()
    t:close()
  end
  return state
end

-- Runs the luv loop until done() or `limit` seconds.
local function run_until(done, limit)
  local guard = uv.new_timer()
  local check = uv.new_timer()
  guard:start(limit * 1000, 0, function() uv.stop() end)
  check:start(10, 10, function() if done() then uv.stop() end end)
  uv.run()
  guard:stop()
  check:stop()
  guard:close()
  check:close()
  uv.run("nowait") -- let the closes complete
end

describe("a host's luv loop with a slow server", function()
  local sim

  before_each(function() sim = helper.start_sim { flags = { "--agents", "2" } } end)
  after_each(function() sim:stop() end)

  local function client(opts)
    local o = { url = sim.url, username = "agent1", password = "password", timeout = 10 }
    for k, v in pairs(opts or {}) do o[k] = v end
    return sms.new(o)
  end

  it("keeps ticking while session:accept waits inside the invited callback", function()
    local c = client()
    assert(c:start_session())
    assert(c:ready())
    local accepting, accepted, took = false, nil, nil
    c:on("invited", function(s)
      accepting = true
      local t0 = uv.hrtime()
      accepted = s:accept { nickname = "Bot" }
      took = (uv.hrtime() - t0) / 1e9
      accepting = false
    end)
    sim:fault { delay_ms = DELAY_MS }
    local stop = drive_from_luv(c)
    local tick = ticker(function() return accepting end)
    sim:offer("agent1", "slow server")
    run_until(function() return accepted ~= nil end, 15)
    tick.close()
    stop() -- which also completes the closes above
    sim:fault { delay_ms = 0 }
    c:close()
    assert.is_truthy(accepted, "the accept did not finish")
    assert.is_true(took >= DELAY_MS / 1000 * 0.9, ("the accept took %.3f s: not delayed"):format(took))
    assert.is_true(tick.ticks_busy >= 10, "the ticker hardly ran while accepting: " .. tick.ticks_busy)
    assert.is_true(tick.longest <= MAX_GAP,
      ("the host's 50 ms timer waited %.3f s while the accept was in flight"):format(tick.longest))
  end)

  it("keeps ticking while a task started with client:spawn waits for the server", function()
    local c = client()
    assert(c:start_session())
    sim:fault { delay_ms = DELAY_MS }
    local stop, drive = drive_from_luv(c)
    local busy, result, took = false, nil, nil
    local tick = ticker(function() return busy end)
    -- Plain host code (a luv timer callback, not a library callback) starts the work, and
    -- then lets the library re-arm its timer (the task is due at once).
    local kick = uv.new_timer()
    kick:start(20, 0, function()
      busy = true
      local t0 = uv.hrtime()
      assert.is_true(c:spawn(function(who)
        result = { c:ready(), who }
        took = (uv.hrtime() - t0) / 1e9
        busy = false
      end, "host"))
      drive()
    end)
    run_until(function() return result ~= nil end, 15)
    kick:close()
    tick.close()
    stop() -- which also completes the closes above
    sim:fault { delay_ms = 0 }
    c:close()
    assert.is_truthy(result and result[1], "ready() did not succeed")
    assert.equals("host", result[2])
    assert.is_true(took >= DELAY_MS / 1000 * 0.9 and took < DELAY_MS / 1000 + 1,
      ("ready took %.3f s from the spawn (expected the server's %d ms)"):format(took, DELAY_MS))
    assert.is_true(tick.longest <= MAX_GAP,
      ("the host's 50 ms timer waited %.3f s while ready() was in flight"):format(tick.longest))
  end)

  it("keeps ticking with two agents on a shared sms.loop() driven from luv", function()
    local loop = sms.loop()
    local a = client { loop = loop }
    local b = client { loop = loop, username = "agent2" }
    for _, c in ipairs { a, b } do
      assert(c:start_session())
      assert(c:ready())
    end
    local in_flight, accepted = 0, {}
    for name, c in pairs { agent1 = a, agent2 = b } do
      c:on("invited", function(s)
        in_flight = in_flight + 1
        accepted[name] = s:accept { nickname = "Bot" } and true or false
        in_flight = in_flight - 1
      end)
    end
    sim:fault { delay_ms = DELAY_MS }
    local stop = drive_from_luv(loop)
    local tick = ticker(function() return in_flight > 0 end)
    sim:offer("agent1", "one")
    sim:offer("agent2", "two")
    run_until(function() return accepted.agent1 ~= nil and accepted.agent2 ~= nil end, 15)
    tick.close()
    stop() -- which also completes the closes above
    sim:fault { delay_ms = 0 }
    loop:close()
    assert.same({ agent1 = true, agent2 = true }, accepted)
    assert.is_true(tick.ticks_busy >= 10, "the ticker hardly ran while accepting: " .. tick.ticks_busy)
    assert.is_true(tick.longest <= MAX_GAP,
      ("the host's 50 ms timer waited %.3f s while the accepts were in flight"):format(tick.longest))
  end)
end)
