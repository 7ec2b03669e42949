-- client:run(): every callback in its own coroutine, operations yield inside it, so many
-- conversations progress at once on one thread and a slow handler holds up nobody.
local helper = require "helper"

describe("client:run()", function()
  local sim, client

  before_each(function()
    sim = helper.start_sim()
    client = helper.client(sim, { timeout = 10 })
  end)
  after_each(function()
    client:close()
    sim:stop()
  end)

  it("serves 100 sessions at once, each waiting on the server", function()
    local N = 100
    local ids = {}
    local in_flight, most_in_flight, done = 0, 0, 0
    client:on("invited", function(s)
      in_flight = in_flight + 1
      if in_flight > most_in_flight then most_in_flight = in_flight end
      assert(s:accept("Bot"))
      assert(s:wait("Chatting", 10)) -- yields until the StatusChange is dispatched
      assert(s:send_message("hello " .. s.id))
      in_flight = in_flight - 1
      done = done + 1
      if done == N then client:stop() end
    end)
    client:run(function()
      assert(client:start_session())
      for i = 1, N do ids[i] = sim:offer("agent1", "hi " .. i) end
    end)
    assert.equals(N, done)
    -- Handlers overlapped: many were waiting on the server at the same time.
    assert.is_true(most_in_flight > 10, "at most " .. most_in_flight .. " handlers overlapped")
    for _, id in ipairs(ids) do
      local t = sim:session(id).transcript
      assert.equals("hello " .. id, t[#t].text)
    end
  end)

  it("a slow handler delays nobody else", function()
    local order = {}
    local slow_id
    client:on("invited", function(s)
      if not slow_id then
        slow_id = s.id
        client:sleep(1.0) -- yields: the loop goes on without it
        order[#order + 1] = "slow"
      else
        order[#order + 1] = "fast"
      end
      assert(s:accept("Bot"))
      if #order == 3 then client:stop() end
    end)
    local t0
    client:run(function()
      assert(client:start_session())
      t0 = helper.gettime()
      for i = 1, 3 do sim:offer("agent1", "customer " .. i) end
    end)
    assert.same({ "fast", "fast", "slow" }, order)
    assert.is_true(helper.gettime() - t0 < 3)
  end)

  it("reports errors of any type from a task and keeps running", function()
    local errors, handled = {}, 0
    client:on_error(function(e, info) errors[#errors + 1] = { e, info } end)
    client:on("invited", function(s)
      handled = handled + 1
      if handled == 1 then error("first one fails") end
      if handled == 2 then error(setmetatable({}, { __tostring = function() error("nasty") end })) end
      assert(s:accept("Bot"))
      client:stop()
    end)
    client:run(function()
      assert(client:start_session())
      for i = 1, 3 do sim:offer("agent1", "c" .. i) end
    end)
    assert.equals(3, handled)
    assert.equals(2, #errors)
    assert.truthy(tostring(errors[1][1]):find("first one fails", 1, true))
    assert.equals("invited", errors[1][2].event)
    assert.equals("table", type(errors[2][1]))
  end)

  it("concurrent first writes share one HTTP session and one CSRF fetch", function()
    local ok, failed = 0, {}
    client:run(function()
      local n = 0
      for _ = 1, 32 do
        client.transport:spawn("writer", function()
          -- The server's own answer (6: no such session), never a CSRF refusal.
          local _, err = client:send_message("NOSUCHSESSION", "hello")
          if err.code == 6 then ok = ok + 1 else failed[#failed + 1] = tostring(err) end
          n = n + 1
          if n == 32 then client:stop() end
        end)
      end
    end)
    assert.same({}, failed)
    assert.equals(32, ok)
    local gets = 0
    for _, r in ipairs(sim:requests()) do
      if r.method == "GET" and r.path == "/api/v2/me" then gets = gets + 1 end
    end
    assert.equals(1, gets)
  end)

  it("operations outside run() block, and a host coroutine is never yielded across", function()
    assert(client:start_session())
    local id = sim:offer("agent1")
    local co = coroutine.wrap(function()
      -- a coroutine the client did not create: the call must block, not yield to us
      return client:accept(id, "Bot")
    end)
    local res = co()
    assert.equals(0, res.statusCode)
  end)
end)
