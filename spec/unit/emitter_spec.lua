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

  -- A runner like the transport's run_now: a task now; a listener that yields is resumed
  -- later by the test, as a pump would.
  local function with_runner(em)
    local waiting = {}
    em.run = function(fn, ...)
      local co = coroutine.create(fn)
      assert(coroutine.resume(co, ...))
      if coroutine.status(co) == "suspended" then waiting[#waiting + 1] = co end
    end
    return waiting
  end

  it("runs listeners as tasks, one lane after another: a waiting one delays only its lane", function()
    local em, log = emitter.new(), {}
    local waiting = with_runner(em)
    em:on("message", function(sess, text)
      log[#log + 1] = sess .. ":" .. text
      if text == "m1" then coroutine.yield() end -- an operation in flight
      log[#log + 1] = sess .. ":" .. text .. " done"
    end)
    em:fire_in("S1", "message", "S1", "m1")
    em:fire_in("S1", "message", "S1", "m2")
    em:fire_in("S2", "message", "S2", "x1")
    assert.same({ "S1:m1", "S2:x1", "S2:x1 done" }, log)
    assert.is_true(em:busy("S1"))
    assert(coroutine.resume(waiting[1]))
    assert.same({ "S1:m1", "S2:x1", "S2:x1 done", "S1:m1 done", "S1:m2", "S1:m2 done" }, log)
    assert.is_false(em:busy("S1"))
  end)

  it("invoke calls sync listeners now and others in the lane of their name", function()
    local em, called = emitter.new(), {}
    local waiting = with_runner(em)
    em:invoke("a", function() called[#called + 1] = "a"; coroutine.yield() end, false)
    em:invoke("a", function() called[#called + 1] = "a2" end, false)
    em:invoke("b", function() called[#called + 1] = "b" end, true)
    assert.same({ "a", "b" }, called)
    assert(coroutine.resume(waiting[1]))
    assert.same({ "a", "b", "a2" }, called)
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
