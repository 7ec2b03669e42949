--- What every benchmark program shares: CPU and wall clocks, RSS, and the one JSON line a
-- program prints for bench/run.lua. Loaded with package.path extended by "./bench/?.lua".
local cjson = require "cjson"

local M = {}

--- CPU seconds (user + sys) of this process, every thread: os.clock() is clock(3), i.e.
-- CLOCK_PROCESS_CPUTIME_ID, the same account getrusage(RUSAGE_SELF) sums.
M.cpu = os.clock

--- User and system CPU seconds of this process from /proc/self/stat (clock ticks, 1/100 s):
-- a coarse split of M.cpu() for the record.
function M.user_sys()
  local f = assert(io.open("/proc/self/stat"))
  local s = f:read("a")
  f:close()
  local rest = s:match("^%d+ %b() (.*)$")
  local fields = {}
  for w in rest:gmatch("%S+") do fields[#fields + 1] = w end
  -- utime and stime are fields 14 and 15 of the line, 12 and 13 after pid and comm.
  return tonumber(fields[12]) / 100, tonumber(fields[13]) / 100
end

--- Monotonic wall seconds (CLOCK_MONOTONIC, via gws.core when it is loaded anyway).
function M.wall()
  return require("gws.core").now()
end

--- VmRSS and RssAnon of this process in KiB, after a full collection. RssAnon is the private
-- memory alone, without the library code pages VmRSS also counts (those follow the kernel's
-- fault-around, not what the process allocates). bench/memory.lua keeps a copy: its "bare"
-- figure must be lua5.4 without even this file.
function M.rss_kib()
  collectgarbage("collect")
  collectgarbage("collect")
  local f = assert(io.open("/proc/self/status"))
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)")), tonumber(s:match("RssAnon:%s*(%d+)"))
end

--- The Cookie header for every cookie of a Set-Cookie header as socket.http hands it over:
-- repeated Set-Cookie lines joined with ", " (gws-sim sets AWSELB and JSESSIONID, as the
-- vendor's load balancer does). Attributes (after ";") are dropped; an Expires date's comma
-- starts no name=value, so it is skipped.
function M.cookie_header(set_cookie)
  local out = {}
  for pair in (", " .. set_cookie):gmatch(",%s*([^;,]+)") do
    if pair:find("^[^=%s]+=") then out[#out + 1] = pair end
  end
  return table.concat(out, "; ")
end

--- B4's timed part: asks gws-sim to publish `n` NewMessages events on session `id` for
-- `agent` (POST /sim/flood on an engine of its own, without credentials) and calls poll()
-- until delivered() is true. Returns the CPU and wall seconds from the request to the last
-- delivery.
function M.flood(url, id, n, agent, delivered, poll)
  local ctl = require("gws.transport").new {}
  local c0, w0 = M.cpu(), M.wall()
  local r = ctl:request { method = "POST", url = url .. "/sim/flood", timeout = 120,
    headers = { ["Content-Type"] = "application/json" },
    body = cjson.encode { session = id, count = n, agent = agent } }
  assert(r.status == 200 and r.json and r.json.published == n, "flood failed: " .. tostring(r.body))
  while not delivered() do poll() end
  local cpu, wall = M.cpu() - c0, M.wall() - w0
  ctl:close()
  return cpu, wall
end

--- Prints the result line bench/run.lua reads.
function M.emit(t)
  io.write(cjson.encode(t), "\n")
  io.flush()
end

--- A client with the settings every benchmark uses.
function M.client(url, user, password, opts)
  local sms = require "gws.sms"
  local o = { url = url, username = user, password = password, timeout = 30 }
  for k, v in pairs(opts or {}) do o[k] = v end
  return sms.new(o)
end

return M
