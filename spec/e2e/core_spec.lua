-- gws.core on its own, against a peer that is not our code: a libuv (luv) server on loopback
-- reads the raw request, so these tests see exactly what reaches the wire.
local core = require "gws.core"
local uv = require "luv"

local function b64(s)
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  return (s:gsub("..?.?", function(chunk)
    local a, b, c = chunk:byte(1, 3)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local out = {}
    for i = 1, 4 do
      local k = (n >> (6 * (4 - i))) & 63
      out[i] = alphabet:sub(k + 1, k + 1)
    end
    if not b then out[3], out[4] = "=", "=" elseif not c then out[4] = "=" end
    return table.concat(out)
  end))
end

-- A one-connection HTTP peer: answers every request with a small JSON body and keeps the
-- connection (the engine reuses it).
local Peer = {}
Peer.__index = Peer

local function new_peer()
  local peer = setmetatable({ buffer = "" }, Peer)
  local server = uv.new_tcp()
  assert(server:bind("127.0.0.1", 0))
  assert(server:listen(16, function(err)
    assert(not err, err)
    local conn = uv.new_tcp()
    server:accept(conn)
    if peer.conn then peer.conn:close() end
    peer.conn, peer.buffer = conn, ""
    conn:read_start(function(read_err, data)
      if data then peer.buffer = peer.buffer .. data
      elseif read_err or not data then
        if peer.conn == conn then peer.conn = nil end
        if not conn:is_closing() then conn:close() end
      end
    end)
  end))
  peer.server = server
  peer.url = "http://127.0.0.1:" .. server:getsockname().port
  return peer
end

-- Reads one request if one has arrived whole: returns its head lines (request line first) and
-- body, after answering it.
function Peer:poll()
  uv.run("nowait")
  local head_end = self.buffer:find("\r\n\r\n", 1, true)
  if not head_end then return nil end
  local head = {}
  for line in self.buffer:sub(1, head_end - 1):gmatch("[^\r\n]+") do head[#head + 1] = line end
  local length = 0
  for i = 2, #head do
    length = tonumber(head[i]:match("^[Cc]ontent%-[Ll]ength:%s*(%d+)")) or length
  end
  if #self.buffer < head_end + 3 + length then return nil end
  local body = self.buffer:sub(head_end + 4, head_end + 3 + length)
  self.buffer = self.buffer:sub(head_end + 4 + length)
  self.conn:write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    .. "Content-Length: 16\r\n\r\n{\"statusCode\":0}")
  uv.run("nowait")
  return head, body
end

function Peer:close()
  if self.conn and not self.conn:is_closing() then self.conn:close() end
  self.server:close()
  uv.run("nowait")
end

-- Drives engine and peer until transfer `id` has its result: returns the head of the request
-- the peer read meanwhile (if any) and the result.
local function await(eng, peer, id)
  local head, result
  local deadline = core.now() + 5
  while not result and core.now() < deadline do
    head = head or peer:poll()
    for _, r in ipairs(eng:step(0.01)) do
      if r.id == id then result = r end
    end
  end
  assert(result, "no result within 5 s")
  return head, result
end

-- Submits `req` and waits for it: returns head, result.
local function exchange(eng, peer, req)
  req.url = req.url or peer.url .. "/api/v2/me"
  req.timeout = req.timeout or 5
  return await(eng, peer, eng:submit(req))
end

-- The header lines of a request head, as lower-case name -> list of values.
local function header_map(head)
  local map = {}
  for i = 2, #head do
    local name, value = head[i]:match("^([^:]+):%s*(.*)$")
    name = name:lower()
    map[name] = map[name] or {}
    table.insert(map[name], value)
  end
  return map
end

describe("gws.core on the wire", function()
  local peer, eng

  before_each(function()
    peer = new_peer()
    eng = core.new { username = "agent1", password = "s3cret", user_agent = "ua-test/1" }
  end)

  after_each(function()
    eng:close()
    peer:close()
  end)

  it("sends a prepared list with the engine's own lines, the same bytes each time", function()
    local hs = eng:headers { Accept = "application/json", ["X-CSRF-TOKEN"] = "tok1" }
    local heads = {}
    for i = 1, 2 do
      local head, r = exchange(eng, peer, { method = "POST", headers = hs, body = "{}" })
      assert.equals(200, r.status)
      assert.equals(0, r.json.statusCode)
      heads[i] = head
    end
    assert.same(heads[1], heads[2])
    local h = header_map(heads[1])
    assert.same({ "Basic " .. b64("agent1:s3cret") }, h.authorization)
    assert.same({ "ua-test/1" }, h["user-agent"])
    assert.same({ "application/json" }, h.accept)
    assert.same({ "tok1" }, h["x-csrf-token"])
    assert.is_nil(h.expect) -- "Expect:" removes curl's 100-continue
  end)

  it("lets a request's own header replace the engine's line of the same name", function()
    local head = exchange(eng, peer, { method = "GET", headers = { ["user-agent"] = "mine/2" } })
    local h = header_map(head)
    assert.same({ "mine/2" }, h["user-agent"])
    assert.equals(1, #h.authorization)
  end)

  it("sends the engine's lines on a request without headers, and none without credentials", function()
    local h = header_map((exchange(eng, peer, { method = "GET" })))
    assert.same({ "ua-test/1" }, h["user-agent"])
    assert.same({ "Basic " .. b64("agent1:s3cret") }, h.authorization)
    local anonymous = core.new {}
    local other = new_peer()
    local h2 = header_map((exchange(anonymous, other, { method = "GET" })))
    anonymous:close()
    other:close()
    assert.is_nil(h2.authorization)
  end)

  it("keeps a prepared list alive for a transfer even when Lua has dropped it", function()
    local id = eng:submit { method = "GET", url = peer.url .. "/x", timeout = 5,
      headers = eng:headers { ["X-Kept"] = "yes" } }
    collectgarbage()
    collectgarbage()
    local head, result = await(eng, peer, id)
    assert.equals(200, result.status)
    assert.same({ "yes" }, header_map(head)["x-kept"])
  end)

  it("refuses another engine's prepared list, and bad header tables when one is made", function()
    local other = core.new { username = "agent2", password = "x" }
    local hs = other:headers { Accept = "application/json" }
    local ok, msg = pcall(eng.submit, eng, { method = "GET", url = peer.url, timeout = 1, headers = hs })
    other:close()
    assert.is_false(ok)
    assert.truthy(msg:find("another engine", 1, true), msg)
    ok, msg = pcall(eng.headers, eng, { ["Bad Name"] = "x" })
    assert.is_false(ok)
    assert.truthy(msg:find("invalid header name", 1, true), msg)
    ok, msg = pcall(eng.headers, eng, { X = "a\r\nInjected: 1" })
    assert.is_false(ok)
    assert.truthy(msg:find("CR, LF or NUL", 1, true), msg)
    ok, msg = pcall(core.new, { user_agent = "ua\r\nInjected: 1" })
    assert.is_false(ok)
    assert.truthy(msg:find("user_agent", 1, true), msg)
    assert.equals(0, eng:pending()) -- nothing was started
  end)

  it("starts a transfer inside submit only when asked to (start_now)", function()
    exchange(eng, peer, { method = "GET" }) -- opens the kept-alive connection
    local function arrives_without_step(seconds)
      local deadline = core.now() + seconds
      repeat
        local head = peer:poll()
        if head then return head end
        uv.sleep(10)
      until core.now() > deadline
    end
    -- Queued: nothing is written until a step drives curl.
    local id = eng:submit { method = "GET", url = peer.url .. "/later", timeout = 5 }
    assert.is_nil(arrives_without_step(0.3))
    local _, got = await(eng, peer, id)
    assert.equals(200, got.status)
    -- Started at once: the request is on the wire before any step.
    id = eng:submit({ method = "GET", url = peer.url .. "/now", timeout = 5 }, true)
    local head = arrives_without_step(2)
    assert.truthy(head, "start_now did not send the request")
    assert.equals("GET /now HTTP/1.1", head[1])
    _, got = await(eng, peer, id)
    assert.equals(200, got.status)
  end)

  it("fills the caller's array in step(timeout, into), clearing what an earlier step left", function()
    local into = { "stale1", "stale2", "stale3" }
    local id = eng:submit { method = "GET", url = peer.url .. "/y", timeout = 5 }
    local got
    local deadline = core.now() + 5
    while not got and core.now() < deadline do
      peer:poll()
      local same = eng:step(0.01, into)
      assert.equals(into, same)
      if #into > 0 then got = into end
    end
    assert.equals(1, #got)
    assert.equals(id, got[1].id)
    assert.is_nil(rawget(got, 2))
    assert.is_nil(rawget(got, 3))
  end)
end)
