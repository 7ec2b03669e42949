-- gws.sms.config and gws.sms.events alone, in process: the option set, its defaults, its
-- checks, and the closed set of event names (no simulator, no network).
local config = require "gws.sms.config"
local events = require "gws.sms.events"

local BASE = { url = "http://127.0.0.1:1", username = "agent1", password = "s3cret-pw" }

local function with(extra)
  local o = {}
  for k, v in pairs(BASE) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

describe("gws.sms.config", function()
  it("knows every default as an option, and timeout as the request timeout", function()
    for k in pairs(config.DEFAULTS) do
      if k ~= "request_timeout" then assert.is_true(config.OPTIONS[k], k) end
    end
    assert.is_true(config.OPTIONS.timeout)
    assert.is_nil(config.OPTIONS.request_timeout)
  end)

  it("applies the defaults, then the options given", function()
    local c = config.apply({}, with { timeout = 3, offer_state = "Alerting", check_capabilities = 1 })
    assert.equals(3, c.request_timeout)
    assert.equals("Alerting", c.offer_state)
    assert.equals("/notifications", c.notifications)
    assert.is_true(c.check_capabilities) -- a truthy value becomes true
    assert.equals(100, c.keep_ended)
    local d = config.apply({}, with())
    assert.equals(config.DEFAULTS.request_timeout, d.request_timeout)
    assert.equals("Invited", d.offer_state)
    assert.is_false(d.check_capabilities)
  end)

  it("refuses a bad option naming it, and an unknown one naming the closest", function()
    for _, case in ipairs {
      { { url = "ftp://x" }, "url" },
      { { url = "http://u:s3cret-pw@host" }, "url" },
      { { username = "a:b" }, "username" },
      { { timeout = -1 }, "timeout" },
      { { channels = {} }, "channels" },
      { { log_level = "loud" }, "log_level" },
      { { proxy = "not a url" }, "proxy" },
      { { notifications = "relative" }, "notifications" },
      { { timout = 5 }, "did you mean 'timeout'" },
    } do
      local ok, msg = pcall(config.check, with(case[1]))
      assert.is_false(ok)
      assert.truthy(tostring(msg):find(case[2], 1, true), tostring(msg))
      assert.falsy(tostring(msg):find("s3cret-pw", 1, true), "a message repeats the password: " .. tostring(msg))
    end
    assert.has_no.errors(function() config.check(with()) end)
  end)

  it("keeps the loop's engine options off a client that shares a loop", function()
    local ok, msg = pcall(config.check_loop, { timeout = 5 })
    assert.is_false(ok)
    assert.truthy(tostring(msg):find("timeout", 1, true), tostring(msg))
    assert.has_no.errors(function() config.check_loop { max_requests = 4, insecure = true } end)
  end)
end)

describe("gws.sms.events", function()
  it("takes every known event and any notificationType-like name far from them", function()
    for name in pairs(events.EVENTS) do assert.equals(name, events.check_event(name)) end
    assert.equals("SomethingNew", events.check_event("SomethingNew"))
  end)

  it("refuses a typo or a near miss, naming the event meant", function()
    for _, case in ipairs { { "mesage", "message" }, { "Message", "message" }, { "NewMessage", "NewMessages" } } do
      local ok, msg = pcall(events.check_event, case[1])
      assert.is_false(ok)
      assert.truthy(tostring(msg):find("'" .. case[2] .. "'", 1, true), tostring(msg))
    end
  end)
end)
