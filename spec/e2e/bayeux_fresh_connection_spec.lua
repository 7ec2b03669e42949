-- libcurl re-sends a request on a fresh connection, silently, when the kept-alive one turns
-- out closed. For a long poll that may mean the server answered the first send (with events)
-- and nobody read it: gws.bayeux tells its owner's intake of a long poll that opened a new
-- connection, other than the first after a handshake, as of one that succeeded again after
-- failures ({ channel = "/meta/connect", reconnected = true }); the GWS client answers that
-- with a list resync (client.lua's intake, the same path as after a failure).
-- A bare client, so that no REST request opens a second pooled connection the re-send could
-- reuse (then libcurl opens nothing new and `connects` cannot tell: see bench/README.md).
local helper = require "helper"
local bayeux = require "gws.bayeux"

describe("a long poll re-sent on a fresh connection", function()
  local sim

  before_each(function()
    sim = helper.start_sim { flags = { "--no-csrf", "--poll-timeout", "300" } }
  end)

  after_each(function()
    if sim then sim:stop() end
    sim = nil
  end)

  it("is reported to intake as a possible loss, with no reconnect", function()
    local signals, events = 0, {}
    local b = bayeux.new { url = sim.url .. "/api/v2/notifications", username = "agent3",
      password = "password", backoff_base = 0.05, timeout = 3,
      intake = function(msg)
        if msg.channel == "/meta/connect" and msg.reconnected then signals = signals + 1 end
      end }
    finally(function() b:close() end)
    for _, e in ipairs { "reconnecting", "disconnected", "handshake" } do
      b:on(e, function() events[e] = (events[e] or 0) + 1 end)
    end
    assert.truthy(b:subscribe("/chat/room", function() end))
    -- A few long polls on the one kept-alive connection first (poll() returns as soon as it
    -- has dispatched something, so count the requests the simulator saw): handshake,
    -- subscribe, then at least two connects. The drop must meet a connect that is not the
    -- first after the handshake, which is never reported.
    local deadline = helper.gettime() + 5
    while #sim:requests() < 5 and helper.gettime() < deadline do b:poll(0.1) end
    assert.is_true(#sim:requests() >= 5, "the long polls did not start")
    assert.equal(0, signals)
    sim:fault { drop_connections = 1 } -- the next long poll finds its connection closed
    deadline = helper.gettime() + 4
    while signals == 0 and helper.gettime() < deadline do b:poll(0.1) end
    assert.equal(1, sim:fault({}).applied.dropped_connections)
    assert.equal(1, signals)
    assert.is_nil(events.reconnecting) -- libcurl absorbed the drop: the poller never failed
    assert.is_nil(events.disconnected)
    assert.equal(1, events.handshake)
    b:poll(0.8) -- later long polls reuse the new connection: no more signals
    assert.equal(1, signals)
  end)
end)
