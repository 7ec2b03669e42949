-- The C host of examples/embed (issue 13, docs/embedding.md): a program that embeds Lua 5.4
-- and drives a shared sms.loop() from its own poll() loop, built by `make embed` and run
-- against a real gws-sim for one conversation per agent (two agents on the one loop); and
-- why a host that links liblua statically needs -Wl,-E.
local helper = require "helper"

-- The build directory of the gws-sim (and gws.core) under test.
local BUILD = helper.SIM:match("^(.*)/gws%-sim$") or "build"
local LUA_ENV = ("LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./%s/?.so;;'"):format(BUILD)

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok, out, code
end

describe("examples/embed: a C host driving a shared loop from its own poll() loop", function()
  local sim

  before_each(function() sim = helper.start_sim { flags = { "--agents", "2" } } end)
  after_each(function() sim:stop() end)

  it("builds with make embed and echoes each agent's customer through the host's loop", function()
    local ok, out = sh(("make --no-print-directory BUILD=%s embed"):format(BUILD))
    assert(ok, out)
    local host = assert(io.popen(
      ("%s ./%s/examples/embed/host examples/embed/agent.lua %s agent1,agent2 password 2>&1; echo \"exit $?\"")
        :format(LUA_ENV, BUILD, sim.url)))
    local lines = {}
    local function read_until(pattern)
      for line in host:lines() do
        lines[#lines + 1] = line
        if line:find(pattern) then return line end
      end
    end
    assert(read_until("^%[agent%] ready as agent2$"), table.concat(lines, "\n"))
    local ids = { sim:offer("agent1", "ping one"), sim:offer("agent2", "ping two") }
    local finished = read_until("^%[host%] agent finished")
    local exit = read_until("^exit %d+$")
    host:close()
    local log = table.concat(lines, "\n")
    assert(finished, log)
    assert.equals("exit 0", exit, log)
    assert.truthy(log:find("[agent] agent1 echoed: ping one", 1, true), log)
    assert.truthy(log:find("[agent] agent2 echoed: ping two", 1, true), log)
    for i, want in ipairs { "echo: ping one", "echo: ping two" } do
      local said = {}
      for _, entry in ipairs(sim:session(ids[i]).transcript) do
        if type(entry.from) == "table" and entry.from.type == "Agent" and entry.text then
          said[#said + 1] = entry.text
        end
      end
      assert.same({ want }, said)
    end
  end)

  it("loads gws.core from a statically linked host only when it exports Lua's symbols (-Wl,-E)", function()
    local static = io.popen("pkg-config --variable=libdir lua5.4"):read("l") .. "/liblua5.4.a"
    if not io.open(static) then
      pending("no " .. static)
      return
    end
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write('local core = require "gws.core"\n',
      'return { loop = { pollfd = function() return 0 end, events = function() return "r" end,\n',
      '  timeout = function() return 0 end, step = function() end },\n',
      '  done = function() print("loaded " .. core._VERSION) return true end }\n')
    f:close()
    local function build_and_run(flags)
      local bin = os.tmpname()
      local ok, out = sh(("cc -std=gnu11 -O1 %s examples/embed/host.c -o %s %s -lm -ldl %s")
        :format(io.popen("pkg-config --cflags lua5.4"):read("l") or "", bin, static, flags))
      assert(ok, out)
      local ran, run_out = sh(("%s %s %s"):format(LUA_ENV, bin, script))
      os.remove(bin)
      return ran, run_out
    end
    local ok, out = build_and_run("-Wl,-E")
    assert(ok, out)
    assert.truthy(out:find("loaded gws.core", 1, true), out)
    ok, out = build_and_run("")
    os.remove(script)
    assert.is_falsy(ok)
    assert.truthy(out:find("undefined symbol: lua", 1, true), out)
  end)
end)
