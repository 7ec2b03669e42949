-- Every example runs for real, as its own process, against a fresh simulator.
local helper = require "helper"

-- The build under test: the one `make test` names in LUA_CPATH (make BUILD=… test), else ./build.
local CPATH = os.getenv("LUA_CPATH") or "./build/?.so;;"
local ENV = "LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='" .. CPATH .. "' "

-- Runs an example; `interact(sim)` (optional) runs once the example printed its "ready" line.
-- Returns the exit code and everything it printed.
local function run_example(sim, script, args, interact)
  local cmd = ("GWS_URL=%s %s timeout 60 lua5.4 %s %s 2>&1"):format(sim.url, ENV, script, args or "")
  local p = assert(io.popen(cmd, "r"))
  local out = {}
  if interact then
    for line in p:lines() do
      out[#out + 1] = line
      if line:find("ready", 1, true) then break end
    end
    interact(sim)
  end
  out[#out + 1] = p:read("a")
  local _, _, code = p:close()
  return code, table.concat(out, "\n")
end

-- The customer's side for bots that wait for offers: text in, chat, leave.
local function customer_chat(sim)
  local id = sim:offer(nil, "ping")
  local function echoed()
    for _, m in ipairs(sim:session(id).transcript) do
      if m.text == "You said: ping" then return true end
    end
  end
  local deadline = helper.gettime() + 10
  while not echoed() and helper.gettime() < deadline do helper.sleep(0.05) end
  sim:say(id, "pong?")
  helper.sleep(0.3)
  sim:ctl("POST", "/sim/sessions/" .. id .. "/leave")
  return id
end

describe("examples", function()
  local sim
  before_each(function() sim = helper.start_sim() end)
  after_each(function() sim:stop() end)

  it("accept_demo.lua shows the accept conversation", function()
    local code, out = run_example(sim, "examples/accept_demo.lua")
    assert.equals(0, code, out)
    assert.truthy(out:find("StatusChange", 1, true), out)
    assert.truthy(out:find("PersonP: Hello World", 1, true), out)
    assert.truthy(out:find("John Doe joined", 1, true), out)
  end)

  it("echo_bot.lua --demo converses with a scripted customer and completes", function()
    local code, out = run_example(sim, "examples/echo_bot.lua", "--demo")
    assert.equals(0, code, out)
    assert.truthy(out:find("You said: Thanks, bye!", 1, true), out)
    assert.truthy(out:find("ended (Completed)", 1, true), out)
  end)

  for _, loop in ipairs { "loop_luv", "loop_cqueues" } do
    it(loop .. ".lua echoes under a host event loop", function()
      local id
      local code, out = run_example(sim, "examples/" .. loop .. ".lua", "--sessions 1",
        function(s) id = customer_chat(s) end)
      assert.equals(0, code, out)
      local rec = sim:session(id)
      local texts = {}
      for _, m in ipairs(rec.transcript) do
        if m.type == "Text" then texts[#texts + 1] = m.from.type .. ":" .. m.text end
      end
      assert.same({ "Customer:ping", "Agent:Hello PersonP, you are talking to EchoBot.",
        "Agent:You said: ping", "Customer:pong?", "Agent:You said: pong?" }, texts)
      assert.equals("Echoed", rec.disposition)
      assert.equals("Completed", rec.state)
    end)
  end

  it("transcript.lua prints a session's transcript", function()
    local id = sim:offer("agent1", "where is my parcel?")
    local code, out = run_example(sim, "examples/transcript.lua", id)
    assert.equals(0, code, out)
    assert.truthy(out:find("PersonP: where is my parcel?", 1, true), out)
    code, out = run_example(sim, "examples/transcript.lua", "NOSUCHID")
    assert.equals(1, code)
    assert.truthy(out:find("statusCode 6", 1, true), out)
  end)

  it("handover.lua consults and transfers to a second agent", function()
    local code, out = run_example(sim, "examples/handover.lua", "--demo")
    assert.equals(0, code, out)
    assert.truthy(out:find("now belongs to agent2 (Chatting)", 1, true), out)
  end)
end)
