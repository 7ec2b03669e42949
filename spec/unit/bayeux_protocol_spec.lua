-- gws.bayeux.protocol alone: channel matching, backoff, advice, messages and replies.
local protocol = require "gws.bayeux.protocol"

describe("gws.bayeux.protocol", function()
  it("matches channels: exact, /* one segment, /** any depth", function()
    local m = protocol.channel_matches
    assert.is_true(m("/a/b", "/a/b"))
    assert.is_true(m("/a/*", "/a/b"))
    assert.is_false(m("/a/*", "/a/b/c"))
    assert.is_false(m("/a/*", "/a/"))
    assert.is_true(m("/a/**", "/a/b/c"))
    assert.is_false(m("/a/**", "/b/c"))
    local s = protocol.subscription("/v2/me/*")
    assert.is_true(protocol.sub_matches(s, "/v2/me/sms"))
    assert.is_true(s.matches.map["/v2/me/sms"])
    assert.is_false(protocol.sub_matches(s, "/v2/you/sms"))
  end)

  it("backs off exponentially within [d/2, d], capped", function()
    assert.equals(0.25, protocol.backoff_delay(1, 0.5, 30, function() return 0 end))
    assert.equals(0.5, protocol.backoff_delay(1, 0.5, 30, function() return 1 end))
    assert.equals(2, protocol.backoff_delay(3, 0.5, 30, function() return 1 end))
    assert.equals(30, protocol.backoff_delay(20, 0.5, 30, function() return 1 end))
  end)

  it("takes advice and turns it into timeouts", function()
    local a = protocol.default_advice()
    assert.equals(40, protocol.poll_timeout(a, 10))
    protocol.take_advice(a, { timeout = 20000, interval = 500, other = 1 })
    assert.equals(30, protocol.poll_timeout(a, 10))
    assert.equals(0.5, protocol.interval(a))
    assert.is_nil(a.other)
    protocol.take_advice(a, "not a table")
    assert.equals("retry", a.reconnect)
  end)

  it("numbers messages and stamps the client id, not on a handshake", function()
    local batch = { protocol.handshake_message(), protocol.connect_message() }
    assert.equals(2, protocol.stamp(batch, 0, "C1"))
    assert.equals("1", batch[1].id)
    assert.is_nil(batch[1].clientId)
    assert.equals("C1", batch[2].clientId)
    local subs = protocol.subscribe_batch { { channel = "/a" }, { channel = "/b" } }
    assert.equals("/b", subs[2].subscription)
  end)

  it("checks replies: HTTP status, JSON label, array shape", function()
    local json = function() return true end
    assert.same({}, protocol.check_reply({ status = 200, json = {}, headers = {} }, json))
    local _, err = protocol.check_reply({ status = 403, headers = {} }, json)
    assert.equals(403, err.http_status)
    _, err = protocol.check_reply({ status = 200, json = { a = 1 }, headers = {} }, json)
    assert.equals("bayeux", err.kind)
    _, err = protocol.check_reply({ status = 200, json = {}, headers = {} }, function() return false end)
    assert.equals("decode", err.kind)
    local replies = { 1, { channel = "/meta/subscribe", successful = false, subscription = "/x" } }
    assert.equals("/x", protocol.failed_subscription(replies).subscription)
    assert.equals("/meta/subscribe", protocol.find_reply(replies, "/meta/subscribe").channel)
    assert.truthy(tostring(protocol.meta_error(nil, "connect")):find("no reply", 1, true))
  end)
end)
