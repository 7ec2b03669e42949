-- gws.loop's members in process (a real gws.core engine, no network): what they share and
-- what stays each one's own.
local loop_mod = require "gws.loop"
local transport = require "gws.transport"

describe("gws.loop members", function()
  local loop, a, b
  before_each(function()
    loop = loop_mod.new {}
    a = transport.new { loop = loop, username = "a", password = "x" }
    b = transport.new { loop = loop, username = "b", password = "y" }
  end)
  after_each(function()
    a:close()
    b:close()
    loop:close()
  end)

  it("share idle workers, and a worker handed back is no longer a task of the member it ran for",
    function()
    assert.is_true(a:run_now(function() end))
    assert.equals(1, #loop.workers) -- a's worker went back to the shared pool
    local inside
    assert.is_true(b:run_now(function() inside = { a = a:in_task(), b = b:in_task() } end))
    assert.equals(1, #loop.workers) -- the same worker served b
    -- In b's job, a's waits must not take the task path: only b's pumps would resume it.
    assert.same({ a = false, b = true }, inside)
  end)
end)
