-- gws.core on its own, against a peer that is not our code: a libuv (luv) server on loopback
-- (spec/support/http_peer.lua) reads the raw request, so these tests see exactly what reaches
-- the wire.
local core = require "gws.core"
local uv = require "luv"
local http_peer = require "support.http_peer"
local basic = require("support.base64").basic

describe("gws.core on the wire", function()
  local peer, eng

  before_each(function()
    peer = http_peer.new()
    eng = core.new { username = "agent1", password = "s3cret", user_agent = "ua-test/1" }
  end)

  after_each(function()
    eng:close()
    peer:close()
  end)

  it("sends a prepared list with the engine's own lines, the same bytes each time", function()
    local hs = eng:headers { Accept = "application/json", ["X-CSRF-TOKEN"] = "tok1" }
    local seen = {}
    for i = 1, 2 do
      local r
      r, seen[i] = peer:exchange(core, eng, { method = "POST", headers = hs, body = "{}" })
      assert.equals(200, r.status)
      assert.equals(0, r.json.statusCode)
    end
    assert.same(seen[1].lines, seen[2].lines)
    local h = seen[1].headers
    assert.same({ basic("agent1:s3cret") }, h.authorization)
    assert.same({ "ua-test/1" }, h["user-agent"])
    assert.same({ "application/json" }, h.accept)
    assert.same({ "tok1" }, h["x-csrf-token"])
    assert.is_nil(h.expect) -- "Expect:" removes curl's 100-continue
  end)

  it("lets a request's own header replace the engine's line of the same name", function()
    local _, seen = peer:exchange(core, eng, { headers = { ["user-agent"] = "mine/2" } })
    assert.same({ "mine/2" }, seen.headers["user-agent"])
    assert.equals(1, #seen.headers.authorization)
  end)

  it("sends the engine's lines on a request without headers, and none without credentials", function()
    local _, seen = peer:exchange(core, eng, {})
    assert.same({ "ua-test/1" }, seen.headers["user-agent"])
    assert.same({ basic("agent1:s3cret") }, seen.headers.authorization)
    local anonymous = core.new {}
    local other = http_peer.new()
    local _, seen2 = other:exchange(core, anonymous, {})
    anonymous:close()
    other:close()
    assert.is_nil(seen2.headers.authorization)
  end)

  it("keeps a prepared list alive for a transfer even when Lua has dropped it", function()
    local id = eng:submit { method = "GET", url = peer.url .. "/x", timeout = 5,
      headers = eng:headers { ["X-Kept"] = "yes" } }
    collectgarbage()
    collectgarbage()
    local result = peer:await(core, eng, { id })[id]
    assert.equals(200, result.status)
    assert.same({ "yes" }, peer.requests[1].headers["x-kept"])
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

  it("reads an answer many times its receive buffer (buffer_size) whole, and checks the option", function()
    local small = core.new { buffer_size = 1024 } -- curl's smallest
    local body = '{"text":"' .. ("0123456789abcdef"):rep(8192) .. '"}' -- 128 KiB
    peer.handler = function() return 200, nil, body end
    local r = peer:exchange(core, small, {})
    small:close()
    assert.equals(200, r.status)
    assert.equals(#body - 11, #r.json.text)
    for _, bad in ipairs { 0, -1, 1.5, "4096" } do
      local ok, msg = pcall(core.new, { buffer_size = bad })
      assert.is_false(ok)
      assert.truthy(msg:find("buffer_size", 1, true), msg)
    end
  end)

  it("starts a transfer inside submit only when asked to (start_now)", function()
    peer:exchange(core, eng, {}) -- opens the kept-alive connection
    -- The next request the peer reads while the engine is not stepped, if any.
    local function arrives_without_step(seconds)
      local before = #peer.requests
      local deadline = core.now() + seconds
      repeat
        peer:turn()
        if #peer.requests > before then return peer.requests[before + 1] end
        uv.sleep(10)
      until core.now() > deadline
    end
    -- Queued: nothing is written until a step drives curl.
    local id = eng:submit { method = "GET", url = peer.url .. "/later", timeout = 5 }
    assert.is_nil(arrives_without_step(0.3))
    assert.equals(200, peer:await(core, eng, { id })[id].status)
    -- Started at once: the request is on the wire before any step.
    id = eng:submit({ method = "GET", url = peer.url .. "/now", timeout = 5 }, true)
    local seen = arrives_without_step(2)
    assert.truthy(seen, "start_now did not send the request")
    assert.equals("GET /now HTTP/1.1", seen.line)
    assert.equals(200, peer:await(core, eng, { id })[id].status)
  end)

  it("fills the caller's array in step(timeout, into), clearing what an earlier step left", function()
    local into = { "stale1", "stale2", "stale3" }
    local id = eng:submit { method = "GET", url = peer.url .. "/y", timeout = 5 }
    local got
    local deadline = core.now() + 5
    while not got and core.now() < deadline do
      peer:turn()
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
