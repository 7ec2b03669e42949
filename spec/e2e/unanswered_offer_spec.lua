-- A transfer or invite nobody answers (issue 15, item 4): gws-sim withdraws the offer after
-- --offer-timeout and sends the vendor-shaped Error (errorMessage, notificationType,
-- referenceId); the client's wait_reference returns it, and an "Error" listener hears it with
-- no session (the vendor's Error names none). A session's first offer nobody answers goes
-- back to the queue and on to the next Ready agent (docs/simulator.md, --offer-timeout).
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

describe("a first offer nobody answers", function()
  local sim, agent1, agent2

  before_each(function()
    sim = helper.start_sim { flags = { "--offer-timeout", "1", "--poll-timeout", "1000" } }
    agent1 = helper.client(sim)
    assert.truthy(agent1:start_session())
    assert.truthy(agent1:ready())
    agent2 = helper.client(sim, { username = "agent2" })
  end)
  after_each(function()
    agent1:close()
    agent2:close()
    sim:stop()
  end)

  -- Polls both clients until pred() holds (or `timeout` s pass).
  local function poll_both(pred, timeout)
    return helper.poll_until(agent1, function()
      agent2:poll(0)
      return pred()
    end, timeout)
  end

  local function agent_state(name)
    local status, ui = sim:ctl("GET", "/sim/ui/state")
    assert.equals(200, status)
    for _, a in ipairs(ui.agents) do if a.name == name then return a.state end end
  end

  it("is withdrawn after the offer timeout and offered to the next Ready agent", function()
    assert.truthy(agent2:start_session())
    assert.truthy(agent2:ready())
    local ended, offered = {}, nil
    agent1:on("ended", function(s) ended[#ended + 1] = s.id end)
    agent2:on("invited", function(s) offered = s end)
    local t0 = helper.gettime()
    local id = sim:offer("agent1")
    assert.truthy(poll_both(function() return agent1:session(id) end), "agent1 was not offered the session")
    assert.truthy(poll_both(function() return offered end, 5), "agent2 was not offered it within 5 s")
    assert.is_true(helper.gettime() - t0 >= 0.8, "the offer moved on before the offer timeout")
    assert.equals(id, offered.id)
    assert.truthy(poll_both(function() return #ended > 0 end), "agent1's offer did not end")
    assert.same({ id }, ended)
    assert.equals("Revoked", agent1:session(id).state)
    local record = sim:session(id)
    assert.equals("Revoked", record.agents.agent1.state)
    assert.equals("Invited", record.agents.agent2.state)
    -- The server leaves the absent agent's channel state alone.
    assert.equals("Ready", agent_state("agent1"))
    -- agent2 takes it: an ordinary conversation from there.
    assert(offered:accept("Second"))
    assert.truthy(poll_both(function() return agent2:session(id).state == "Chatting" end))
    assert.equals("Chatting", sim:session(id).state)
  end)

  it("with no other agent Ready it waits queued, then goes to the next agent who becomes Ready", function()
    local id = sim:offer("agent1")
    assert.truthy(poll_both(function() return agent1:session(id) end), "agent1 was not offered the session")
    assert.truthy(poll_both(function()
      local s = agent1:session(id)
      return s and s.state == "Revoked"
    end, 5), "agent1's offer was not withdrawn within 5 s")
    assert.equals("Queued", sim:session(id).state)
    local offered
    agent2:on("invited", function(s) offered = s end)
    assert.truthy(agent2:start_session())
    assert.truthy(agent2:ready())
    assert.truthy(poll_both(function() return offered end), "agent2 was not offered the queued session")
    assert.equals(id, offered.id)
    assert.equals("Invited", sim:session(id).state)
  end)
end)
