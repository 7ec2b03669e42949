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

  it("invoke spawns under a spawner unless sync, fire spawns every listener", function()
    local em, spawned, called = emitter.new(), {}, {}
    em.spawn = function(name) spawned[#spawned + 1] = name end
    em:invoke("a", function() called[#called + 1] = "a" end, false)
    em:invoke("b", function() called[#called + 1] = "b" end, true)
    em:on("c", function() end)
    em:fire("c")
    assert.same({ "a", "c" }, spawned)
    assert.same({ "b" }, called)
  end)
end)
