-- The cookie jar is bounded in gws.core (oldest dropped, issue 11 finding 7); the client says
-- so once per new batch of drops, at a handshake or a failure (never per request).
local client_mod = require "gws.sms.client"

describe("a full cookie jar", function()
  it("is logged when gws.core dropped cookies, once per new drops", function()
    local lines = {}
    local dropped = 0
    local c = setmetatable({ log_level = "info", emitter = { call = function(_, _, fn, ...) fn(...) end },
      log = function(level, msg) lines[#lines + 1] = level .. " " .. msg end,
      transport = { jar = { stats = function() return 200, 9000, dropped end } } }, client_mod.Client)
    c:_check_cookies()
    assert.same({}, lines)
    dropped = 1700
    c:_check_cookies()
    c:_check_cookies()
    assert.equals(1, #lines)
    assert.truthy(lines[1]:find("^warn cookie jar full: 1700 cookie%(s%) dropped"))
  end)
end)
