-- The engine's epoll set between requests (csrc/sockets.c, issue 14): a kept-alive
-- connection's socket stays registered after its answer, so the next request costs no
-- epoll_ctl; should the server close that idle connection, the event is noticed once and the
-- socket taken out, so neither step nor a host waiting on pollfd() spins on it; and the next
-- request opens a new connection as before.
local core = require "gws.core"
local helper = require "helper"

describe("gws.core sockets between requests", function()
  local sim, eng

  before_each(function()
    sim = helper.start_sim { flags = { "--quiet", "--user", "agent1:password" } }
    eng = core.new { username = "agent1", password = "password" }
  end)

  after_each(function()
    eng:close()
    if sim then sim:stop() end
  end)

  local function get(url)
    local id, r = eng:submit({ method = "GET", url = url, timeout = 5 }, true, true)
    local deadline = core.now() + 5
    while not r and core.now() < deadline do
      for _, x in ipairs(eng:step(1)) do
        if x.id == id then r = x end
      end
    end
    return assert(r, "no answer within 5 s")
  end

  -- How many steps of up to 0.1 s each fit in `seconds`: about seconds / 0.1 when step waits,
  -- far more when an event wakes every wait.
  local function steps_in(seconds)
    local n, deadline = 0, core.now() + seconds
    while core.now() < deadline do
      eng:step(0.1)
      n = n + 1
    end
    return n
  end

  it("waits quietly with an idle kept-alive connection, and after the server closed it", function()
    local url = sim.url .. "/api/v2/me"
    for _ = 1, 3 do assert.equals(200, get(url).status) end
    assert.is_true(steps_in(0.5) <= 8, "step did not wait with an idle connection")
    local port = sim.port
    sim:stop()
    sim = nil
    -- The closed connection's event is taken once; after that every step waits again.
    assert.is_true(steps_in(0.5) <= 9, "step spun on a closed idle connection")
    -- A new simulator on the same port: the next request opens a new connection.
    sim = helper.start_sim { port = port, flags = { "--quiet", "--user", "agent1:password" } }
    local r = get(sim.url .. "/api/v2/me")
    assert.equals(200, r.status)
    assert.equals(1, r.connects)
  end)

  it("keeps working across many connections opened and closed (descriptor numbers reused)", function()
    local url = sim.url .. "/api/v2/me"
    for i = 1, 30 do
      -- Every third request on a connection of its own: curl closes the old one first.
      local id = eng:submit({ method = "GET", url = url, timeout = 5,
        headers = i % 3 == 0 and { Connection = "close" } or nil }, true)
      local r
      local deadline = core.now() + 5
      while not r and core.now() < deadline do
        for _, x in ipairs(eng:step(1)) do
          if x.id == id then r = x end
        end
      end
      assert(r, "no answer within 5 s (request " .. i .. ")")
      assert.equals(200, r.status)
    end
  end)
end)
