-- Shared fixtures for the specs: a real gws-sim on a free loopback port per test file, and a
-- client for its /sim control API (spec/support/simctl.lua) that uses gws.core alone, none of
-- the Lua layers under test.
local cjson = require "cjson"
local simctl = require "support.simctl"
local files = require "support.files"
local child = require "support.child"

local helper = {}

helper.SIM = os.getenv("GWS_SIM") or "./build/gws-sim"
helper.sleep = simctl.sleep
helper.gettime = simctl.now

local Sim = {}
Sim.__index = Sim

local function shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

--- Starts a simulator. opts.port (default 0 = any free port), opts.flags (array of extra
-- command-line words). Returns a Sim with .url, .port, :ctl(), :stop().
function helper.start_sim(opts)
  opts = opts or {}
  local words = { shell_quote(helper.SIM), "--port", tostring(opts.port or 0) }
  for _, f in ipairs(opts.flags or {}) do words[#words + 1] = shell_quote(f) end
  local sim = child.start(table.concat(words, " "), "gws-sim")
  sim.port = tonumber(sim.url:match(":(%d+)$"))
  sim.control = simctl.new(sim.url)
  return setmetatable(sim, Sim)
end

--- A Sim for a simulator someone else started at `url` (stop() leaves it running).
function helper.attach(url)
  return setmetatable({ url = url, port = tonumber(url:match(":(%d+)$")),
    control = simctl.new(url) }, Sim)
end

--- Calls the control API: returns HTTP status and the decoded JSON body (or raw text).
function Sim:ctl(method, path, body)
  return self.control:call(method, path, body)
end

--- POST /sim/sessions; returns the new session id.
function Sim:offer(agent, text, customer)
  local status, res = self:ctl("POST", "/sim/sessions", {
    customer = customer or { nickname = "PersonP", phone = "+15550100" },
    text = text or "Hello World", agent = agent,
  })
  assert(status == 200, "POST /sim/sessions failed: " .. tostring(status))
  return res.id
end

function Sim:session(id)
  local status, res = self:ctl("GET", "/sim/sessions/" .. id)
  assert(status == 200, "GET /sim/sessions/" .. id .. " answered " .. tostring(status))
  return res
end

function Sim:say(id, text)
  return self:ctl("POST", "/sim/sessions/" .. id .. "/messages", { text = text })
end

--- The /api/v2 requests the simulator saw (optionally only those since seq).
function Sim:requests(since)
  local _, res = self:ctl("GET", "/sim/requests" .. (since and ("?since=" .. since) or ""))
  return res.requests
end

--- The REST requests only: the Bayeux long polls come and go on their own, so a spec that
-- asserts "this call sent nothing" counts these.
function Sim:rest_requests(since)
  local out = {}
  for _, r in ipairs(self:requests(since)) do
    if not r.path:find("^/api/v2/notifications") then out[#out + 1] = r end
  end
  return out
end

function Sim:clear_requests()
  self:ctl("DELETE", "/sim/requests")
end

function Sim:fault(spec)
  local status, res = self:ctl("POST", "/sim/faults", spec)
  assert(status == 200, "POST /sim/faults failed: " .. tostring(status))
  return res
end

--- Stops the simulator (SIGTERM, then SIGKILL after 5 s). Returns its exit status.
function Sim:stop()
  if self.control then self.control:close() end
  return child.stop(self)
end

--- The simulator's stderr so far (for failure messages).
function Sim:stderr()
  return files.read(self.log, "")
end

--- A self-signed certificate for 127.0.0.1 (one day, openssl), for gws-sim --tls-cert/--tls-key:
-- writes DIR/cert.pem and DIR/key.pem and returns their paths.
function helper.self_signed_cert(dir)
  local cmd = ("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
    .. "-addext subjectAltName=IP:127.0.0.1 -keyout %s/key.pem -out %s/cert.pem >/dev/null 2>&1")
    :format(dir, dir)
  assert(os.execute(cmd), "openssl could not make a self-signed certificate")
  return dir .. "/cert.pem", dir .. "/key.pem"
end

--- A client for this simulator; opts override the defaults.
function helper.client(sim, opts)
  local sms = require "gws.sms"
  local o = { url = sim.url, username = "agent1", password = "password", timeout = 5 }
  for k, v in pairs(opts or {}) do o[k] = v end
  return sms.new(o)
end

--- For the fault stories: quick reconnects so the suite stays fast, against a simulator
-- started with helper.FAST_SIM_FLAGS (it holds a long poll 1 s).
helper.FAST = { backoff_base = 0.05, backoff_cap = 0.4, timeout = 3, poll_margin = 2 }
helper.FAST_SIM_FLAGS = { "--poll-timeout", "1000" }

--- helper.client with helper.FAST's options, then `extra`'s over them.
function helper.fast_client(sim, extra)
  local o = {}
  for k, v in pairs(helper.FAST) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return helper.client(sim, o)
end

--- The fixture most e2e specs share: a fresh simulator and a client of it around every test
-- of the describe block this is called in. set(sim, client) receives them before each test;
-- after it the client is closed and the simulator stopped. opts.sim: helper.start_sim's
-- options; opts.client: helper.client's; opts.start_session: the client's agent session is
-- started first.
function helper.sim_and_client_each(set, opts)
  opts = opts or {}
  local busted = require "busted" -- before_each/after_each of the describe block calling us
  local sim, client
  busted.before_each(function()
    sim = helper.start_sim(opts.sim)
    client = helper.client(sim, opts.client)
    if opts.start_session then assert(client:start_session()) end
    set(sim, client)
  end)
  busted.after_each(function()
    client:close()
    sim:stop()
  end)
end

--- Polls `client` until pred() is true or `timeout` s pass; returns pred()'s last value.
function helper.poll_until(client, pred, timeout)
  local deadline = simctl.now() + (timeout or 5)
  local v = pred()
  while not v and simctl.now() < deadline do
    client:poll(0.05)
    v = pred()
  end
  return v
end

--- Offers a session to the client's agent, accepts it and waits until the model says
-- Chatting with the opening transcript in. Returns the id and the Session.
function helper.chatting(client, sim, nickname)
  local id = sim:offer(client.username)
  assert(client:accept(id, { nickname = nickname or "Bot" }))
  local s = assert(helper.poll_until(client, function()
    local s = client:session(id)
    return s and s.state == "Chatting" and #s.messages >= 3 and s
  end), "session did not reach Chatting")
  return id, s
end

--- Records every event of the given names: rec.list is { {name, ...}, … }.
function helper.recorder(client, names)
  local rec = { list = {} }
  for _, name in ipairs(names) do
    client:on(name, function(...)
      rec.list[#rec.list + 1] = table.pack(name, ...)
    end)
  end
  function rec:names()
    local out = {}
    for i, e in ipairs(self.list) do out[i] = e[1] end
    return out
  end
  function rec:of(name)
    local out = {}
    for _, e in ipairs(self.list) do
      if e[1] == name then out[#out + 1] = e end
    end
    return out
  end
  return rec
end

--- Parses the vendor's seed page into the three notifications it shows (field names and
-- values, with the sample's non-JSON quirks tolerated by stripping the blank lines).
-- Without the page (shared/ not beside the checkout), the same three payloads are read from
-- spec/fixtures/seed-accept.json, which was extracted from it.
function helper.seed_notifications()
  local path = os.getenv("GWS_SEED") or "../shared/spec/seed-accept.txt"
  local f = io.open(path)
  if not f then
    f = assert(io.open("spec/fixtures/seed-accept.json"))
    local list = cjson.decode(f:read("a"))
    f:close()
    return list
  end
  local text = f:read("a")
  f:close()
  local out = {}
  local start = text:find("Notification", 1, true)
  local pos = start
  while true do
    local s = text:find("{", pos, true)
    if not s then break end
    local depth, i = 0, s
    repeat
      local c = text:sub(i, i)
      if c == "{" then depth = depth + 1 elseif c == "}" then depth = depth - 1 end
      i = i + 1
    until depth == 0 or i > #text
    out[#out + 1] = cjson.decode(text:sub(s, i - 1))
    pos = i
  end
  return out
end

return helper
