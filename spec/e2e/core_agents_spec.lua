-- Many agents on one engine (issue #13): per-request cookie jars and credentials, against a
-- raw HTTP peer that is not our code (spec/support/http_peer.lua, libuv), so these see exactly
-- what reaches the wire: whose cookies and whose Authorization each request carries, and
-- which connection it used.
local core = require "gws.core"
local http_peer = require "support.http_peer"
local basic = require("support.base64").basic

-- The cookies a request carried, as name -> value (nil: no Cookie header).
local function cookies_of(req)
  local line = req.headers.cookie
  if not line then return nil end
  assert.equals(1, #line)
  local out = {}
  for name, value in line[1]:gmatch("([^=; ]+)=([^;]*)") do out[name] = value end
  return out
end

local function names_of(req)
  local names = {}
  for name in pairs(cookies_of(req) or {}) do names[#names + 1] = name end
  table.sort(names)
  return names
end

-- A peer that sets the cookies a request asks for in its query: /set?A=1&B=2.
local function cookie_setter(req)
  local headers = {}
  for name, value in (req.path:match("%?(.*)$") or ""):gmatch("([^=&]+)=([^&]*)") do
    headers[#headers + 1] = ("Set-Cookie: %s=%s; Path=/"):format(name, value)
  end
  return 200, headers
end

describe("one engine, many agents", function()
  local peer, eng

  before_each(function()
    peer = http_peer.new(cookie_setter)
    eng = core.new { username = "engine", password = "engine-pw" }
  end)

  after_each(function()
    eng:close()
    peer:close()
  end)

  it("keeps each jar's cookies to its own requests, over one shared connection", function()
    local j1, j2 = eng:jar(), eng:jar()
    local r = peer:exchange(core, eng, { path = "/set?JSESSIONID=one", jar = j1 })
    assert.equals(200, r.status)
    peer:exchange(core, eng, { path = "/set?JSESSIONID=two&AWSELB=lb2", jar = j2 })
    peer:exchange(core, eng, { path = "/set?JSESSIONID=mine" }) -- the engine's own jar
    local _, seen1 = peer:exchange(core, eng, { path = "/me", jar = j1 })
    local _, seen2 = peer:exchange(core, eng, { path = "/me", jar = j2 })
    local _, seen0 = peer:exchange(core, eng, { path = "/me" })
    assert.same({ JSESSIONID = "one" }, cookies_of(seen1))
    assert.same({ JSESSIONID = "two", AWSELB = "lb2" }, cookies_of(seen2))
    assert.same({ JSESSIONID = "mine" }, cookies_of(seen0))
    -- Cookies travel in the request, never in the connection: all six used the first one.
    assert.equals(1, peer.connections)
    for _, req in ipairs(peer.requests) do assert.equals(1, req.conn) end
    assert.same({ 1, #("127.0.0.1\tFALSE\t/\tFALSE\t0\tJSESSIONID\tone"), 0 }, { j1:stats() })
  end)

  it("sends each agent's credentials: auth on a request, or in a prepared list", function()
    local c1 = eng:credentials("agent1", "pw1")
    local c2 = eng:credentials("agent2", "pw:2 é")
    local _, plain = peer:exchange(core, eng, { path = "/me" })
    local _, a1 = peer:exchange(core, eng, { path = "/me", auth = c1 })
    local _, a2 = peer:exchange(core, eng, { path = "/me", auth = c2, headers = { Accept = "x/y" } })
    local hs = eng:headers({ ["X-CSRF-TOKEN"] = "t2" }, c2)
    local _, p2 = peer:exchange(core, eng, { method = "POST", path = "/op", headers = hs, body = "{}" })
    local _, p2again = peer:exchange(core, eng, { method = "POST", path = "/op", headers = hs,
      auth = c2, body = "{}" })
    assert.same({ basic("engine:engine-pw") }, plain.headers.authorization)
    assert.same({ basic("agent1:pw1") }, a1.headers.authorization)
    assert.same({ basic("agent2:pw:2 é") }, a2.headers.authorization)
    assert.same({ "x/y" }, a2.headers.accept)
    assert.same({ basic("agent2:pw:2 é") }, p2.headers.authorization)
    assert.same({ "t2" }, p2.headers["x-csrf-token"])
    assert.same(p2.lines, p2again.lines)
    -- The engine's other lines stay: one User-Agent, no Expect.
    assert.equals(1, #a1.headers["user-agent"])
    assert.is_nil(a1.headers.expect)
    -- An engine without credentials of its own sends an agent's all the same.
    local anonymous = core.new {}
    local c3 = anonymous:credentials("agent3", "pw3")
    local _, a3 = peer:exchange(core, anonymous, { path = "/me", auth = c3 })
    local _, none = peer:exchange(core, anonymous, { path = "/me" })
    anonymous:close()
    assert.same({ basic("agent3:pw3") }, a3.headers.authorization)
    assert.is_nil(none.headers.authorization)
  end)

  it("never shows credentials, refuses misuse, and forgets them on close", function()
    local c1 = eng:credentials("agent1", "hunter2")
    assert.equals("gws.core.credentials (set)", tostring(c1))
    local function refused(req, pattern)
      req.url, req.method, req.timeout = req.url or peer.url, req.method or "GET", 1
      local ok, msg = pcall(eng.submit, eng, req)
      assert.is_false(ok)
      assert.truthy(msg:find(pattern, 1, true), msg)
    end
    local other = core.new {}
    refused({ auth = other:credentials("x", "y") }, "another engine's credentials()")
    refused({ jar = other:jar() }, "another engine's jar()")
    other:close()
    refused({ auth = "Basic abc" }, "auth: eng:credentials(...) expected, got string")
    refused({ jar = {} }, "jar: eng:jar{...} expected, got table")
    local hs = eng:headers({ Accept = "a" }, c1)
    refused({ headers = hs, auth = eng:credentials("agent2", "x") }, "auth: differs")
    local ok, msg = pcall(eng.credentials, eng, "a:b", "x")
    assert.is_false(ok)
    assert.truthy(msg:find("must not contain ':'", 1, true), msg)
    ok, msg = pcall(eng.credentials, eng, "a", "x\0y")
    assert.is_false(ok)
    assert.truthy(msg:find("NUL", 1, true), msg)
    c1:close()
    assert.equals("gws.core.credentials (closed)", tostring(c1))
    refused({ auth = c1 }, "auth: the credentials are closed")
    -- The prepared list made before close keeps its own copy and still works.
    local _, seen = peer:exchange(core, eng, { path = "/me", headers = hs })
    assert.same({ basic("agent1:hunter2") }, seen.headers.authorization)
    assert.equals(0, eng:pending())
  end)

  it("forgets only the named cookies, keeping a load balancer's stickiness (issue #12)", function()
    local j = eng:jar()
    peer:exchange(core, eng, { path = "/set?AWSELB=sticky&JSESSIONID=s1&BAYEUX_BROWSER=b1", jar = j })
    j:clear { "JSESSIONID" }
    local _, seen = peer:exchange(core, eng, { path = "/me", jar = j })
    assert.same({ AWSELB = "sticky", BAYEUX_BROWSER = "b1" }, cookies_of(seen))
    j:drop("BAYEUX_BROWSER")
    _, seen = peer:exchange(core, eng, { path = "/me", jar = j })
    assert.same({ AWSELB = "sticky" }, cookies_of(seen))
    assert.equals(1, (j:stats()))
    j:clear()
    _, seen = peer:exchange(core, eng, { path = "/me", jar = j })
    assert.is_nil(seen.headers.cookie)
    assert.same({ 0, 0, 0 }, { j:stats() })
    -- The engine's own jar is a jar object too; clear_cookies() is its clear().
    peer:exchange(core, eng, { path = "/set?AWSELB=e&JSESSIONID=e1" })
    eng:cookies():clear { "JSESSIONID" }
    _, seen = peer:exchange(core, eng, { path = "/me" })
    assert.same({ AWSELB = "e" }, cookies_of(seen))
    assert.equals(eng:cookies(), eng:cookies())
    eng:clear_cookies()
    _, seen = peer:exchange(core, eng, { path = "/me" })
    assert.is_nil(seen.headers.cookie)
    assert.has_error(function() j:clear { 1 } end)
    assert.has_error(function() j:clear {} end)
  end)

  it("drops the oldest cookies beyond max_cookies; a new value makes a cookie young", function()
    local j = eng:jar { max_cookies = 3 }
    for _, set in ipairs { "A=1", "B=1", "C=1", "D=1" } do
      peer:exchange(core, eng, { path = "/set?" .. set, jar = j })
    end
    local _, seen = peer:exchange(core, eng, { path = "/me", jar = j })
    assert.same({ "B", "C", "D" }, names_of(seen))
    assert.equals(1, select(3, j:stats()))
    peer:exchange(core, eng, { path = "/set?B=2", jar = j }) -- B is young again
    peer:exchange(core, eng, { path = "/set?C=1", jar = j }) -- same value: C stays old
    peer:exchange(core, eng, { path = "/set?E=1", jar = j })
    _, seen = peer:exchange(core, eng, { path = "/me", jar = j })
    assert.same({ B = "2", D = "1", E = "1" }, cookies_of(seen))
    assert.same({ 3, nil, 2 }, { (j:stats()), nil, select(3, j:stats()) })
  end)

  it("drops the oldest cookies beyond max_bytes", function()
    local line = #("127.0.0.1\tFALSE\t/\tFALSE\t0\tA\t" .. ("x"):rep(40))
    local j = eng:jar { max_bytes = 2 * line + 10 }
    for _, name in ipairs { "A", "B", "C" } do
      peer:exchange(core, eng, { path = "/set?" .. name .. "=" .. ("x"):rep(40), jar = j })
    end
    local _, seen = peer:exchange(core, eng, { path = "/me", jar = j })
    assert.same({ "B", "C" }, names_of(seen))
    assert.same({ 2, 2 * line, 1 }, { j:stats() })
  end)

  it("stays bounded under a server that sets 50 new cookies per answer (issue #11)", function()
    local n = 0
    local flood = http_peer.new(function()
      local headers = {}
      for _ = 1, 50 do
        n = n + 1
        headers[#headers + 1] = ("Set-Cookie: c%d=%d; Path=/"):format(n, n)
      end
      return 200, headers
    end)
    local bounded = core.new { max_cookies = 100 }
    local most = 0
    for _ = 1, 120 do -- 6 000 cookies set in all
      local _, seen = flood:exchange(core, bounded, { path = "/flood" })
      most = math.max(most, #names_of(seen))
    end
    local count, _, dropped = bounded:cookies():stats()
    bounded:close()
    flood:close()
    assert.equals(100, count)
    assert.equals(6000 - 100, dropped)
    -- Unbounded, every request carried every cookie set so far and slowed to tens of ms as the
    -- jar grew; bounded, none carries more than the bound, so the cost per request stays flat.
    -- (How fast that is belongs to `make bench`, not to a timed assertion here.)
    assert.equals(100, most)
  end)

  it("keeps a jar alive for a transfer in flight after Lua dropped it, and many jars on one engine", function()
    local id = eng:submit { method = "GET", url = peer.url .. "/set?K=v", timeout = 5, jar = eng:jar() }
    collectgarbage()
    collectgarbage()
    assert.equals(200, peer:await(core, eng, { id })[id].status)
    -- 300 agents, each with its own jar and credentials, one request each in flight at once.
    local agents, ids = {}, {}
    for i = 1, 300 do
      agents[i] = { jar = eng:jar(), auth = eng:credentials("agent" .. i, "pw" .. i) }
      ids[i] = eng:submit { method = "GET", url = peer.url .. "/set?S=" .. i, timeout = 5,
        jar = agents[i].jar, auth = agents[i].auth }
    end
    peer:await(core, eng, ids)
    for i = 1, 300 do
      ids[i] = eng:submit { method = "GET", url = peer.url .. "/me?" .. i, timeout = 5,
        jar = agents[i].jar, auth = agents[i].auth }
    end
    peer:await(core, eng, ids)
    local checked = 0
    for _, req in ipairs(peer.requests) do
      local i = tonumber(req.path:match("^/me%?(%d+)$"))
      if i then
        assert.same({ S = tostring(i) }, cookies_of(req))
        assert.same({ basic(("agent%d:pw%d"):format(i, i)) }, req.headers.authorization)
        checked = checked + 1
      end
    end
    assert.equals(300, checked)
  end)
end)
