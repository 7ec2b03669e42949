--- Many agents on one gws.core engine (issue #13): what a cookie jar and per-agent credentials
-- cost, in memory and in instructions per request. Against a running gws-sim.
--
--   lua5.4 bench/core_agents.lua rss BASE_URL N
--       one engine, then N agents (eng:jar{} + eng:credentials) made, then each used for one
--       request that sets a cookie (GET /api/v2/me); RssAnon in KiB at each point, one JSON
--       line: {"base","made","used","n"}; per agent = (made - base) / n, (used - base) / n
--   lua5.4 bench/core_agents.lua loop BASE_URL MODE N
--       N sequential GET /sim/health, each carrying the agent's JSESSIONID and Basic line:
--       MODE "engine" (the engine's own jar and credentials, as before issue 13) or "agent"
--       (submit{ jar = j, auth = c }). Run under callgrind for two N and divide the
--       difference of the instruction counts by the difference of N (bench/README.md).
package.path = "./bench/?.lua;" .. package.path
local core = require "gws.core"
local common = require "common"

local mode, base = arg[1], arg[2]

local function anon_kib()
  return select(2, common.rss_kib())
end

local function wait(eng, id)
  while true do
    for _, r in ipairs(eng:step(1)) do
      if r.id == id then
        assert(r.status == 200, r.err and r.err.message or r.status)
        return r
      end
    end
  end
end

if mode == "rss" then
  local n = tonumber(arg[3])
  local eng = core.new {}
  -- One request first, so libcurl's lazily made state (connection, TLS-less protocol tables)
  -- is in the base figure, not charged to the agents.
  wait(eng, eng:submit { method = "GET", url = base .. "/sim/health", timeout = 5 })
  local before = anon_kib()
  local agents = {}
  for i = 1, n do
    agents[i] = { jar = eng:jar(), auth = eng:credentials("agent" .. (i % 3 + 1), "password") }
  end
  local made = anon_kib()
  for i = 1, n do
    wait(eng, eng:submit { method = "GET", url = base .. "/api/v2/me", timeout = 5,
      jar = agents[i].jar, auth = agents[i].auth })
  end
  local used = anon_kib()
  io.write(('{"base":%d,"made":%d,"used":%d,"n":%d}\n'):format(before, made, used, n))
elseif mode == "loop" then
  local which, n = arg[3], tonumber(arg[4])
  local eng, req
  if which == "engine" then
    eng = core.new { username = "agent1", password = "password" }
    req = { method = "GET", url = base .. "/sim/health", timeout = 5 }
  else
    eng = core.new {}
    req = { method = "GET", url = base .. "/sim/health", timeout = 5,
      jar = eng:jar(), auth = eng:credentials("agent1", "password") }
  end
  -- The agent's session cookie, as every later request carries it.
  wait(eng, eng:submit { method = "GET", url = base .. "/api/v2/me", timeout = 5,
    jar = req.jar, auth = req.auth })
  local into = {}
  for _ = 1, n do
    local id = eng:submit(req, true)
    local got
    repeat
      for _, r in ipairs(eng:step(1, into)) do
        if r.id == id then got = r end
      end
    until got
  end
  io.write("done\n")
else
  io.stderr:write("usage: see the comment at the top of bench/core_agents.lua\n")
  os.exit(2)
end
