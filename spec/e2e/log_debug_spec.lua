-- The per-request "debug" lines: written at log_level "debug", skipped below it (Http decides
-- once, at creation, so a send with the debug level off makes no log call at all).
local helper = require "helper"
local sms = require "gws.sms"

describe("request log lines", function()
  local sim
  before_each(function() sim = helper.start_sim { flags = { "--quiet", "--user", "agent1:password" } } end)
  after_each(function() sim:stop() end)

  local function send_with(level)
    local lines = {}
    local c = sms.new { url = sim.url, username = "agent1", password = "password", log_level = level,
      log = function(lvl, msg) lines[#lines + 1] = lvl .. " " .. msg end }
    local id = sim:offer("agent1", "Hello")
    assert(c:accept(id, "Bot"))
    assert(c:send_message(id, "hi"))
    c:close()
    local posts = 0
    for _, l in ipairs(lines) do
      if l:find("^debug %-> POST /me/smssessions/" .. id) then posts = posts + 1 end
    end
    return posts
  end

  it("are written at log_level debug", function()
    assert.is_true(send_with("debug") >= 2) -- accept and send_message
  end)

  it("are not written at log_level info", function()
    assert.are.equal(0, send_with("info"))
  end)
end)
