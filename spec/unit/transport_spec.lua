-- gws.transport alone, on a fake engine: a small Lua table standing in for gws.core (a fake
-- of C, no simulator). The fake's clock only moves when step() is asked to wait.
describe("gws.transport", function()
  local saved_core, transport, fake

  local function new_fake()
    local f = { clock = 100, next_id = 0, live = {}, finished = {}, steps = 0, submits = {} }
    f.core = {
      now = function() return f.clock end,
      new = function()
        local eng = {}
        function eng.submit(_, req, start_now)
          f.next_id = f.next_id + 1
          f.live[f.next_id] = req
          f.submits[#f.submits + 1] = { id = f.next_id, start_now = start_now }
          if f.auto then f.finish(f.next_id) end
          return f.next_id
        end
        function eng.step(_, wait, into)
          f.steps = f.steps + 1
          local out = into or {}
          for i = #out, 1, -1 do out[i] = nil end
          if #f.finished == 0 and wait and wait > 0 and wait ~= math.huge then f.clock = f.clock + wait end
          for i, r in ipairs(f.finished) do out[i] = r end
          f.finished = {}
          return out
        end
        function eng.cancel(_, id) local was = f.live[id] ~= nil; f.live[id] = nil; return was end
        function eng.pending() local n = 0; for _ in pairs(f.live) do n = n + 1 end; return n end
        function eng.timeout() return nil end
        function eng.pollfd() return 7 end
        function eng.events() return "r" end
        function eng.headers(_, t) return t end
        function eng.clear_cookies() end
        function eng.close() f.closed = true end
        return eng
      end,
    }
    function f.finish(id, status)
      f.live[id] = nil
      f.finished[#f.finished + 1] = { id = id, status = status or 200, headers = {}, body = "ok" }
    end
    return f
  end

  -- gws.transport and the method file it copies in at load time (gws.transport.waits) both
  -- read gws.core when they load: both are loaded afresh on the fake, and put back after.
  local RELOADED = { "gws.transport", "gws.transport.waits" }
  local saved_modules

  before_each(function()
    saved_core, saved_modules = package.loaded["gws.core"], {}
    for _, name in ipairs(RELOADED) do
      saved_modules[name], package.loaded[name] = package.loaded[name], nil
    end
    fake = new_fake()
    package.loaded["gws.core"] = fake.core
    transport = require "gws.transport"
  end)
  after_each(function()
    package.loaded["gws.core"] = saved_core
    for _, name in ipairs(RELOADED) do package.loaded[name] = saved_modules[name] end
  end)

  local REQ = { method = "GET", url = "http://x/", timeout = 10 }

  it("a blocking request starts at once and returns its own result", function()
    local t = transport.new {}
    fake.auto = true
    local r = t:request(REQ)
    assert.equals(200, r.status)
    assert.is_true(fake.submits[1].start_now)
    assert.is_nil(next(t.results))
    assert.is_nil(next(t.waiters))
  end)

  it("in a task a request yields and the pump resumes it", function()
    local t, got = transport.new {}, nil
    t:spawn("task", function() got = t:request(REQ) end)
    t:pump(0) -- runs the task: it submits (queued, not started) and yields
    assert.is_nil(got)
    assert.is_nil(fake.submits[1].start_now)
    fake.finish(1, 201)
    t:pump(0)
    assert.equals(201, got.status)
  end)

  it("interrupt fails the transfer with kind 'cancelled'", function()
    local t, got = transport.new {}, nil
    local co = t:spawn("task", function() got = t:request(REQ) end)
    t:pump(0)
    assert.is_true(t:interrupt(co))
    assert.equals("cancelled", got.err.kind)
    assert.is_nil(fake.live[1])
  end)

  it("a transfer curl never ends fails with kind 'timeout' after its timeout plus a guard", function()
    local t = transport.new {}
    local r = t:request { method = "GET", url = "http://x/", timeout = 2 }
    assert.equals("timeout", r.err.kind)
    assert.is_true(fake.clock >= 107)
  end)

  it("a closed transport answers kind 'closed'", function()
    local t = transport.new {}
    t:close()
    assert.equals("closed", t:request(REQ).err.kind)
  end)

  it("wait in a task is resumed by the first pump after its condition holds, not by a timer", function()
    local t, flag, done = transport.new {}, false, nil
    t:spawn("waiter", function() done = t:wait(function() return flag end, math.huge) end)
    t:pump(0)
    assert.is_nil(t:timeout(), "an unbounded wait must not make the loop wake up")
    local steps = fake.steps
    t:pump(5) -- nothing changed: one step, the task still waits
    assert.equals(steps + 1, fake.steps)
    assert.is_nil(done)
    flag = true
    assert.equals(0, t:timeout())
    t:pump(5)
    assert.is_true(done)
  end)

  it("wait outside a task pumps until the condition or the deadline", function()
    local t, n = transport.new {}, 0
    assert.is_true(t:wait(function() n = n + 1; return n >= 3 end, 10))
    assert.is_false(t:wait(function() return false end, 1))
  end)

  it("sleep in a task ends at its deadline; drive pumps and then dispatches the queue", function()
    local ran = {}
    local queue = { items = {} }
    function queue.pending() return #queue.items end
    function queue.dispatch()
      local n = #queue.items
      for i = 1, n do queue.items[i](); queue.items[i] = nil end
      return n
    end
    local t = transport.new { queue = queue }
    t:spawn("sleeper", function() t:sleep(1); ran[#ran + 1] = "woke" end)
    t:pump(0)
    assert.equals(1, t:timeout())
    queue.items[1] = function() ran[#ran + 1] = "dispatched" end
    assert.equals(0, t:timeout())
    assert.equals(1, t:drive(5)) -- a queued callback: the pump does not wait
    assert.same({ "dispatched" }, ran)
    assert.equals(0, t:poll(2)) -- waits; the sleeper wakes meanwhile
    assert.same({ "dispatched", "woke" }, ran)
  end)

  it("a callback waiter gets its result from inside pump", function()
    local t, got = transport.new {}, nil
    local id = t:submit(REQ, function(r) got = r end)
    fake.finish(id, 204)
    t:pump(0)
    assert.equals(204, got.status)
  end)
end)
