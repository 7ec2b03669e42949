--- B7 (issue 13 item 2): many agents on one sms.loop() against gws-sim, each with its long
-- poll open and a conversation going. Both the measuring program and the part of
-- bench/run.lua that runs it (`require("agents").bench{…}` returns B7's rows).
--
--   lua5.4 bench/agents.lua BASE_URL N PASSWORD IDLE_SECONDS
--       N agents (agent1..agentN: gws-sim --agents N) on one loop, started as tasks
--       (client:spawn: start_session, ready); then one offer each; every agent accepts and
--       echoes its customer's first text, and the session stays Chatting. Then, idle:
--       open fds, RSS and CPU over IDLE_SECONDS of the loop doing only its long polls.
--       One JSON line: n, delivered (first customer messages the agents got), base_fds,
--       fds (open fds, idle, above the base), rss_kib (VmRSS above the base, after a full
--       collection), heap_kib (Lua heap above the base), cpu_ms_min (CPU ms per minute of
--       idle, all agents), idle_s, start_s (all agents started), converse_s (all offers
--       delivered and echoed), connections (the simulator's open connections, idle), limit
--       (this process's open-file limit). Base: lua5.4 with gws.sms loaded, the loop made
--       and one request done on it (libcurl's lazily made state), the control connection.
--
-- An agent that cannot start fails the run with its error: running out of file descriptors
-- reads "too many open files (limit N; raise it with ulimit -n)". bench/run.lua raises the
-- soft limit (ulimit -n) for this process first.
package.path = "./bench/?.lua;" .. package.path

local M = {}

M.SIZES = { 100, 300, 1000 }
M.TARGETS = { fds = 1.5, rss_kib = 40, cpu_ms = 1.3 }

---------------------------------------------------------------------------------------------
-- The orchestration, for bench/run.lua

--- Runs B7 for each size, each run against a fresh simulator (gws-sim --agents N: no
-- earlier run's sessions to adopt). ctx: helper (spec/helper), measure(words) (runs a
-- program, returns its JSON line), log, runs (runs per size), idle_s (the idle window).
-- Returns { rows = {…}, raw = {…}, why = "…" }; each row is the argument list of
-- bench/run.lua's row().
function M.bench(ctx)
  local sizes = M.SIZES
  local largest = sizes[#sizes]
  local raw = {}
  for run = 1, ctx.runs do
    for _, n in ipairs(sizes) do
      ctx.log("run %d/%d: B7 %d agents on one loop (%g s idle)", run, ctx.runs, n, ctx.idle_s)
      local sim = ctx.helper.start_sim { flags = { "--quiet", "--agents", tostring(n) } }
      -- The soft open-file limit raised (1 000 long polls need more than the usual 1 024);
      -- the program reports the limit it got.
      local cmd = ("ulimit -n 8192 2>/dev/null || ulimit -n $(ulimit -H -n) 2>/dev/null;"
        .. " exec lua5.4 bench/agents.lua %s %d %s %g"):format(sim.url, n, "password", ctx.idle_s)
      local ok, r = pcall(ctx.measure, { "sh", "-c", cmd })
      sim:stop()
      if not ok then error(r, 0) end
      if r.delivered ~= n then
        error(("B7: %d of %d agents got their customer's first message"):format(r.delivered, n), 0)
      end
      raw["n" .. n] = raw["n" .. n] or {}
      raw["n" .. n][run] = r
    end
  end
  local rows = {}
  local function each(n, f)
    local out = {}
    for run = 1, ctx.runs do out[run] = f(raw["n" .. n][run]) end
    return out
  end
  for _, n in ipairs(sizes) do
    rows[#rows + 1] = { "B7", ("%d agents: fds per agent"):format(n), "fd", "<= " .. M.TARGETS.fds,
      each(n, function(r) return r.fds / n end), function(m) return m <= M.TARGETS.fds end }
    rows[#rows + 1] = { "B7", ("%d agents: RSS per idle agent"):format(n), "KiB", "<= " .. M.TARGETS.rss_kib,
      each(n, function(r) return r.rss_kib / n end), function(m) return m <= M.TARGETS.rss_kib end }
    rows[#rows + 1] = { "B7", ("%d agents: idle CPU per agent per minute"):format(n), "ms/min",
      "<= " .. M.TARGETS.cpu_ms, each(n, function(r) return r.cpu_ms_min / n end),
      function(m) return m <= M.TARGETS.cpu_ms end }
  end
  -- Where an idle agent's memory goes (the profile behind the RSS row), at the largest size.
  local function per(key) return each(largest, function(r) return r[key] / largest end) end
  local function diff(a, b)
    return each(largest, function(r) return (r[a] - r[b]) / largest end)
  end
  rows[#rows + 1] = { "B7", ("%d agents: RSS per client made (no network)"):format(largest), "KiB", "report",
    per("made_rss_kib") }
  rows[#rows + 1] = { "B7", ("%d agents: + started (long poll, session)"):format(largest), "KiB", "report",
    diff("started_rss_kib", "made_rss_kib") }
  rows[#rows + 1] = { "B7", ("%d agents: + a conversation"):format(largest), "KiB", "report",
    diff("rss_kib", "started_rss_kib") }
  rows[#rows + 1] = { "B7", ("%d agents: Lua heap per idle agent"):format(largest), "KiB", "report",
    per("heap_kib") }
  rows[#rows + 1] = { "B7", ("%d agents: Lua heap per client made"):format(largest), "KiB", "report",
    per("made_heap_kib") }
  return {
    rows = rows, raw = raw,
    -- Measured at 1 000 agents (the breakdown rows, bench/README.md "B7"): a client made,
    -- before any network, 16.4 KiB (9.5 of Lua heap: its emitter, transport, http, model,
    -- Bayeux client, repairer and ~15 closures; the rest its jar and credentials); started,
    -- 23.9 KiB more (5.3 of Lua heap; the rest libcurl: the long poll's easy handle in flight,
    -- 5.5 KiB before any transfer, with the loop's 1 KiB receive buffer and its connection);
    -- a conversation, 9.3 more (the session, its transcript); ~8.6 KiB of it is free space
    -- inside malloc's arena (fragmentation), not returned by malloc_trim.
    why = "an idle agent is ~20 KiB of Lua heap in many small objects (none over ~1.8 KiB:"
      .. " the transcript, the referenceId cache, the session registry), ~20 KiB of C (libcurl's"
      .. " easy handle for the long poll, 5.5 KiB before any transfer, its connection; the cookie"
      .. " jar) and ~8.6 KiB of malloc fragmentation: the B7 breakdown rows; fds and CPU are met"
      .. " (the long polls plus a pool of max_requests connections; only members with work are"
      .. " visited)",
  }
end

---------------------------------------------------------------------------------------------
-- The measuring program

local function program(url, n, password, idle_s)
  local common = require "common"
  local core = require "gws.core"
  local simctl = require "support.simctl"
  local sms = require "gws.sms"

  local function open_fds()
    local p = assert(io.popen("ls /proc/" .. assert(io.open("/proc/self/stat")):read("n") .. "/fd"))
    local count = 0
    for _ in p:lines() do count = count + 1 end
    p:close()
    return count
  end
  local function fd_limit()
    for line in io.lines("/proc/self/limits") do
      local soft = line:match("^Max open files%s+(%d+)")
      if soft then return tonumber(soft) end
    end
  end
  local function heap_kib()
    collectgarbage("collect")
    collectgarbage("collect")
    return collectgarbage("count")
  end

  local ctl = simctl.new(url)
  local loop = sms.loop()
  do -- one request on the loop's engine, so libcurl's lazily made state is in the base
    local warm = sms.new { url = url, username = "agent1", password = password, loop = loop }
    assert(warm:list_sessions())
    warm:close()
  end
  -- The popen of open_fds adds a pipe of its own: counted in the base and after alike.
  local base_fds, base_rss, base_heap = open_fds(), common.rss_kib(), heap_kib()

  local clients, started, failed, delivered, echoed = {}, 0, nil, 0, 0
  local t0 = core.now()
  local starts = {}         -- each agent's start, a task
  local made_rss, made_heap -- after the clients are made, before any of them starts
  for i = 1, n do
    local c = sms.new { url = url, username = "agent" .. i, password = password, timeout = 60, loop = loop }
    clients[i] = c
    local first = true
    c:on("invited", function(s) assert(s:accept { nickname = "Bot" .. i }) end)
    c:on("message", function(m, s)
      if first and m.type == "Text" and type(m.from) == "table" and m.from.type == "Customer" then
        first = false
        delivered = delivered + 1
        assert(s:send_message("echo: " .. m.text))
        echoed = echoed + 1
      end
    end)
    c:on_error(function(e) failed = failed or ("agent" .. i .. ": " .. tostring(e)) end)
    starts[i] = function()
      local ok, err = c:start_session()
      if ok then ok, err = c:ready() end
      if not ok then failed = failed or ("agent" .. i .. ": " .. tostring(err)) end
      started = started + 1
    end
  end
  made_rss, made_heap = common.rss_kib() - base_rss, heap_kib() - base_heap
  for i = 1, n do clients[i]:spawn(starts[i]) end
  local function step_until(pred, limit)
    local deadline = core.now() + limit
    while not pred() and not failed and core.now() < deadline do loop:step(0.1) end
    if failed then error(failed, 0) end
    return pred()
  end
  assert(step_until(function() return started == n end, 300), ("%d of %d agents started"):format(started, n))
  local start_s = core.now() - t0
  step_until(function() return false end, 0.5)
  local started_rss, started_heap = common.rss_kib() - base_rss, heap_kib() - base_heap

  t0 = core.now()
  for i = 1, n do
    local status = ctl:call("POST", "/sim/sessions", {
      customer = { nickname = "PersonP", phone = "+15550100" },
      text = "hello agent" .. i, agent = "agent" .. i })
    assert(status == 200, "POST /sim/sessions: " .. tostring(status))
    if i % 50 == 0 then loop:step(0) end -- keep the agents going while offering
  end
  step_until(function() return echoed == n end, 120)
  local converse_s = core.now() - t0

  -- Idle: only the long polls (the simulator answers each after its poll timeout).
  step_until(function() return false end, 1)
  local fds, rss, heap = open_fds() - base_fds, common.rss_kib() - base_rss, heap_kib() - base_heap
  local cpu0, w0 = common.cpu(), core.now()
  step_until(function() return false end, idle_s)
  local cpu, wall = common.cpu() - cpu0, core.now() - w0
  local _, stats = ctl:call("GET", "/sim/stats")
  fds = math.max(fds, open_fds() - base_fds)
  common.emit { n = n, delivered = delivered, base_fds = base_fds, fds = fds, rss_kib = rss,
    heap_kib = heap, made_rss_kib = made_rss, made_heap_kib = made_heap, started_rss_kib = started_rss,
    started_heap_kib = started_heap, cpu_ms_min = cpu * 1000 * 60 / wall, idle_s = wall, start_s = start_s,
    converse_s = converse_s, connections = stats and stats.connections, limit = fd_limit() }
  loop:close()
  ctl:close()
end

if ... == "agents" then return M end -- required by bench/run.lua
program(arg[1], assert(tonumber(arg[2]), "usage: agents.lua URL N PASSWORD IDLE_SECONDS"),
  arg[3] or "password", tonumber(arg[4]) or 40)
