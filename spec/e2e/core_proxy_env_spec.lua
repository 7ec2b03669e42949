-- The proxy variables (issue 14 item 4): gws.core reads them once per engine, as libcurl would
-- have read them for every request, and sets them as options. Each case runs an engine in a
-- child process with only those variables, against a proxy that does not exist (port 1): a
-- request that goes through it fails to connect, one that goes direct reaches gws-sim.
local helper = require "helper"

local CHILD = [[
local core = require "gws.core"
local eng = core.new {}
local id = eng:submit({ method = "GET", url = arg[1] .. "/sim/sessions", timeout = 3 }, true)
while true do
  for _, r in ipairs(eng:step(0.5)) do
    if r.id == id then io.write(r.err and "proxy" or "direct") os.exit(0) end
  end
end
]]

local PROXY = "http://127.0.0.1:1"
local VARIABLES = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
  "ALL_PROXY", "no_proxy", "NO_PROXY" }

describe("gws.core and the proxy variables", function()
  local sim, script

  setup(function()
    sim = helper.start_sim { flags = { "--quiet" } }
    script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write(CHILD)
    f:close()
  end)

  teardown(function()
    sim:stop()
    os.remove(script)
  end)

  -- How an http:// request went with these variables (all others unset).
  local function route(vars)
    local words = { "env" }
    for _, name in ipairs(VARIABLES) do words[#words + 1] = "-u " .. name end
    for name, value in pairs(vars) do words[#words + 1] = ("%s='%s'"):format(name, value) end
    local p = assert(io.popen(("%s lua5.4 %s %s 2>&1"):format(table.concat(words, " "), script, sim.url)))
    local out = p:read("a")
    p:close()
    return out
  end

  for _, case in ipairs {
    { {}, "direct" },
    { { http_proxy = PROXY }, "proxy" },
    { { HTTP_PROXY = PROXY }, "direct" }, -- never read, by libcurl's design
    { { https_proxy = PROXY }, "direct" }, -- https:// URLs only
    { { all_proxy = PROXY }, "proxy" },
    { { ALL_PROXY = PROXY }, "proxy" },
    { { all_proxy = PROXY, http_proxy = "" }, "proxy" }, -- empty is unset
    { { all_proxy = PROXY, no_proxy = "127.0.0.1" }, "direct" },
    { { all_proxy = PROXY, NO_PROXY = "127.0.0.1" }, "direct" },
    { { all_proxy = PROXY, no_proxy = "", NO_PROXY = "127.0.0.1" }, "direct" },
    { { http_proxy = PROXY, no_proxy = "*" }, "direct" },
  } do
    local vars, expected = case[1], case[2]
    local names = {}
    for name, value in pairs(vars) do names[#names + 1] = name .. "=" .. (value == "" and '""' or "P") end
    table.sort(names)
    it(("goes %s with %s"):format(expected, #names > 0 and table.concat(names, " ") or "no variable"), function()
      assert.equals(expected, route(vars))
    end)
  end
end)
