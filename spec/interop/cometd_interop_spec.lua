-- Interop with the official CometD client (issue #12, item 5): the npm `cometd` JavaScript
-- client, run in Node by `cometd-nodejs-client`, in its default configuration (websocket
-- first, then long-polling posting to the endpoint with the message type appended:
-- …/notifications/handshake, …/connect), against gws-sim: handshake, subscribe to /v2/me/*,
-- receive an SMS offer notification. The Node side is spec/cometd/interop.mjs; its packages
-- come from spec/cometd/package-lock.json (`scripts/deps.sh interop` installs them, through
-- the npm registry). Run by `make interop` and by `make check` (its interop stage), not by
-- `make test`: .busted leaves `_interop_spec` files out of the default run, so `make test`
-- needs neither Node nor the npm registry (see the Makefile's interop target).
local cjson = require "cjson"
local helper = require "helper"

local DIR = "spec/cometd"

describe("the official CometD JavaScript client against gws-sim", function()
  local sim

  before_each(function() sim = helper.start_sim() end)
  after_each(function() sim:stop() end)

  it("handshakes, subscribes to /v2/me/* and receives the SMS offer, in its default configuration", function()
    local f = io.open(DIR .. "/node_modules/cometd/package.json")
    assert.truthy(f, DIR .. "/node_modules is missing: run scripts/deps.sh interop")
    f:close()
    local errlog = os.tmpname()
    local pipe = assert(io.popen(("node %s/interop.mjs %s agent1 password 2>%s"):format(DIR, sim.url, errlog)))
    local code
    finally(function()
      if code == nil then pipe:close() end
      os.remove(errlog)
    end)
    local steps = {}
    local function next_step(want)
      for line in pipe:lines() do
        local ok, step = pcall(cjson.decode, line)
        steps[#steps + 1] = line
        if ok and type(step) == "table" and (step.step == want or step.step == "timeout" or step.step == "failed") then
          return step
        end
      end
    end
    local function story()
      local e = io.open(errlog)
      local err = e and e:read("a") or ""
      if e then e:close() end
      return table.concat(steps, "\n") .. "\n" .. err
    end

    local sub = next_step("subscribed")
    assert.equals("subscribed", sub and sub.step, "no subscription:\n" .. story())
    local id = sim:offer("agent1")
    local got = next_step("message")
    assert.equals("message", got and got.step, "no message:\n" .. story())
    code = select(3, pipe:close())
    assert.equals(0, code, "node did not exit cleanly:\n" .. story())
    local message = got.message
    assert.matches("^/v2/me/", message.channel)
    assert.equals("StatusChange", message.data.notificationType)
    assert.equals(id, message.data.smssession.id)
  end)
end)
