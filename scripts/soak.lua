-- Soak: N operations (default 10000) through the public gws.sms API against a gws-sim, with
-- forced reconnects mid-way, then a clean close. Run by scripts/check.sh under valgrind (the
-- client side) and against a simulator under valgrind (the server side).
--
--   lua5.4 scripts/soak.lua [N]
--
-- Uses GWS_URL when set (a simulator someone else started), else starts ./build/gws-sim
-- (or $GWS_SIM) through spec/helper.lua; LUA_PATH must reach ./lua and ./spec.
-- Exits 0 when every operation that is not expected to meet a fault succeeded, the client
-- came back after each fault, and every customer message arrived exactly once.
local helper = require "helper"
local sms = require "gws.sms"

local N = tonumber(arg[1] or os.getenv("SOAK_OPS") or 10000)
local quiet = os.getenv("SOAK_QUIET") ~= nil

local function say(fmt, ...)
  if not quiet then io.stderr:write(("soak: " .. fmt .. "\n"):format(...)) end
end

-- A simulator: ours (started and stopped here), or the one at GWS_URL, driven through the
-- same control-API client the specs use (LuaSocket, not our own code).
local sim
if os.getenv("GWS_URL") then
  sim = helper.attach(os.getenv("GWS_URL"))
else
  sim = helper.start_sim { flags = { "--poll-timeout", "1000" } }
end

local function ctl(method, path, body)
  local status, res = sim:ctl(method, path, body)
  assert(status == 200, ("%s %s answered %s"):format(method, path, tostring(status)))
  return res
end

local function offer(text)
  return ctl("POST", "/sim/sessions", {
    customer = { nickname = "Soak", phone = "+15550100" }, text = text, agent = "agent1",
  }).id
end

local client = sms.new {
  url = sim.url, username = "agent1", password = "password", timeout = 5,
  backoff_base = 0.05, backoff_cap = 0.3, poll_margin = 2,
  on_error = function(e) error("callback error: " .. tostring(e)) end,
}

local stats = { ok = 0, failed = 0, connected = 0, disconnected = 0, received = 0 }
local seen = {}                     -- customer text -> times delivered
client:on("connected", function(info)
  stats.connected = stats.connected + 1
  say("connected (rehandshake=%s)", tostring(info and info.rehandshake))
end)
client:on("disconnected", function(info)
  stats.disconnected = stats.disconnected + 1
  say("disconnected: %s", tostring(info and info.error))
end)
client:on("reconnecting", function(info) say("reconnecting: attempt %s", tostring(info.attempt)) end)
client:on("gave_up", function(info) say("gave up: %s", tostring(info.error)) end)
client:on("resynced", function() say("resynced") end)
client:on("message", function(m)
  -- Only the numbered texts ("c1", "c2", …); /sim/flood sends others.
  if m.type == "Text" and m.from and m.from.type == "Customer" and m.text:match("^c%d+$") then
    seen[m.text] = (seen[m.text] or 0) + 1
    stats.received = stats.received + 1
  end
end)

assert(client:start_session())
assert(client:ready("sms"))

-- Waits until the notification channel is back (after a fault) and the client is idle.
local function settle(what)
  local before = stats.connected
  local deadline = helper.gettime() + 15
  while stats.connected == before and helper.gettime() < deadline do client:poll(0.05) end
  assert(stats.connected > before, what .. ": notifications did not come back")
end

local session
local sent_by_customer = 0
local function new_session()
  sent_by_customer = sent_by_customer + 1
  local text = "c" .. sent_by_customer
  local id = offer(text)
  local s = assert(helper.poll_until(client, function() return client:session(id) end, 10),
                   "no offer for " .. id)
  assert(client:accept(id, { nickname = "Soak", saveLAR = false }))
  assert(s:wait("Chatting", 10))
  return s
end

-- The operations the loop cycles through; each returns res | nil, err.
local ops = {
  function(s, i) return client:send_message(s.id, "agent " .. i) end,
  function(s, i) return s:send_message { text = ("x"):rep(i % 700) } end,
  function(s) return client:start_typing(s.id) end,
  function(s) return client:stop_typing(s.id) end,
  function(s, i) return client:attach_user_data(s.id, { k = "v" .. i, n = i }) end,
  function(s) return client:get_session(s.id) end,
  function(s) return client:messages(s.id, { start_index = 1, count = 5 }) end,
  function() return client:list_sessions() end,
  function(s, i) return client:send_url(s.id, "https://example.com/" .. i) end,
  function(s) return client:delete_user_data(s.id, { "k" }) end,
}

-- Faults, each applied once at its fraction of the run; operations right after one may fail.
local faults = {
  [math.floor(N * 0.25)] = { forget_clients = true },
  [math.floor(N * 0.50)] = { forget_http_sessions = true },
  [math.floor(N * 0.75)] = { drop_connections = 8 },
}
local grace = 0                     -- operations allowed to fail after a fault

local started = helper.gettime()
session = new_session()
for i = 1, N do
  if faults[i] then
    say("op %d: fault %s", i, next(faults[i]))
    ctl("POST", "/sim/faults", faults[i])
    grace = 24
    if faults[i].forget_clients then settle("forget_clients") end
  end
  -- A fresh session every 1000 operations: accept/complete churn too.
  if i % 1000 == 0 then
    assert(client:complete(session.id, {}) or grace > 0)
    session = new_session()
  end
  if i % 50 == 0 then
    sent_by_customer = sent_by_customer + 1
    ctl("POST", "/sim/sessions/" .. session.id .. "/messages", { text = "c" .. sent_by_customer })
  end
  local res, err = ops[i % #ops + 1](session, i)
  if res then
    stats.ok = stats.ok + 1
  else
    stats.failed = stats.failed + 1
    assert(grace > 0, ("op %d failed outside a fault window: %s"):format(i, tostring(err)))
  end
  grace = grace > 0 and grace - 1 or 0
  client:poll(0)
  if i % 1000 == 0 then say("%d operations, %.1f s", i, helper.gettime() - started) end
end

-- Every other fault the simulator has, once each, aimed at the next REST call or long poll;
-- the call may fail (that is the point), the client must recover from all of them.
local extras = {
  { http_error = { status = 503, count = 1 } },
  { delay_ms = 50 }, { delay_ms = 0 },
  { stall_seconds = 0.2 },
}
for _, mode in ipairs { "malformed_json", "truncated", "html", "wrong_content_type",
                        "huge_header", "reset", "redirect" } do
  extras[#extras + 1] = { bad_answer = { mode = mode, count = 1, path = "/api/v2/me/sms" } }
end
for _, mode in ipairs { "bayeux_not_array", "unknown_fields" } do
  extras[#extras + 1] = { bad_answer = { mode = mode, count = 1 } }
end
for _, f in ipairs(extras) do
  ctl("POST", "/sim/faults", f)
  local _ = client:get_session(session.id) -- may fail
  client:poll(0.05)
end
ctl("GET", "/sim/faults")
ctl("DELETE", "/sim/faults")
ctl("GET", "/sim/requests?since=1")
ctl("DELETE", "/sim/requests")
ctl("POST", "/sim/flood", { session = session.id, count = 20 })
local deadline = helper.gettime() + 15
while not client:get_session(session.id) and helper.gettime() < deadline do client:poll(0.05) end
assert(client:send_message(session.id, "after the extras"))
sent_by_customer = sent_by_customer + 1
ctl("POST", "/sim/sessions/" .. session.id .. "/messages", { text = "c" .. sent_by_customer })

-- Every customer message exactly once.
helper.poll_until(client, function() return stats.received >= sent_by_customer end, 15)
client:poll(0.3)
if stats.received ~= sent_by_customer then
  -- What each side knows, to tell a lost notification from a late one.
  local s = client:session(session.id)
  local record = ctl("GET", "/sim/sessions/" .. session.id)
  io.stderr:write(("soak: %d of %d customer messages arrived; client session %s: state %s, "
    .. "last_index %s; simulator transcript: %d entries\n"):format(stats.received,
    sent_by_customer, session.id, s and s.state, s and s.last_index,
    #(record.transcript or {})))
end
for k = 1, sent_by_customer do
  assert(seen["c" .. k] == 1, ("customer message c%d delivered %s times"):format(k, seen["c" .. k] or 0))
end
assert(stats.disconnected >= 1 and stats.connected >= 2, "no reconnect happened")

assert(client:complete(session.id, {}))
assert(client:end_session())
client:close()
client = nil
collectgarbage()
collectgarbage()
if sim.stop then sim:stop() end
say("done: %d ok, %d failed in fault windows, %d reconnects, %d customer messages, %.1f s",
    stats.ok, stats.failed, stats.connected - 1, stats.received, helper.gettime() - started)
