-- A transfer or invite nobody answers (issue 15, item 4): gws-sim withdraws the offer after
-- --offer-timeout and sends the vendor-shaped Error (errorMessage, notificationType,
-- referenceId); the client's wait_reference returns it, and an "Error" listener hears it with
-- no session (the vendor's Error names none).
local helper = require "helper"

describe("an offer nobody answers", function()
  local sim, client

  before_each(function()
    sim = helper.start_sim { flags = { "--offer-timeout", "1", "--poll-timeout", "1000" } }
    client = helper.client(sim)
    assert.truthy(client:start_session())
    assert.truthy(client:ready())
  end)
  after_each(function()
    client:close()
    sim:stop()
  end)

  it("an invite to a logged-out agent: wait_reference returns the Error after the offer timeout", function()
    local id = helper.chatting(client, sim)
    local res = assert(client:invite(id, { targetUri = client:user_uri("agent2") }))
    assert.equals(0, res.statusCode)
    assert.is_number(res.referenceId)
    local t0 = helper.gettime()
    local note, err = client:wait_reference(res.referenceId, 5)
    assert.is_nil(err)
    assert.equals("Error", note.notificationType)
    assert.equals(res.referenceId, note.referenceId)
    assert.is_string(note.errorMessage)
    assert.is_true(helper.gettime() - t0 >= 0.8, "the Error came before the offer timeout")
  end)

  it("a transfer to a logged-out agent: an Error listener hears it, with no session", function()
    local id = helper.chatting(client, sim)
    local heard = {}
    client:on("Error", function(data, session) heard[#heard + 1] = { data = data, session = session } end)
    local res = assert(client:transfer(id, { targetUri = client:user_uri("agent2") }))
    assert.equals(0, res.statusCode)
    assert.truthy(helper.poll_until(client, function() return #heard > 0 end, 5), "no Error within 5 s")
    assert.is_string(heard[1].data.errorMessage)
    assert.is_nil(heard[1].session)
    -- The session is still ours.
    assert.equals("Chatting", client:session(id).state)
  end)
end)
