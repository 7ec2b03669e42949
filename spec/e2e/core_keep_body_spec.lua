-- A request's keep_body = false (issue 14, B4): a result whose JSON was decoded carries no
-- `body` string (a Bayeux long poll's answer would be one more long string per event for the
-- collector); an answer that is not JSON, or not valid JSON, keeps its text, so every error
-- that quotes the server still can. gws.bayeux asks for it on every request it sends.
local core = require "gws.core"
local core_wait = require "support.core_wait"
local helper = require "helper"
local bayeux = require "gws.bayeux"

describe("gws.core keep_body", function()
  local sim, eng

  before_each(function()
    sim = helper.start_sim { flags = { "--quiet", "--user", "agent1:password" } }
    eng = core.new { username = "agent1", password = "password" }
  end)

  after_each(function()
    eng:close()
    sim:stop()
  end)

  local function get(path, keep_body)
    return core_wait.submit(eng, { method = "GET", url = sim.url .. path, timeout = 5,
      keep_body = keep_body }, true, { within = 5 })
  end

  it("keeps the body by default and with true, drops it with false once decoded", function()
    local kept = get("/api/v2/me")
    assert.equals(200, kept.status)
    assert.is_table(kept.json)
    assert.is_string(kept.body)
    assert.same(kept.json, core.decode(kept.body))

    local also = get("/api/v2/me", true)
    assert.is_string(also.body)
    assert.is_table(also.json)

    local dropped = get("/api/v2/me", false)
    assert.equals(200, dropped.status)
    assert.is_nil(dropped.body)
    assert.same(kept.json, dropped.json)
    assert.is_nil(dropped.json_error)
    assert.equals("application/json", dropped.headers["content-type"]:match("^[^;]+"))
  end)

  it("keeps the text of an answer that does not decode, with the decoder's words", function()
    sim:fault { bad_answer = { mode = "malformed_json", count = 1, path = "/api/v2/me" } }
    local r = get("/api/v2/me", false)
    assert.is_string(r.body)
    assert.is_true(#r.body > 0)
    assert.is_nil(r.json)
    assert.is_string(r.json_error)
    local _, why = core.decode(r.body)
    assert.equals(why, r.json_error)

    sim:fault { bad_answer = { mode = "html", count = 1, path = "/api/v2/me" } }
    r = get("/api/v2/me", false)
    assert.matches("<", r.body, 1, true)
    assert.is_nil(r.json)
    assert.is_string(r.json_error)
  end)

  it("keeps an empty body and a failed transfer's empty body", function()
    local r = core_wait.submit(eng, { method = "GET", url = "http://127.0.0.1:9/", timeout = 5,
      keep_body = false }, true, { within = 5 })
    assert.is_table(r.err)
    assert.equals("", r.body)
  end)

  it("refuses a keep_body that is not a boolean", function()
    for _, bad in ipairs { 0, "false", {} } do
      local ok, err = pcall(eng.submit, eng, { method = "GET", url = sim.url .. "/api/v2/me",
        timeout = 5, keep_body = bad })
      assert.is_false(ok)
      assert.matches("keep_body: boolean expected", tostring(err), 1, true)
    end
  end)

end)

describe("gws.bayeux's requests", function()
  it("ask for keep_body = false: their results carry the replies, not their text", function()
    -- A bare Bayeux client: without CSRF, it needs no REST request first.
    local sim = helper.start_sim { flags = { "--quiet", "--no-csrf", "--poll-timeout", "200" } }
    local b = bayeux.new { url = sim.url .. "/api/v2/notifications", username = "agent1",
      password = "password", timeout = 3 }
    finally(function()
      b:close()
      sim:stop()
    end)
    -- Every result the real transport hands gws.bayeux, seen on its way through.
    local seen, request = {}, b.transport.request
    b.transport.request = function(t, req)
      local r = request(t, req)
      seen[#seen + 1] = r
      return r
    end
    assert.truthy(b:subscribe("/chat/room", function() end))
    local deadline = helper.gettime() + 5
    while #seen < 3 and helper.gettime() < deadline do b:poll(0.1) end
    assert.is_true(#seen >= 3, "handshake, subscribe and a long poll")
    for _, r in ipairs(seen) do
      assert.equals(200, r.status)
      assert.is_table(r.json)
      assert.is_nil(r.body)
    end
  end)
end)
