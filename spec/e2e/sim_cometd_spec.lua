-- gws-sim as a CometD server and a servlet container (issue 12 item 4, the parts a client
-- does not see change in meaning; issue 15 item 4): the Bayeux message-type sub-paths,
-- advice.maxInterval and forgetting a silent client, the BAYEUX_BROWSER and load-balancer
-- cookies, session cookie rotation, idle HTTP sessions, --no-csrf as a server without
-- protection, and an offer nobody answers timing out with the vendor's Error.
-- Raw HTTP over luv where the headers matter (gws.core keeps Set-Cookie to itself), gws.core
-- elsewhere: none of the client under test.
local helper = require "helper"
local core = require "gws.core"
local core_wait = require "support.core_wait"
local cjson = require "cjson"
local uv = require "luv"

local AUTH = "Basic YWdlbnQxOnBhc3N3b3Jk" -- agent1:password

-- One request on a connection of its own, read to the end. Returns status, headers (lower-case
-- name -> list of values) and body.
local function raw(sim, method, path, opts)
  opts = opts or {}
  local port = sim.port
  local lines = { ("%s %s HTTP/1.1"):format(method, path), "Host: 127.0.0.1:" .. port,
    "Connection: close", "Authorization: " .. (opts.auth or AUTH) }
  for name, value in pairs(opts.headers or {}) do lines[#lines + 1] = name .. ": " .. value end
  local body = opts.body and cjson.encode(opts.body) or ""
  if opts.body then lines[#lines + 1] = "Content-Type: application/json" end
  lines[#lines + 1] = "Content-Length: " .. #body
  local request = table.concat(lines, "\r\n") .. "\r\n\r\n" .. body
  local chunks, finished = {}, false
  local tcp = uv.new_tcp()
  tcp:connect("127.0.0.1", port, function(err)
    assert(not err, err)
    tcp:write(request)
    tcp:read_start(function(rerr, data)
      if data then chunks[#chunks + 1] = data
      else
        finished = true
        assert(not rerr, rerr)
        tcp:close()
      end
    end)
  end)
  local deadline = core.now() + 5
  while not finished and core.now() < deadline do uv.run("once") end
  assert(finished, "no answer to " .. method .. " " .. path)
  local text = table.concat(chunks)
  local head, rest = text:match("^(.-)\r\n\r\n(.*)$")
  local status = tonumber(head:match("^HTTP/1%.1 (%d+)"))
  local headers = {}
  for name, value in head:gmatch("\r\n([^:\r\n]+):%s*([^\r\n]*)") do
    name = name:lower()
    headers[name] = headers[name] or {}
    table.insert(headers[name], value)
  end
  return status, headers, rest
end

-- The value a response's Set-Cookie gives `name`, or nil.
local function set_cookie(headers, name)
  for _, c in ipairs(headers["set-cookie"] or {}) do
    local v = c:match("^" .. name .. "=([^;]*)")
    if v then return v end
  end
end

-- An engine logged in as `user`, with blocking JSON calls.
local function api(sim, user)
  local eng = core.new { username = user or "agent1", password = "password" }
  local a = { eng = eng }
  function a.call(method, path, body, timeout)
    return core_wait.submit(eng, { method = method, url = sim.url .. path, timeout = timeout or 5,
      headers = body and { ["Content-Type"] = "application/json" } or {},
      body = body and cjson.encode(body) or nil }, true, { step = timeout or 5 })
  end
  function a.bayeux(path, message)
    return a.call("POST", "/api/v2/notifications" .. (path or ""), message).json
  end
  return a
end

describe("gws-sim as a CometD server", function()
  local sim
  after_each(function() if sim then sim:stop() end sim = nil end)

  it("answers on the message-type sub-paths the official CometD clients post to", function()
    sim = helper.start_sim { flags = { "--no-csrf" } }
    local a = api(sim)
    local hs = a.bayeux("/handshake", { channel = "/meta/handshake", version = "1.0",
      supportedConnectionTypes = { "long-polling" } })
    assert.is_true(hs[1].successful)
    local id = hs[1].clientId
    local sub = a.bayeux("/subscribe", { channel = "/meta/subscribe", clientId = id, subscription = "/v2/me/*" })
    assert.is_true(sub[1].successful)
    local con = a.bayeux("/connect", { channel = "/meta/connect", clientId = id, connectionType = "long-polling",
      advice = { timeout = 0 } })
    assert.is_true(con[1].successful)
    assert.is_true(a.bayeux("/unsubscribe", { channel = "/meta/unsubscribe", clientId = id,
      subscription = "/v2/me/*" })[1].successful)
    assert.is_true(a.bayeux("/disconnect", { channel = "/meta/disconnect", clientId = id })[1].successful)
    assert.equals(404, a.call("POST", "/api/v2/notifications/elsewhere", { channel = "/meta/handshake" }).status)
    a.eng:close()
  end)

  it("advises maxInterval and forgets a client silent for longer", function()
    sim = helper.start_sim { flags = { "--no-csrf", "--max-interval", "800", "--poll-timeout", "3000" } }
    local a = api(sim)
    local hs = a.bayeux(nil, { channel = "/meta/handshake", version = "1.0",
      supportedConnectionTypes = { "long-polling" } })[1]
    assert.same({ reconnect = "retry", interval = 0, timeout = 3000, maxInterval = 800 }, hs.advice)
    local con = a.bayeux(nil, { channel = "/meta/connect", clientId = hs.clientId, advice = { timeout = 0 } })[1]
    assert.equals(800, con.advice.maxInterval)
    helper.sleep(0.4)                      -- within maxInterval: still known
    assert.is_true(a.bayeux(nil, { channel = "/meta/connect", clientId = hs.clientId, advice = { timeout = 0 } })[1].successful)
    helper.sleep(1.2)                      -- silent for longer: forgotten
    local gone = a.bayeux(nil, { channel = "/meta/connect", clientId = hs.clientId, advice = { timeout = 0 } })[1]
    assert.is_false(gone.successful)
    assert.equals("402::Unknown client", gone.error)
    assert.equals("handshake", gone.advice.reconnect)
    a.eng:close()
  end)

  it("sets BAYEUX_BROWSER on the handshake and a load balancer's AWSELB cookie once", function()
    sim = helper.start_sim()
    local status, headers = raw(sim, "POST", "/api/v2/notifications/handshake", { body = {
      channel = "/meta/handshake", version = "1.0", supportedConnectionTypes = { "long-polling" } } })
    -- (a POST without a CSRF token is refused, but still gets the load balancer's cookie)
    assert.equals(403, status)
    local lb = set_cookie(headers, "AWSELB")
    assert.truthy(lb)
    local _, got = raw(sim, "GET", "/api/v2/me", { headers = { Cookie = "AWSELB=" .. lb } })
    assert.is_nil(set_cookie(got, "AWSELB"), "a request that carries it is not given another")
    local session, token = set_cookie(got, "JSESSIONID"), got["x-csrf-token"][1]
    local st, hs = raw(sim, "POST", "/api/v2/notifications", {
      headers = { Cookie = "JSESSIONID=" .. session .. "; AWSELB=" .. lb, ["X-CSRF-TOKEN"] = token },
      body = { channel = "/meta/handshake", version = "1.0", supportedConnectionTypes = { "long-polling" } } })
    assert.equals(200, st)
    assert.matches("^%x+$", set_cookie(hs, "BAYEUX_BROWSER"))
  end)
end)

describe("gws-sim HTTP sessions", function()
  local sim
  after_each(function() if sim then sim:stop() end sim = nil end)

  local function me(cookie)
    return raw(sim, "GET", "/api/v2/me", { headers = cookie and { Cookie = "JSESSIONID=" .. cookie } or nil })
  end
  local function post(cookie, token)
    return (raw(sim, "POST", "/api/v2/me/channels/sms", { body = { operationName = "Ready" },
      headers = { Cookie = "JSESSIONID=" .. cookie, ["X-CSRF-TOKEN"] = token } }))
  end

  it("rotates the session cookie when asked: a new id, the same token, the old id unknown", function()
    sim = helper.start_sim()
    local _, h = me()
    local old, token = set_cookie(h, "JSESSIONID"), h["x-csrf-token"][1]
    assert.equals(1, sim:fault { rotate_http_session = true }.applied.sessions_rotated)
    local _, h2 = me(old)
    local new = set_cookie(h2, "JSESSIONID")
    assert.truthy(new)
    assert.are_not.equal(old, new)
    assert.equals(token, h2["x-csrf-token"][1])
    assert.is_nil(set_cookie(select(2, me(new)), "JSESSIONID"), "the new id is the session now")
    assert.equals(403, post(old, token))
    assert.equals(200, post(new, token))
  end)

  it("expires an HTTP session idle for longer than --http-session-idle", function()
    sim = helper.start_sim { flags = { "--http-session-idle", "1" } }
    local _, h = me()
    local cookie, token = set_cookie(h, "JSESSIONID"), h["x-csrf-token"][1]
    assert.equals(200, post(cookie, token))
    helper.sleep(0.5)
    assert.equals(200, post(cookie, token), "used within the idle time")
    helper.sleep(1.3)
    assert.equals(403, post(cookie, token))
  end)

  it("--no-csrf is a server without protection: no token headers at all, POSTs need none", function()
    sim = helper.start_sim { flags = { "--no-csrf" } }
    local status, h = me()
    assert.equals(200, status)
    assert.is_nil(h["x-csrf-header"])
    assert.is_nil(h["x-csrf-token"])
    assert.equals(200, (raw(sim, "POST", "/api/v2/me/channels/sms", { body = { operationName = "Ready" } })))
  end)
end)

describe("gws-sim offers nobody answers", function()
  local sim
  after_each(function() if sim then sim:stop() end sim = nil end)

  it("times an invite out after --offer-timeout: the inviter gets the vendor's Error", function()
    sim = helper.start_sim { flags = { "--no-csrf", "--offer-timeout", "1" } }
    local a = api(sim, "agent1")
    assert.equals(0, a.call("POST", "/api/v2/me", { operationName = "StartContactCenterSession",
      channels = { "sms" } }).json.statusCode)
    local hs = a.bayeux(nil, { channel = "/meta/handshake", version = "1.0",
      supportedConnectionTypes = { "long-polling" } })[1]
    a.bayeux(nil, { channel = "/meta/subscribe", clientId = hs.clientId, subscription = "/v2/me/*" })
    local id = sim:offer("agent1")
    assert.equals(0, a.call("POST", "/api/v2/me/smssessions/" .. id,
      { operationName = "Accept", nickname = "Bot" }).json.statusCode)
    local invite = a.call("POST", "/api/v2/me/smssessions/" .. id, { operationName = "Invite",
      targetUri = sim.url .. "/api/v2/users/agent2" }).json
    assert.equals(0, invite.statusCode)
    local t0 = core.now()
    local err
    while not err and core.now() - t0 < 4 do
      for _, m in ipairs(a.call("POST", "/api/v2/notifications", { channel = "/meta/connect",
        clientId = hs.clientId }, 5).json) do
        if m.data and m.data.notificationType == "Error" then err = m.data end
      end
    end
    local waited = core.now() - t0
    assert.truthy(err, "no Error within 4 s")
    assert.is_true(waited >= 0.9, ("the Error came after %.2f s"):format(waited))
    assert.same({ "errorMessage", "notificationType", "referenceId" },
      (function() local k = {} for n in pairs(err) do k[#k + 1] = n end table.sort(k) return k end)())
    assert.equals(invite.referenceId, err.referenceId)
    assert.matches("did not answer", err.errorMessage)
    -- The offer is gone: agent2 holds no pending offer any more.
    assert.equals("Revoked", sim:session(id).agents.agent2.state)
    a.eng:close()
  end)
end)
