-- The vendor's notification samples the client does NOT handle as the vendor means yet
-- (issue #12): the to-do list for the client, as specs. Not run by `make test` (.busted
-- excludes *_todo_spec.lua); see spec/todo/README.md. When a case passes, move it into
-- spec/e2e/vendor_notifications_spec.lua.
local helper = require "helper"
local feed = require "support.vendor_feed"

describe("the vendor's notifications the client does not honour yet", function()
  local sim, client, rec

  before_each(function()
    sim = helper.start_sim()
    client = helper.client(sim)
    assert(client:start_session())
    rec = helper.recorder(client, { "*" })
  end)

  after_each(function()
    client:close()
    feed.close(sim)
    sim:stop()
  end)

  local function deliver(rel)
    local n = #rec:of("*")
    feed.publish(sim, rel)
    assert(helper.poll_until(client, function() return #rec:of("*") > n end), rel .. " never reached the client")
    return rec:of("*")[n + 1][2]
  end

  it("wait_reference: a reused referenceId (Accept's 17, then Leave's 17) never returns the stale one", function()
    local accept = deliver("Accept/3-notification.json")
    local leave = deliver("Leave/3-notification.json")
    assert.equals(accept.referenceId, leave.referenceId)
    local got = client:wait_reference(17, 0.3)
    assert.are_not.equal(accept, got)
  end)
end)
