-- The load side of spec/e2e/sim_scale_spec.lua, run as a child process so that its shell can
-- raise the open-file limit first (a Lua process cannot raise its own):
--
--   lua5.4 spec/support/sim_scale_load.lua URL AGENTS PER_ENGINE SIM_PID
--
-- AGENTS agents (agent1..agentN, password "password") each handshake, subscribe to /v2/me/*
-- and open one long poll, PER_ENGINE of them on one gws.core engine (each poll is a transfer
-- of its own, so a connection of its own). Once the simulator says every poll is held, one
-- event is published to each agent, and every poll must answer with its own event.
-- Prints one JSON line: what was seen, for the spec to judge.
local core = require "gws.core"
local cjson = require "cjson"
local simctl = require "support.simctl"
local basic = require("support.base64").basic

local url, agents, per_engine, sim_pid = arg[1], tonumber(arg[2]), tonumber(arg[3]), arg[4]
-- Bounds on waiting, not timings under test: a slow machine (sanitizers, load) may take long
-- to open a thousand connections, and the first polls must still be parked when the last one
-- arrives, so the server holds each poll far longer (--poll-timeout 120000, the spec's) than
-- any phase may take. The one bound that tests something is ANSWER_WAIT: an event published to
-- a held poll must answer it well before the poll's own timeout would.
local POLL_TIMEOUT = 130  -- seconds a held connect may take on our side
local PHASE_WAIT = 60     -- seconds for every handshake, subscribe or poll to be in
local ANSWER_WAIT = 15    -- seconds from the last publish for every poll to have answered

local report = { agents = agents, errors = {} }
local function note(msg)
  if #report.errors < 10 then report.errors[#report.errors + 1] = msg end
end

-- One engine per PER_ENGINE agents; a request's own Authorization replaces the engine's, so
-- one engine carries several agents.
local engines, agent = {}, {}
for i = 1, agents do
  local e = (i - 1) // per_engine + 1
  engines[e] = engines[e] or core.new {}
  agent[i] = { eng = engines[e], auth = basic("agent" .. i .. ":password") }
end
report.engines = #engines

-- In flight: owner[eng][id] = agent index; results land in done[i].
local owner, done = {}, {}
for _, eng in ipairs(engines) do owner[eng] = {} end

local function submit(i, message, timeout)
  local a = agent[i]
  local id = a.eng:submit {
    method = "POST", url = url .. "/api/v2/notifications", timeout = timeout or PHASE_WAIT,
    headers = { ["Content-Type"] = "application/json", Authorization = a.auth },
    body = cjson.encode(message),
  }
  owner[a.eng][id] = i
end

local function step_all(wait)
  for _, eng in ipairs(engines) do
    for _, r in ipairs(eng:step(wait)) do
      local i = owner[eng][r.id]
      owner[eng][r.id] = nil
      done[i] = r
    end
    wait = 0
  end
end

local function count_done()
  local n = 0
  for i = 1, agents do if done[i] then n = n + 1 end end
  return n
end

-- Submits one request per agent and steps until every one has answered (or time runs out).
local function phase(name, make, seconds)
  done = {}
  for i = 1, agents do submit(i, make(i)) end
  local deadline = core.now() + seconds
  while count_done() < agents and core.now() < deadline do step_all(0.01) end
  local ok = 0
  for i = 1, agents do
    local r = done[i]
    local first = r and r.json and r.json[1]
    if first and first.successful then ok = ok + 1
    else note(("%s agent%d: %s"):format(name, i, r and (r.err and r.err.message or r.body) or "no answer")) end
  end
  report[name] = ok
end

local t0 = core.now()
local client_id = {}
phase("handshakes", function()
  return { channel = "/meta/handshake", version = "1.0", supportedConnectionTypes = { "long-polling" } }
end, PHASE_WAIT)
for i = 1, agents do
  local r = done[i]
  client_id[i] = r and r.json and r.json[1] and r.json[1].clientId
end
phase("subscribes", function(i)
  return { channel = "/meta/subscribe", clientId = client_id[i], subscription = "/v2/me/*" }
end, PHASE_WAIT)

-- The long polls: every one must be parked by the simulator before anything is published.
done = {}
for i = 1, agents do
  submit(i, { channel = "/meta/connect", clientId = client_id[i], connectionType = "long-polling" },
    POLL_TIMEOUT)
end
local ctl = simctl.new(url)
local stats
local deadline = core.now() + PHASE_WAIT
repeat
  step_all(0.02)
  stats = ctl:ok("GET", "/sim/stats")
until stats.held_requests >= agents or core.now() > deadline
report.held = stats.held_requests
report.connections = stats.connections
report.answered_early = count_done()

-- A thread per connection would show here as a thousand threads.
local f = io.open("/proc/" .. sim_pid .. "/status")
if f then
  report.sim_threads = tonumber(f:read("a"):match("Threads:%s*(%d+)"))
  f:close()
end

report.opened_in = core.now() - t0
local t1 = core.now()
for i = 1, agents do
  ctl:ok("POST", "/sim/publish", { agent = "agent" .. i, data = { seq = i } })
end
deadline = core.now() + ANSWER_WAIT
while count_done() < agents and core.now() < deadline do step_all(0.01) end
report.answered_in = core.now() - t1

local with_event = 0
for i = 1, agents do
  local r, got = done[i], nil
  for _, m in ipairs(r and r.json or {}) do
    if m.channel == "/v2/me/sms" and type(m.data) == "table" then got = m.data.seq end
  end
  if got == i then with_event = with_event + 1
  else note(("poll of agent%d: %s"):format(i, r and (r.err and r.err.message or r.body) or "no answer")) end
end
report.with_event = with_event
ctl:close()
for _, eng in ipairs(engines) do eng:close() end
io.write(cjson.encode(report), "\n")
