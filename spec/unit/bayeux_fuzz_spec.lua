-- Property: whatever a server answers to the long poll, the Bayeux poller never dies and
-- keeps delivering afterwards (issue 11, finding 4). The poller runs on a scripted transport
-- (a fake of the transport, the layer below: each request yields to the test, which answers
-- it); random replies are fed to /meta/connect, then good ones carrying events, and every
-- event after the garbage must reach intake.
local cjson = require "cjson"
local bayeux = require "gws.bayeux"
local emitter = require "gws.emitter"

-- A transport whose requests are answered by `answer(messages)` from the test's loop.
local function scripted()
  local t = { closed = false, sleeps = 0 }
  function t.request(_, req)
    return coroutine.yield(req)
  end
  function t.spawn(_, _, fn, ...)
    t.poller = coroutine.create(fn)
    t.args = table.pack(...)
    return t.poller
  end
  function t.sleep() t.sleeps = t.sleeps + 1 end
  function t.wait() return true end
  function t.interrupt() return false end
  function t.run_now(_, fn, ...) fn(...) end
  return t
end

local function reply(json)
  local body = cjson.encode(json)
  return { status = 200, headers = { ["content-type"] = "application/json" }, body = body,
    json = json }
end

-- Hostile replies for /meta/connect: shapes, types and advice a broken server might send.
local function garbage(rng)
  local weird = { 1, "x", true, cjson.null, {}, { channel = 5 }, { channel = "/meta/connect" },
    { channel = "/v2/me/sms", data = "not a table" }, { channel = "/v2/me/sms" } }
  local advices = {
    { timeout = -30000 }, { timeout = 1e308 }, { timeout = 0 }, { interval = 1e9 },
    { interval = -5 }, { timeout = "soon" }, { reconnect = "sometimes" }, { reconnect = 5 },
    { interval = 0 / 0 == 0 / 0 and 1e300 or 0 }, "advice", 42,
  }
  local kind = rng(8)
  if kind == 1 then
    return { status = 200, headers = { ["content-type"] = "application/json" }, body = "[1,", json = nil,
      json_error = "unexpected end" }
  elseif kind == 2 then
    return reply { weird[rng(#weird)], { channel = "/meta/connect", successful = true } }
  elseif kind == 3 then
    return reply { { channel = "/meta/connect", successful = true, advice = advices[rng(#advices)] } }
  elseif kind == 4 then
    return { status = ({ 0, 400, 401, 402, 403, 500, 503 })[rng(7)], headers = {}, body = "" }
  elseif kind == 5 then
    return reply { { channel = "/meta/connect", successful = rng(2) == 1, error = "402::unknown",
      advice = { reconnect = ({ "retry", "handshake" })[rng(2)] } } }
  elseif kind == 6 then
    return reply { cjson.null }
  elseif kind == 7 then
    -- A notification whose session id is not an id, skipping indexes.
    return reply { { channel = "/v2/me/sms", data = { notificationType = "NewMessages",
      smssessionUri = "../../x y", messages = { { index = 9 } } } },
      { channel = "/meta/connect", successful = true } }
  end
  return reply { { channel = "/meta/connect", successful = true, advice = { timeout = rng(3) - 2 } } }
end

describe("the Bayeux poller under random replies", function()
  for seed = 1, 30 do
    it("keeps delivering after hostile replies (seed " .. seed .. ")", function()
      local state = seed
      local function rng(n) -- a small LCG: the same cases every run
        state = (state * 1103515245 + 12345) % 2147483648
        return state % n + 1
      end
      local t = scripted()
      local em = emitter.new()
      local got, raised = {}, {}
      em.on_error = function(e) raised[#raised + 1] = e end
      local b = bayeux.new { url = "http://127.0.0.1:9/cometd", transport = t, emitter = em,
        backoff_base = 0.01, backoff_cap = 0.02,
        intake = function(msg)
          if msg.channel == "/v2/me/sms" and type(msg.data) == "table" and msg.data.n then
            got[#got + 1] = msg.data.n
          end
          if msg.channel == "/v2/me/sms" and type(msg.data) == "table" and msg.data.smssessionUri then
            error("intake choked on " .. tostring(msg.data.smssessionUri)) -- an owner that raises
          end
        end }
      b.subs[1] = { channel = "/v2/me/*", fns = {}, sync = {}, matches = require("gws.args").cache(8) }
      b:start()
      local req = select(2, assert(coroutine.resume(t.poller, table.unpack(t.args, 1, t.args.n))))
      local garbage_left, n, sent = 12, 0, 0 -- luacheck: ignore n
      for _ = 1, 400 do
        if coroutine.status(t.poller) == "dead" then break end
        assert.is_table(req, "the poller stopped asking")
        assert.is_true(req.timeout > 0 and req.timeout <= 86400, "timeout " .. tostring(req.timeout))
        local msgs = cjson.decode(req.body)
        local ch = msgs[1].channel
        local answer
        if ch == "/meta/handshake" then
          answer = reply { { channel = "/meta/handshake", successful = true, clientId = "c" .. rng(1000),
            advice = { timeout = 1000 } } }
        elseif ch == "/meta/subscribe" then
          answer = reply { { channel = "/meta/subscribe", successful = true, subscription = "/v2/me/*" } }
        elseif garbage_left > 0 then
          garbage_left = garbage_left - 1
          answer = garbage(rng)
        else
          n = n + 1
          sent = n
          answer = reply { { channel = "/v2/me/sms", data = { n = n } },
            { channel = "/meta/connect", successful = true } }
        end
        local ok, nxt = coroutine.resume(t.poller, answer)
        assert.is_true(ok, tostring(nxt))
        req = nxt
        if sent == 5 then break end
      end
      -- Every good reply after the garbage was taken in, and the poller asks again.
      assert.equals(5, sent)
      assert.equals("suspended", coroutine.status(t.poller))
      assert.same({ 1, 2, 3, 4, 5 }, got)
      assert.equals("connected", b.state)
      assert.same({}, raised)
    end)
  end
end)
