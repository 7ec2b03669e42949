-- The rockspec really builds and installs: `luarocks make` into a throwaway tree, then a
-- fresh lua5.4 that can only see that tree loads gws.sms and gws.core from it.
local function lines_of(cmd)
  local p = io.popen(cmd)
  local out = {}
  for l in p:lines() do out[#out + 1] = l end
  p:close()
  return out
end

describe("the rock", function()
  it("lists every Lua module and every C source of the tree", function()
    local f = assert(io.open("rockspec/gws-sms-scm-1.rockspec"))
    local text = f:read("a")
    f:close()
    for _, file in ipairs(lines_of("find lua -name '*.lua' | sort")) do
      local mod = file:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/", ".")
      assert.truthy(text:find('["' .. mod .. '"] = "' .. file .. '"', 1, true), file .. " is not in the rockspec")
    end
    for _, file in ipairs(lines_of("ls csrc/*.c")) do
      assert.truthy(text:find('"' .. file .. '"', 1, true), file .. " is not in the rockspec")
    end
  end)

  it("installs with luarocks make and loads from the installed tree", function()
    local tree = os.tmpname()
    os.remove(tree)
    finally(function() os.execute("rm -rf '" .. tree .. "'") end)
    local log = tree .. ".log"
    -- luarocks builds in the current directory: do it in a scratch copy, not in the checkout.
    local src = tree .. ".src"
    finally(function() os.execute("rm -rf '" .. src .. "'") end)
    assert(os.execute(("mkdir -p '%s' && cp -r csrc lua rockspec '%s'/"):format(src, src)))
    local ok = os.execute(("cd '%s' && luarocks --lua-version=5.4 --tree='%s' make --deps-mode=none "
      .. "rockspec/gws-sms-scm-1.rockspec > '%s' 2>&1"):format(src, tree, log))
    local f = io.open(log)
    local out = f and f:read("a") or ""
    if f then f:close() end
    os.remove(log)
    assert.is_true(ok == true, "luarocks make failed:\n" .. out)
    local probe = ([[LUA_PATH='%s/share/lua/5.4/?.lua;%s/share/lua/5.4/?/init.lua;/usr/share/lua/5.4/?.lua' ]]
      .. [[LUA_CPATH='%s/lib/lua/5.4/?.so;/usr/lib/x86_64-linux-gnu/lua/5.4/?.so' lua5.4 -e ']]
      .. [[local sms = require "gws.sms"; local core = require "gws.core";]]
      .. [[io.write(package.searchpath("gws.core", package.cpath), " ", sms.VERSION, " ", core._VERSION)']])
      :format(tree, tree, tree)
    local p = io.popen(probe .. " 2>&1")
    local line = p:read("a")
    p:close()
    assert.truthy(line:find(tree .. "/lib/lua/5.4/gws/core.so", 1, true), line)
    assert.truthy(line:find("gws.core", 1, true), line)
  end)
end)
