-- gws-sim --verbose: one stderr line per request and per notification, and no secret in any.
local helper = require "helper"
local core = require "gws.core"
local core_wait = require "support.core_wait"
local cjson = require "cjson"

local PASSWORD = "Pa55-verbose-secret"

-- Waits until the simulator's stderr has a line matching `pattern`; returns that line.
local function log_line(sim, pattern)
  local deadline = helper.gettime() + 5
  repeat
    for line in sim:stderr():gmatch("[^\n]+") do
      if line:find(pattern) then return line end
    end
    helper.sleep(0.02)
  until helper.gettime() > deadline
  error(("no log line matches %q; stderr:\n%s"):format(pattern, sim:stderr()))
end

-- One blocking request on a bare engine (no client logic in the way).
local function request(eng, req)
  req.timeout = 5
  return core_wait.submit(eng, req, true, { step = 5 })
end

describe("gws-sim --verbose", function()
  local sim
  before_each(function()
    sim = helper.start_sim { flags = { "--verbose", "--user", "agent1:" .. PASSWORD } }
  end)
  after_each(function() sim:stop() end)

  it("logs each request and each notification on one line", function()
    local client <close> = helper.client(sim, { password = PASSWORD })
    assert(client:start_session())
    local id = sim:offer("agent1", "Hello World")
    assert(client:accept(id, { nickname = "Jane" }))

    local esc = id:gsub("%p", "%%%0")
    log_line(sim, "^%d%d:%d%d:%d%d%.%d%d%d > POST /api/v2/notifications 200 user=agent1 bayeux=/meta/handshake$")
    log_line(sim, "> POST /api/v2/me 200 user=agent1 op=StartContactCenterSession$")
    log_line(sim, "> POST /sim/sessions 200$")
    log_line(sim, "> POST /api/v2/me/smssessions/" .. esc .. " 200 user=agent1 op=Accept session=" .. esc .. "$")
    log_line(sim, "< notify agent1 /v2/me/smssessions StatusChange session=" .. esc .. " state=Invited$")
    log_line(sim, "< notify agent1 /v2/me/smssessions StatusChange session=" .. esc .. " state=Chatting$")
    log_line(sim, "< notify agent1 /v2/me/smssessions NewMessages session=" .. esc .. " messages=%d+$")
  end)

  it("never prints a password, cookie, CSRF token, Bayeux clientId or secret-looking query value", function()
    local eng <close> = core.new { username = "agent1", password = PASSWORD }
    local cookie = "JSESSIONID=cookie-secret-4711"
    local me = request(eng, { method = "GET", url = sim.url .. "/api/v2/me?access_token=query-secret-0815&fields=*",
                              headers = { Cookie = cookie } })
    assert.equals(200, me.status)
    local csrf = assert(me.headers["x-csrf-token"])
    local hs = request(eng, { method = "POST", url = sim.url .. "/api/v2/notifications",
      headers = { ["Content-Type"] = "application/json", ["X-CSRF-TOKEN"] = csrf },
      body = cjson.encode { { channel = "/meta/handshake", version = "1.0",
                              supportedConnectionTypes = { "long-polling" } } } })
    assert.equals(200, hs.status)
    local client_id = assert(hs.json[1].clientId)
    local bad = request(core.new { username = "agent1", password = "wrong-" .. PASSWORD },
                        { method = "GET", url = sim.url .. "/api/v2/me" })
    assert.equals(401, bad.status)

    log_line(sim, "> GET /api/v2/me%?access_token=%*%*%*&fields=%* 200 user=agent1$")
    log_line(sim, "> POST /api/v2/notifications 200 user=agent1 bayeux=/meta/handshake$")
    log_line(sim, "> GET /api/v2/me 401$")
    local log = sim:stderr()
    for _, secret in ipairs { PASSWORD, "cookie-secret-4711", "query-secret-0815", csrf, client_id } do
      assert.falsy(log:find(secret, 1, true), ("%q appears in the log:\n%s"):format(secret, log))
    end
  end)

  it("is silent without --verbose", function()
    local quiet = helper.start_sim()
    finally(function() quiet:stop() end)
    quiet:offer("agent1", "Hello")
    local client <close> = helper.client(quiet)
    assert(client:start_session())
    assert.falsy(quiet:stderr():find("> POST", 1, true), quiet:stderr())
  end)
end)
