-- eng:step when results are already there (issue 14 item 3): a request started inside submit
-- (start_now) on a kept-alive connection usually has its answer read before submit returns,
-- and step then hands it back without a system call. Other transfers must not be starved by
-- that: the sockets are still looked at when the last look is more than a millisecond old.
local core = require "gws.core"
local core_wait = require "support.core_wait"
local helper = require "helper"

describe("gws.core step", function()
  local sim, eng

  before_each(function()
    sim = helper.start_sim { flags = { "--quiet", "--user", "agent1:password" } }
    eng = core.new { username = "agent1", password = "password" }
  end)

  after_each(function()
    eng:close()
    sim:stop()
  end)

  local function blocking(req)
    return core_wait.submit(eng, req, true, { within = 5 })
  end

  it("hands out another transfer's waiting answer no later than a request read inside submit", function()
    local me = { method = "GET", url = sim.url .. "/api/v2/me", timeout = 5 }
    assert.equals(200, blocking(me).status) -- the cookie
    -- Two kept-alive connections: one for the held request, one idle for the next.
    local a, b = eng:submit(me), eng:submit(me)
    local left = { [a] = true, [b] = true }
    local deadline = core.now() + 5
    while next(left) and core.now() < deadline do
      for _, r in ipairs(eng:step(1)) do
        assert.equals(200, r.status)
        left[r.id] = nil
      end
    end
    local delayed = "/api/v2/me/smssessions"
    sim:fault { delay_path = { path = delayed, ms = 100, count = 1 } }
    local held = eng:submit { method = "GET", url = sim.url .. delayed, timeout = 5 }
    eng:step(0) -- starts it
    -- Its answer comes after 100 ms and waits, unread, while the engine is not stepped.
    os.execute("sleep 0.4")
    -- A blocking request on the idle kept-alive connection: its answer is usually read inside
    -- submit. The steps that follow must not hand it out before the held one, which has been
    -- waiting all along (a step that trusted submit's results alone would).
    local id = eng:submit(me, true)
    local step_of, steps = {}, 0
    deadline = core.now() + 5
    while not (step_of[held] and step_of[id]) and core.now() < deadline do
      steps = steps + 1
      for _, r in ipairs(eng:step(1)) do
        assert.equals(200, r.status)
        step_of[r.id] = steps
      end
    end
    assert.truthy(step_of[held] and step_of[id], "an answer is missing")
    assert.is_true(step_of[held] <= step_of[id], ("the held answer came out at step %d, the new one at %d")
      :format(step_of[held], step_of[id]))
  end)
end)
