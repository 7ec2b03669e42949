-- sms.loop() (issue 13, item 2): many clients on one loop (one engine, one epoll fd, one
-- connection pool), each with its own credentials, cookies, CSRF token, Bayeux client and
-- sessions, against a real gws-sim with --agents.
local helper = require "helper"
local cjson = require "cjson"
local sms = require "gws.sms"

local N = 20

-- Agents' conversations: accept every offer, echo the customer's texts.
local function echo_agent(client, i, log)
  client:on("invited", function(s) assert(s:accept { nickname = "Bot" .. i }) end)
  client:on("message", function(m, s)
    if m.type == "Text" and type(m.from) == "table" and m.from.type == "Customer" then
      log[i] = log[i] or {}
      table.insert(log[i], m.text)
      assert(s:send_message("echo " .. i .. ": " .. m.text))
    end
  end)
end

-- What the agent said in a session, as the simulator holds it.
local function agent_texts(sim, id)
  local out = {}
  for _, e in ipairs(sim:session(id).transcript) do
    if type(e.from) == "table" and e.from.type == "Agent" and e.text then out[#out + 1] = e.text end
  end
  return out
end

local function step_until(loop, pred, timeout)
  local deadline = helper.gettime() + (timeout or 10)
  while not pred() and helper.gettime() < deadline do loop:step(0.05) end
  return pred()
end

describe("sms.loop(): many clients, one loop", function()
  local sim, loop, clients

  before_each(function()
    sim = helper.start_sim { flags = { "--agents", tostring(N) } }
    loop = sms.loop()
    clients = {}
  end)
  after_each(function()
    local ok, err = pcall(loop.close, loop)
    sim:stop() -- whatever close did: a simulator left running outlives the spec
    assert(ok, err)
  end)

  local function start(i, opts)
    local o = { url = sim.url, username = "agent" .. i, password = "password", timeout = 5, loop = loop }
    for k, v in pairs(opts or {}) do o[k] = v end
    local c = sms.new(o)
    clients[i] = c
    return c
  end

  it("serves 20 agents on one fd: each gets an offer and chats", function()
    loop:close()
    local POOL = 4
    loop = sms.loop { max_requests = POOL }
    local heard = {}
    for i = 1, N do
      local c = start(i)
      echo_agent(c, i, heard)
      assert(c:start_session())
      assert(c:ready())
    end
    local fd = loop:pollfd()
    for i = 1, N do assert.equals(fd, clients[i]:pollfd()) end
    local ids = {}
    for i = 1, N do ids[i] = sim:offer("agent" .. i, "hello agent" .. i) end
    assert.is_true(step_until(loop, function()
      for i = 1, N do if not heard[i] then return false end end
      return true
    end), "not every agent heard its customer")
    for i = 1, N do
      assert.same({ "hello agent" .. i }, heard[i])
      assert.is_true(step_until(loop, function() return #agent_texts(sim, ids[i]) == 1 end))
      assert.same({ "echo " .. i .. ": hello agent" .. i }, agent_texts(sim, ids[i]))
    end
    -- The long polls plus the shared pool (and the spec's own control connection), not 3
    -- per agent: 20 agents answered their offers at once, at most POOL requests at a time.
    local _, stats = sim:ctl("GET", "/sim/stats")
    assert.is_true(stats.connections <= N + POOL + 1,
      ("%d connections for %d agents"):format(stats.connections, N))
    assert.equals(N, stats.bayeux_clients)
  end)

  it("a closed client leaves the others running", function()
    local heard = {}
    for i = 1, 3 do
      local c = start(i)
      echo_agent(c, i, heard)
      assert(c:start_session())
      assert(c:ready())
    end
    clients[2]:close()
    assert.equals(2, loop:size())
    assert.error_matches(function() clients[2]:pollfd() end, "closed")
    -- Its Bayeux client is gone from the server (disconnect), the others' stay.
    local _, stats = sim:ctl("GET", "/sim/stats")
    assert.equals(2, stats.bayeux_clients)
    local a = sim:offer("agent1", "one")
    local c3 = sim:offer("agent3", "three")
    assert.is_true(step_until(loop, function() return heard[1] ~= nil and heard[3] ~= nil end))
    assert.is_nil(heard[2])
    assert.is_true(step_until(loop, function()
      return #agent_texts(sim, a) == 1 and #agent_texts(sim, c3) == 1
    end))
    -- A client made after another closed joins the same loop and works.
    local again = start(2)
    echo_agent(again, 2, heard)
    assert(again:start_session())
    assert(again:ready())
    sim:offer("agent2", "two")
    assert.is_true(step_until(loop, function() return heard[2] ~= nil end))
    assert.same({ "two" }, heard[2])
  end)

  it("never sends one agent's credentials or cookies with another's request", function()
    for i = 1, 4 do
      local c = start(i)
      assert(c:start_session())
    end
    -- Each client's own request, with the others' long polls open on the same connections
    -- pool: the server saw that client's user, and no other.
    for round = 1, 2 do
      for i = 1, 4 do
        local since = sim:requests()
        local last = since[#since] and since[#since].seq or 0
        assert(clients[i]:ready())
        assert(clients[i]:not_ready())
        local mine = sim:rest_requests(last)
        assert.is_true(#mine >= 2, "round " .. round .. ": no request of agent" .. i .. " logged")
        for _, r in ipairs(mine) do
          assert.equals("agent" .. i, r.user, r.method .. " " .. r.path)
        end
      end
    end
    -- Cookies: a request with another agent's session cookie finds no session at the server
    -- (it is bound to its user), so a write is refused (403) and the client would fetch a new
    -- session with another GET /me. Each agent made exactly one (start_session's).
    local per_user = {}
    for _, r in ipairs(sim:requests()) do
      assert.is_truthy(r.user, r.method .. " " .. r.path .. " without a user")
      if r.method == "GET" and r.path == "/api/v2/me" then
        per_user[r.user] = (per_user[r.user] or 0) + 1
      end
    end
    for i = 1, 4 do assert.equals(1, per_user["agent" .. i], "GET /me of agent" .. i) end
    -- Each Bayeux client belongs to its user (the server ties a clientId to who handshook).
    local handshakes = {}
    for _, r in ipairs(sim:requests()) do
      local batch = r.path:find("^/api/v2/notifications") and cjson.decode(r.body)
      if batch and batch[1].channel == "/meta/handshake" then
        handshakes[r.user] = (handshakes[r.user] or 0) + 1
      end
    end
    for i = 1, 4 do assert.equals(1, handshakes["agent" .. i], "handshakes of agent" .. i) end
  end)

  it("a wrong password fails that agent alone", function()
    local good = start(1)
    assert(good:start_session())
    local bad = start(2, { password = "wrong" })
    local ok, err = bad:start_session()
    assert.is_nil(ok)
    assert.equals(401, err.http_status)
    assert(good:ready())
    local heard = {}
    echo_agent(good, 1, heard)
    sim:offer("agent1", "still here")
    assert.is_true(step_until(loop, function() return heard[1] ~= nil end))
  end)

  it("is driven by run() and stop(), and close() closes its clients", function()
    local heard = {}
    for i = 1, 2 do
      local c = start(i)
      echo_agent(c, i, heard)
      assert(c:start_session())
      assert(c:ready())
    end
    clients[2]:on("message", function() loop:stop() end)
    sim:offer("agent2", "stop it")
    assert.is_true(loop:run())
    assert.same({ "stop it" }, heard[2])
    loop:close()
    assert.is_true(clients[1].closed)
    assert.is_true(clients[2].closed)
    assert.error_matches(function() loop:step(0) end, "closed")
    loop:close() -- idempotent
  end)

  it("checks its options and the clients' engine options", function()
    assert.error_matches(function() sms.loop { ca_fiel = "x" } end, "did you mean 'ca_file'")
    assert.error_matches(function()
      sms.new { url = sim.url, username = "agent1", password = "password", loop = loop, insecure = true }
    end, "insecure.*set it on the loop")
    assert.error_matches(function()
      sms.new { url = sim.url, username = "agent1", password = "password", loop = {} }
    end, "expected a loop made by sms.loop")
    assert.error_matches(function() loop:stpe(0) end, "did you mean 'step'")
  end)
end)
