-- gws.emitter alone: listeners, the queue, protected calls, spawn-or-call.
local emitter = require "gws.emitter"

describe("gws.emitter", function()
  it("fires listeners in order; off removes one or all", function()
    local em, got = emitter.new(), {}
    local a = em:on("x", function(v) got[#got + 1] = "a" .. v end)
    em:on("x", function(v) got[#got + 1] = "b" .. v end)
    assert.equals(2, em:fire("x", 1))
    assert.is_true(em:off("x", a))
    em:fire("x", 2)
    assert.same({ "a1", "b1", "b2" }, got)
    assert.is_true(em:off("x"))
    assert.is_false(em:has("x"))
    assert.equals(0, em:fire("x", 3))
  end)

  it("queues work and events; dispatch runs them in order", function()
    local em, got = emitter.new(), {}
    em:on("ev", function(info) got[#got + 1] = "ev" .. info.n end)
    em:push(function(a, b) got[#got + 1] = a .. b end, "p", "q")
    em:emit("ev", { n = 1 })
    assert.equals(2, em:pending())
    assert.same({}, got)
    assert.equals(2, em:dispatch())
    assert.same({ "pq", "ev1" }, got)
    assert.equals(0, em:pending())
  end)

  it("an error in a listener goes to on_error with the event and a traceback", function()
    local seen
    local em = emitter.new { on_error = function(e, info) seen = { e, info } end }
    em:on("x", function() error("boom") end)
    em:fire("x")
    assert.truthy(tostring(seen[1]):find("boom", 1, true))
    assert.equals("x", seen[2].event)
    assert.is_string(seen[2].traceback)
  end)

  it("is full at max_pending", function()
    local em = emitter.new { max_pending = 2 }
    em:push(print)
    assert.is_false(em:full())
    em:push(print)
    assert.is_true(em:full())
  end)

  -- A runner like the transport's: run_now runs fn as a task now and says whether it finished;
  -- a task that waits is resumed later by the test, as a pump would.
  local function with_runner(em)
    local waiting = {}
    em.runner = { run_now = function(_, fn, ...)
      local co = coroutine.create(fn)
      assert(coroutine.resume(co, ...))
      if coroutine.status(co) == "suspended" then
        waiting[#waiting + 1] = co
        return false
      end
      return true
    end }
    return waiting
  end

  it("dispatches in tasks: a waiting callback delays only its own lane, in order", function()
    local em, log = emitter.new(), {}
    local waiting = with_runner(em)
    em:on("message", function(sess, text)
      log[#log + 1] = sess .. ":" .. text
      if text == "m1" then coroutine.yield() end -- an operation in flight
      log[#log + 1] = sess .. ":" .. text .. " done"
    end)
    local function say(sess, text) em:push(function() em:fire_in(sess, "message", sess, text) end, nil, nil, sess) end
    say("S1", "m1")
    say("S1", "m2")
    say("S2", "x1")
    say("S1", "m3")
    assert.equals(4, em:dispatch())
    assert.same({ "S1:m1", "S2:x1", "S2:x1 done" }, log)
    assert.is_true(em:busy("S1"))
    assert(coroutine.resume(waiting[1]))
    assert.same({ "S1:m1", "S2:x1", "S2:x1 done", "S1:m1 done", "S1:m2", "S1:m2 done", "S1:m3",
      "S1:m3 done" }, log)
    assert.is_false(em:busy("S1"))
  end)

  it("one task runs a whole round when no callback waits", function()
    local em, tasks, ran = emitter.new(), 0, 0
    local waiting = with_runner(em)
    local run_now = em.runner.run_now
    em.runner.run_now = function(...) tasks = tasks + 1; return run_now(...) end
    for i = 1, 5 do em:push(function() ran = ran + 1 end, nil, nil, "S" .. i) end
    assert.equals(5, em:dispatch())
    assert.equals(5, ran)
    assert.equals(1, tasks)
    assert.same({}, waiting)
  end)

  it("on appends without copying; a listener added while firing waits for the next round", function()
    local em, n = emitter.new(), 0
    em:on("x", function() n = n + 1; em:on("x", function() n = n + 10 end) end)
    em:fire("x")
    assert.equals(1, n)
    em:fire("x")
    assert.equals(12, n)
  end)

  it("runs nothing more once closed", function()
    local em, ran = emitter.new(), 0
    em:push(function() ran = ran + 1; em:close() end)
    em:push(function() ran = ran + 1 end)
    em:dispatch()
    assert.equals(1, ran)
  end)
end)
