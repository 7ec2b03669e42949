-- gws-sms refuses any Lua but 5.4 with one line naming both versions (issue 13), rather than
-- failing to compile one of its modules with a message that points at our code.
describe("gws.lua_version", function()
  local function load_under(version)
    local chunk = assert(loadfile("lua/gws/lua_version.lua", "t",
      setmetatable({ _VERSION = version }, { __index = _G })))
    return pcall(chunk)
  end

  it("loads under Lua 5.4", function()
    local ok, wanted = load_under("Lua 5.4")
    assert.is_true(ok)
    assert.equals("Lua 5.4", wanted)
  end)

  it("names the version it needs and the one it got", function()
    for _, version in ipairs { "Lua 5.1", "Lua 5.3" } do
      local ok, msg = load_under(version)
      assert.is_false(ok)
      assert.equals("gws-sms needs Lua 5.4, but this is " .. version .. ": run it with lua5.4", msg)
    end
  end)

  it("is what a real Lua 5.1 says on require 'gws.sms' and require 'gws.bayeux'", function()
    local probe = io.popen("command -v lua5.1")
    local lua51 = probe:read("l")
    probe:close()
    if not lua51 then return pending("lua5.1 is not installed") end
    for _, module in ipairs { "gws.sms", "gws.bayeux" } do
      local cmd = ("%s -e \"package.path='./lua/?.lua;'..package.path\" -e 'require %q' 2>&1")
        :format(lua51, module)
      local p = io.popen(cmd)
      local out = p:read("a")
      p:close()
      assert.matches("gws-sms needs Lua 5.4, but this is Lua 5.1: run it with lua5.4", out, 1, true)
    end
  end)
end)
