-- Event messages on any Bayeux reply (issue #12, item 3; spec §4): a CometD server may put
-- queued events on the reply to a handshake or a subscribe, not only on a connect's. A canned
-- server (spec/support/answer_server.lua, none of our code) answers the client's Bayeux POSTs
-- in order, with one vendor notification riding on the handshake reply and another on the
-- subscribe reply; the client must deliver both, in that order.
local vendor = require "support.vendor"
local answers = require "support.answers"

local NOTIFY = "/api/v2/notifications"
local TOPIC = "/v2/me/smssessions"

local function event(rel)
  return '{"channel":"' .. TOPIC .. '","data":' .. vendor.text(rel) .. '}'
end

local function bayeux(body, extra)
  return answers.json("POST", NOTIFY, body, extra)
end

describe("events riding on Bayeux replies other than connect's", function()
  local server, client
  answers.server_and_client_each(function(s, c) server, client = s, c end)

  it("an event on the handshake reply and one on the subscribe reply both reach the client, in order", function()
    server:answer {
      answers.vendor_me(),
      answers.json("GET", "/api/v2/me/smssessions", '{"statusCode":0,"smssessions":[]}', { query = "fields=%*" }),
      -- SendMessage's sample is message 3 of a session the client has not heard of: it asks for
      -- 1..2 before delivering it (a gap is repaired first); the server has nothing more.
      answers.json("GET", "/api/v2/me/smssessions/0000Wa9CAM6W00FN/messages", '{"statusCode":0,"messages":[]}'),
      bayeux('[{"channel":"/meta/handshake","successful":true,"version":"1.0","clientId":"c1",'
        .. '"supportedConnectionTypes":["long-polling"],"advice":{"reconnect":"retry","interval":0,'
        .. '"timeout":1000}},' .. event("Accept/3-notification.json") .. ']', { times = 1 }),
      bayeux('[{"channel":"/meta/subscribe","successful":true,"subscription":"/v2/me/*"},'
        .. event("SendMessage/3-notification.json") .. ']', { times = 1 }),
      -- Every later connect: nothing new, poll again after 200 ms.
      bayeux('[{"channel":"/meta/connect","successful":true,"advice":{"reconnect":"retry","interval":200}}]'),
    }
    local seen = {}
    client:on("*", function(data) seen[#seen + 1] = data end)
    assert(client:connect())
    local deadline = os.time() + 5
    while #seen < 2 and os.time() <= deadline do client:poll(0.05) end
    assert.equals(2, #seen)
    assert.is_true(vendor.same(vendor.load("Accept/3-notification.json"), seen[1]))
    assert.is_true(vendor.same(vendor.load("SendMessage/3-notification.json"), seen[2]))
    assert.equals("Chatting", client:session("0000Na9B26EF002X").state)
  end)
end)
