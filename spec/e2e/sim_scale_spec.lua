-- gws-sim under many agents (issue 13): --agents N, a thousand concurrent long polls held
-- without a thread each, and a connection limit that says when it is reached. The load runs
-- in a child process (spec/support/sim_scale_load.lua) whose shell raises the open-file limit
-- first: a thousand polls need more descriptors than the common default of 1024, and a Lua
-- process cannot raise its own limit.
local helper = require "helper"
local core = require "gws.core"
local core_wait = require "support.core_wait"
local cjson = require "cjson"

local AGENTS = 1000
local PER_ENGINE = 25       -- several long polls (transfers, so connections) per engine
local NEED_FDS = AGENTS + 400

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs the load against `sim`; returns the child's report (a table) and its open-file limit.
local function run_load(sim)
  local cmd = ("ulimit -n 4096 2>/dev/null || ulimit -n \"$(ulimit -Hn)\"; echo \"nofile $(ulimit -n)\"; " ..
    "LUA_PATH=%s LUA_CPATH=%s exec lua5.4 spec/support/sim_scale_load.lua %s %d %d %d 2>&1")
    :format(shell_quote(package.path), shell_quote(package.cpath), shell_quote(sim.url), AGENTS,
      PER_ENGINE, sim.pid)
  local pipe = assert(io.popen("sh -c " .. shell_quote(cmd)))
  local out = pipe:read("a")
  pipe:close()
  local nofile = out:match("^nofile (%S+)")
  local line = out:match("\n({.*})%s*$")
  assert(line, "the load process failed:\n" .. out)
  return cjson.decode(line), nofile
end

describe("gws-sim at scale", function()
  local sim
  after_each(function()
    if sim then sim:stop() end
    sim = nil
  end)

  it("--agents N creates agent1..agentN with the password 'password'", function()
    sim = helper.start_sim { flags = { "--agents", "5" } }
    local function me(user, password)
      local eng = core.new { username = user, password = password }
      local r = core_wait.submit(eng, { method = "GET", url = sim.url .. "/api/v2/me", timeout = 5 }, true,
        { step = 5 })
      eng:close()
      return r.status
    end
    assert.equals(200, me("agent1", "password"))
    assert.equals(200, me("agent5", "password"))
    assert.equals(401, me("agent6", "password"))
    assert.equals(401, me("agent5", "wrong"))
  end)

  it("holds a thousand long polls at once, without a thread each, and answers every one", function()
    sim = helper.start_sim { flags = { "--agents", tostring(AGENTS), "--no-csrf",
      "--poll-timeout", "120000", "--quiet" } }
    local report, nofile = run_load(sim)
    -- How long each part took goes into every message (no assertion on time: see the load's
    -- ANSWER_WAIT for the one bound that matters, an event answering its held poll at once).
    local errors = ("opened in %.1f s, answered in %.1f s\n%s\ngws-sim's stderr:\n%s"):format(
      report.opened_in or -1, report.answered_in or -1, table.concat(report.errors, "\n"),
      sim:stderr():sub(-2000))
    if tonumber(nofile) and tonumber(nofile) < NEED_FDS then
      error(("the open-file hard limit (%s) is below the %d this test needs; raise it " ..
        "(ulimit -Hn)"):format(nofile, NEED_FDS))
    end
    assert.equals(AGENTS, report.handshakes, errors)
    assert.equals(AGENTS, report.subscribes, errors)
    -- Every poll parked at once, none answered before its event.
    assert.equals(AGENTS, report.held, errors)
    assert.equals(0, report.answered_early, errors)
    assert.is_true(report.connections >= AGENTS)
    -- MHD's worker pool, the hold thread and main: a handful, not one per connection.
    assert.is_true(report.sim_threads < 16, "gws-sim ran " .. tostring(report.sim_threads) .. " threads")
    assert.equals(AGENTS, report.with_event, errors)
  end)

  it("refuses connections beyond --max-connections and says so once on stderr", function()
    -- Long polls held far longer than the test lasts: no connection is answered (and handed
    -- back to curl's pool for another request) while the others are still opening, whatever
    -- the machine's load.
    sim = helper.start_sim { flags = { "--max-connections", "20", "--no-csrf", "--poll-timeout", "30000" } }
    local eng = core.new { username = "agent1", password = "password" }
    local function post(body)
      return eng:submit { method = "POST", url = sim.url .. "/api/v2/notifications", timeout = 20,
        headers = { ["Content-Type"] = "application/json" }, body = cjson.encode(body) }
    end
    local function wait(id)
      return core_wait.result(eng, id, { step = 5 })
    end
    -- 30 Bayeux clients, one after another on the one kept-alive connection. (A newer connect of
    -- the same client would release the older one at once: each connect has its own client.)
    local client_ids = {}
    for i = 1, 30 do
      local hs = wait(post { channel = "/meta/handshake", version = "1.0",
        supportedConnectionTypes = { "long-polling" } })
      client_ids[i] = hs.json[1].clientId
    end
    -- 30 connects at once: 30 connections (the handshakes' kept-alive one among them, or beside
    -- them), of which the limit lets 20 in; those are held, the rest refused at once.
    for i = 1, 30 do post { channel = "/meta/connect", clientId = client_ids[i] } end
    local refused, answered, deadline = 0, 0, core.now() + 15
    while refused < 10 and core.now() < deadline do
      for _, r in ipairs(eng:step(0.1)) do
        if r.err then refused = refused + 1 else answered = answered + 1 end
      end
    end
    eng:step(0.2) -- one more look: an 11th refusal (the idle kept-alive connection counted) may follow
    eng:close()
    assert.is_true(refused == 10 or refused == 11, ("refused %d, answered %d"):format(refused, answered))
    assert.equals(0, answered, "a held long poll was answered before its time")
    local log = sim:stderr()
    local _, lines = log:gsub("connection limit reached", "")
    assert.equals(1, lines, log)
    assert.matches("%-%-max%-connections 20", log)
  end)
end)
