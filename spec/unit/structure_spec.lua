-- scripts/structure.lua: the file-dependency checks on the real trees, and the checks
-- themselves on small made-up trees (so a clean result means something).
package.path = "./scripts/?.lua;" .. package.path
local structure = require "structure"
local files = require "support.files"
local read, write, scratch_dir = files.read, files.write, files.scratch_dir

local function run(args)
  local p = assert(io.popen("lua5.4 scripts/structure.lua " .. args .. " 2>&1"))
  local out = p:read("a")
  local _, _, code = p:close()
  return code, out
end

describe("structure of csrc/", function()
  it("has no circle, no upward dependency and no unit outside the layers", function()
    local code, out = run("csrc")
    assert.matches("csrc: 0 circles, 0 upward dependencies, 0 units in no layer: OK", out, 1, true)
    assert.equals(0, code, out)
  end)

  it("keeps the engine in plain C: engine and transfer know no lua_State", function()
    for _, file in ipairs { "csrc/engine.c", "csrc/engine.h", "csrc/transfer.c",
                            "csrc/transfer.h", "csrc/headers.c", "csrc/headers.h",
                            "csrc/request.h" } do
      local text = read(file)
      assert.is_nil(text:find("lua_State", 1, true), file)
      for _, header in ipairs { "<lua.h>", "<lauxlib.h>", "<lualib.h>", '"request_lua.h"',
                                '"result_lua.h"', '"json.h"', '"engine_lua.h"' } do
        assert.is_nil(text:find("#include " .. header, 1, true), file .. " includes " .. header)
      end
    end
  end)

  it("keeps every C file under 450 lines", function()
    local p = assert(io.popen("ls csrc"))
    for file in p:lines() do
      local _, lines = read("csrc/" .. file):gsub("\n", "")
      assert.is_true(lines < 450, file .. " has " .. lines .. " lines")
    end
    p:close()
  end)
end)

describe("structure of lua/gws", function()
  it("has no circle of modules, no upward dependency and no module outside the layers", function()
    local code, out = run("lua")
    assert.matches("== lua (lua/gws/)", out, 1, true)
    assert.matches("gws.transport +%-> [^\n]*gws.core", out)
    assert.matches("lua: 0 circles, 0 upward dependencies, 0 units in no layer", out, 1, true)
    assert.equals(0, code, out)
  end)
end)

describe("structure.lua itself", function()
  it("finds a circle and an upward dependency in C, a .c and its .h being one unit", function()
    local dir = scratch_dir()
    finally(function() os.execute("rm -rf '" .. dir .. "'") end)
    write(dir .. "/top.c", '#include "top.h"\n#include "low.h"\n')
    write(dir .. "/top.h", "")
    write(dir .. "/low.c", '#include "low.h"\n#include "mid.h"\n#include <stdio.h>\n')
    write(dir .. "/low.h", "")
    write(dir .. "/mid.c", '#include "mid.h"\n#include "low.h"\n/* #include "top.h" */\n')
    write(dir .. "/mid.h", '#include "../elsewhere/x.h"\n')
    local deps = structure.scan_c(dir)
    assert.same({ top = { low = true }, low = { mid = true }, mid = { low = true } }, deps)
    local report = structure.check(deps, { { "top", "top" }, { "mid", "mid" }, { "low", "low" } })
    assert.same({ { "low", "mid" } }, report.circles)
    assert.same({ { "low", "mid" } }, report.upward)
    assert.same({}, report.unplaced)

    local lines = {}
    local errors = structure.draw({ name = "t", dir = dir, kind = "c", layers_enforced = true,
      layers = { { "top", "top" }, { "mid", "mid" }, { "low", "low*" } } }, deps, report,
      function(s) lines[#lines + 1] = s end)
    local text = table.concat(lines)
    assert.equals(2, errors)
    assert.matches("@low +%-> %^mid", text)
    assert.matches("ERROR: circle of low, mid", text, 1, true)
    assert.matches("ERROR: upward dependency low (layer 3) -> mid (layer 2)", text, 1, true)
  end)

  it("reports a unit in no layer, as an error or, unenforced, a warning", function()
    local deps = { a = { b = true }, b = {} }
    local report = structure.check(deps, { { "only", "a" } })
    assert.same({ "b" }, report.unplaced)
    for _, enforced in ipairs { true, false } do
      local out = {}
      local errors, warnings = structure.draw({ name = "t", dir = "t", kind = "lua",
        layers = { { "only", "a" } }, layers_enforced = enforced }, deps, report,
        function(s) out[#out + 1] = s end)
      assert.same(enforced and { 1, 0 } or { 0, 1 }, { errors, warnings })
    end
  end)

  it("reads requires from Lua code, not from its comments or strings", function()
    local src = [=[
local a = require "gws.a"
local b = require("gws.b")
local ok, c = pcall(require, 'gws.c')
-- local d = require "gws.d"
--[[ require "gws.e" ]]
local s = 'require "gws.f"' .. [[require "gws.g"]]
local t = "--" local h = require "gws.h"
]=]
    assert.same({ "gws.a", "gws.b", "gws.c", "gws.h" }, structure.requires(src))
  end)

  it("names Lua modules by path and finds a circle among them", function()
    local dir = scratch_dir()
    finally(function() os.execute("rm -rf '" .. dir .. "'") end)
    assert(os.execute("mkdir -p '" .. dir .. "/gws/sms'"))
    write(dir .. "/gws/sms.lua", 'return require "gws.sms.client"')
    write(dir .. "/gws/sms/client.lua", 'local t = require "gws.transport"; require "cjson"')
    write(dir .. "/gws/transport.lua", 'local core = require "gws.core"; require "gws.sms"')
    local deps = structure.scan_lua(dir .. "/gws", "gws")
    assert.same({ ["gws.sms"] = { ["gws.sms.client"] = true },
      ["gws.sms.client"] = { ["gws.transport"] = true },
      ["gws.transport"] = { ["gws.core"] = true, ["gws.sms"] = true },
      ["gws.core"] = {} }, deps)
    assert.same({ { "gws.sms", "gws.sms.client", "gws.transport" } }, structure.circles(deps))
  end)
end)
