-- core.new{ keep_headers = {...} } (issue 14): a result carries only the response headers named
-- (any case), so an engine whose callers read two headers does not turn every header of every
-- answer into Lua strings. Without the option, every header (but Set-Cookie) as before; the
-- client's transport (read_headers_only) names what gws.transport, gws.sms.http and gws.bayeux
-- read, and any other transport keeps them all (a bare gws.bayeux user reads the CSRF pair).
local core = require "gws.core"
local core_wait = require "support.core_wait"
local helper = require "helper"
local transport = require "gws.transport"
require "gws.sms.http" -- names the CSRF pair it reads

describe("gws.core keep_headers", function()
  local sim

  before_each(function()
    sim = helper.start_sim { flags = { "--quiet", "--user", "agent1:password" } }
  end)

  after_each(function()
    sim:stop()
  end)

  local function get_me(eng)
    return core_wait.submit(eng, { method = "GET", url = sim.url .. "/api/v2/me", timeout = 5 }, true,
      { within = 5 })
  end

  it("keeps every header without the option, only the named ones with it", function()
    local all = core.new { username = "agent1", password = "password" }
    local r = get_me(all)
    all:close()
    assert.equals(200, r.status)
    assert.is_string(r.headers["content-type"])
    assert.is_string(r.headers["x-csrf-token"])
    assert.is_string(r.headers["content-length"])

    local some = core.new { username = "agent1", password = "password",
      keep_headers = { "Content-Type", "x-csrf-TOKEN" } }
    r = get_me(some)
    some:close()
    assert.equals(200, r.status)
    local names = {}
    for name in pairs(r.headers) do names[#names + 1] = name end
    table.sort(names)
    assert.same({ "content-type", "x-csrf-token" }, names)
    assert.is_table(r.json)
  end)

  it("keeps none with an empty list", function()
    local none = core.new { username = "agent1", password = "password", keep_headers = {} }
    local r = get_me(none)
    none:close()
    assert.equals(200, r.status)
    assert.is_nil(next(r.headers))
  end)

  it("refuses a list that is not one of header names", function()
    for _, bad in ipairs { "content-type", { 1 }, { "" }, { "content type" }, { "a:b" } } do
      local ok, err = pcall(core.new, { keep_headers = bad })
      assert.is_false(ok)
      assert.matches("keep_headers", tostring(err), 1, true)
    end
  end)

  it("gives a read_headers_only transport's engine the headers our modules read, others all", function()
    local function names_of(opts)
      local t = transport.new(opts)
      local r = t:request { method = "GET", url = sim.url .. "/api/v2/me", timeout = 5 }
      t:close()
      assert.equals(200, r.status)
      local names = {}
      for name in pairs(r.headers) do names[#names + 1] = name end
      table.sort(names)
      return names
    end
    assert.same({ "content-type", "x-csrf-header", "x-csrf-token" },
      names_of { username = "agent1", password = "password", read_headers_only = true })
    local all = names_of { username = "agent1", password = "password" }
    assert.is_true(#all > 3)
  end)

  it("keeps the client's CSRF handling whole (the token comes through the filter)", function()
    local sms = require "gws.sms"
    local client = sms.new { url = sim.url, username = "agent1", password = "password",
      log = function() end }
    assert.truthy(client.http:refresh_csrf())
    assert.is_string(client.http.csrf_value)
    client:close()
  end)
  it("copies a list that changed between its check and its copy within bounds", function()
    -- The option is read twice (checked, then copied once the engine exists, after an
    -- allocation that may run the collector); an __index answering a longer list the second
    -- time must not write past what the first one measured (the sanitizer run would see it).
    local reads = 0
    local opts = setmetatable({}, { __index = function(_, k)
      if k ~= "keep_headers" then return nil end
      reads = reads + 1
      local list = {}
      for i = 1, reads * 40 do list[i] = "X-Header-Number-" .. i end
      return list
    end })
    local eng = core.new(opts)
    eng:close()
    assert.equals(2, reads)
  end)
end)
