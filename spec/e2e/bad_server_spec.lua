-- Bad answers from the server: each gives a clear err.kind, memory stays bounded, and the
-- client recovers (the next call works).
local helper = require "helper"

local function chatting(client, sim)
  assert(client:start_session())
  return (helper.chatting(client, sim))
end

describe("bad answers from the server", function()
  local sim, client, id

  setup(function()
    sim = helper.start_sim { flags = { "--poll-timeout", "1000" } }
    client = helper.client(sim, { backoff_base = 0.05, backoff_cap = 0.3 })
    id = chatting(client, sim)
  end)
  teardown(function()
    client:close()
    sim:stop()
  end)

  local cases = {
    { "malformed_json", "decode", "not JSON" },
    { "truncated", "transport" },
    { "html", "decode", "text/html" },
    { "wrong_content_type", "decode", "text/plain" },
    { "huge_body", "too_large", "16777216" },
    { "huge_header", "too_large", "100 KiB" },
    { "trickle", "timeout", nil, { timeout = 1.5 } },
    { "reset", "transport" },
    { "redirect", "http", "302" },
  }
  for _, c in ipairs(cases) do
    local mode, kind, needle, call_opts = c[1], c[2], c[3], c[4]
    it(mode .. " gives err.kind " .. kind .. " and the client recovers", function()
      sim:fault { bad_answer = { mode = mode, count = 1, path = "/api/v2/me/smssessions/" .. id } }
      local res, err = client:send_message(id, "hello", call_opts)
      assert.is_nil(res)
      assert.equals(kind, err.kind, tostring(err))
      if needle then assert.truthy(tostring(err):find(needle, 1, true), tostring(err)) end
      assert.truthy(#tostring(err) < 600)
      collectgarbage()
      assert.is_true(collectgarbage("count") < 64 * 1024, "Lua heap grew past 64 MiB")
      res, err = client:send_message(id, "after " .. mode)
      assert.is_nil(err)
      assert.equals(0, res.statusCode)
    end)
  end

  it("refuses an answer over a smaller max_body", function()
    local small = helper.client(sim, { max_body = 4096 })
    finally(function() small:close() end)
    sim:fault { bad_answer = { mode = "huge_body", count = 1, path = "/api/v2/me" } }
    local res, err = small:list_sessions()
    assert.is_nil(res)
    assert.equals("too_large", err.kind)
    assert.truthy(tostring(err):find("4096", 1, true))
  end)

  it("never follows a redirect, so credentials stay with the server they belong to", function()
    sim:fault { bad_answer = { mode = "redirect", count = 1, path = "/api/v2/me" } }
    local res, err = client:get_session(id)
    assert.is_nil(res)
    assert.equals(302, err.http_status)
    assert.truthy(client:get_session(id))
  end)
end)

describe("bad Bayeux answers", function()
  local sim, client, id, texts

  before_each(function()
    sim = helper.start_sim { flags = { "--poll-timeout", "1000" } }
    client = helper.client(sim, { backoff_base = 0.05, backoff_cap = 0.3 })
    id = chatting(client, sim)
    texts = {}
    client:on("message", function(m)
      if m.type == "Text" and m.from.type == "Customer" then texts[#texts + 1] = m.text end
    end)
  end)
  after_each(function()
    client:close()
    sim:stop()
  end)

  it("a reply that is not an array: reconnect, and nothing lost", function()
    local errs = {}
    client:on("reconnecting", function(info) errs[#errs + 1] = info.error end)
    sim:fault { bad_answer = { mode = "bayeux_not_array", count = 2 } }
    for i = 1, 3 do sim:say(id, "b" .. i) end
    assert.truthy(helper.poll_until(client, function() return #texts >= 3 end, 10))
    assert.same({ "b1", "b2", "b3" }, texts)
    assert.truthy(errs[1])
  end)

  it("messages with unknown fields are delivered, the extras ignored", function()
    sim:fault { bad_answer = { mode = "unknown_fields", count = 5 } }
    for i = 1, 3 do sim:say(id, "u" .. i) end
    assert.truthy(helper.poll_until(client, function() return #texts >= 3 end, 10))
    assert.same({ "u1", "u2", "u3" }, texts)
  end)
end)
