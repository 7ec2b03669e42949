-- The one client of gws-sim's /sim control API (no auth, no CSRF), shared by the specs, the
-- benchmarks and the examples. It speaks to the simulator through `gws.core` alone, a blocking
-- request at a time on an engine of its own, so it depends on none of the Lua layers under test
-- (transport, bayeux, client) and needs nothing beyond what the library itself needs: no
-- LuaSocket, no LuaSec (https works through libcurl, `insecure` for a test certificate).
--
--   local simctl = require "support.simctl"
--   local ctl = simctl.new("http://127.0.0.1:8090")
--   local status, body = ctl:call("POST", "/sim/sessions", { text = "Hi", agent = "agent1" })
--   ctl:close()
local core = require "gws.core"
local core_wait = require "support.core_wait"
local cjson = require "cjson"

local simctl = {}

local Ctl = {}
Ctl.__index = Ctl

--- A control client for the simulator at `url`. opts.timeout: seconds per request (default 10).
function simctl.new(url, opts)
  opts = opts or {}
  return setmetatable({
    url = url,
    timeout = opts.timeout or 10,
    -- A simulator started with --tls-cert serves a self-signed certificate; the control API
    -- carries no secret, so verification buys nothing here.
    eng = core.new { insecure = url:match("^https:") ~= nil },
  }, Ctl)
end

--- Blocks until gws.core answers for this request; returns the engine's result table.
function Ctl:raw(method, path, body)
  local payload = body ~= nil and cjson.encode(body) or nil
  return core_wait.submit(self.eng, {
    method = method,
    url = self.url .. path,
    headers = payload and { ["Content-Type"] = "application/json" } or {},
    body = payload,
    timeout = self.timeout,
  }, true, { step = self.timeout })
end

--- Calls the control API: returns the HTTP status and the decoded JSON body (or the raw text).
-- A transport failure raises: the simulator a spec started is expected to answer.
function Ctl:call(method, path, body)
  local r = self:raw(method, path, body)
  if r.err then
    error(("simulator control API: %s %s: %s"):format(method, path, r.err.message), 2)
  end
  if r.json ~= nil then return r.status, r.json end
  return r.status, r.body
end

--- Like call, but raises unless the status is 200; returns the decoded body.
function Ctl:ok(method, path, body)
  local status, res = self:call(method, path, body)
  if status ~= 200 then
    error(("simulator control API: %s %s answered %s: %s"):format(method, path, tostring(status),
      type(res) == "table" and cjson.encode(res) or tostring(res)), 2)
  end
  return res
end

function Ctl:close()
  if self.eng then self.eng:close() end
  self.eng = nil
end

--- Seconds on the monotonic clock (what the specs use to bound their waits).
simctl.now = core.now

-- An engine with nothing in flight waits its whole timeout in step(): a sleep that needs no
-- other library.
local sleeper
function simctl.sleep(seconds)
  sleeper = sleeper or core.new {}
  local deadline = core.now() + seconds
  repeat
    sleeper:step(math.max(0, deadline - core.now()))
  until core.now() >= deadline
end

return simctl
