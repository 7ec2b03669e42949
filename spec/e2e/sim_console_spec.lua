-- gws-sim's customer console over HTTP: the pages it serves and the state read the page polls.
-- (spec/browser/console_test.mjs drives the page itself in a real browser, in `make check`.)
local helper = require "helper"

describe("gws-sim customer console", function()
  local sim
  before_each(function() sim = helper.start_sim() end)
  after_each(function() sim:stop() end)

  it("links the console from / and serves its files, embedded, with their types", function()
    local r = sim.control:raw("GET", "/")
    assert.equals(200, r.status)
    assert.truthy(r.body:find('<a href="/sim/ui/">', 1, true), r.body)

    r = sim.control:raw("GET", "/sim/ui")
    assert.equals(301, r.status)
    assert.equals("/sim/ui/", r.headers.location)

    for path, kind in pairs { ["/sim/ui/"] = "text/html", ["/sim/ui/app.js"] = "text/javascript",
                              ["/sim/ui/style.css"] = "text/css" } do
      r = sim.control:raw("GET", path)
      assert.equals(200, r.status, path)
      assert.equals(kind .. "; charset=utf-8", r.headers["content-type"], path)
      assert.truthy(#r.body > 500, path)
    end
    -- Nothing the page needs comes from elsewhere: it must work offline.
    local page = sim.control:raw("GET", "/sim/ui/").body .. sim.control:raw("GET", "/sim/ui/app.js").body
    assert.falsy(page:find("https?://"), "the console references another host")

    assert.equals(404, sim.control:raw("GET", "/sim/ui/nope.js").status)
    assert.equals(405, sim.control:raw("POST", "/sim/ui/state").status)
  end)

  it("state lists sessions newest first with transcripts, and the agents with their state", function()
    local client <close> = helper.client(sim)
    assert(client:start_session())
    assert(client:ready("sms"))
    local first = sim:offer(nil, "routed to the Ready agent")
    local second = sim:offer("agent2", "for agent2", { nickname = "Zed", phone = "+15550199" })

    local status, state = sim:ctl("GET", "/sim/ui/state")
    assert.equals(200, status)
    assert.equals(2, state.total)
    assert.equals(second, state.sessions[1].id)
    assert.equals(first, state.sessions[2].id)
    assert.equals("Zed", state.sessions[1].customer.nickname)
    assert.equals("for agent2", state.sessions[1].transcript[2].text)
    assert.equals(2, state.sessions[1].messages)
    assert.equals("Invited", state.sessions[2].agents.agent1.state)

    local agents = {}
    for _, a in ipairs(state.agents) do agents[a.name] = a.state end
    assert.same({ agent1 = "Ready", agent2 = "LoggedOut", agent3 = "LoggedOut" }, agents)
    assert.is_table(state.faults)
  end)

  it("cuts long transcripts to their last 200 messages and says how many there are", function()
    local id = sim:offer("agent1", "first")
    for i = 1, 250 do sim:say(id, "line " .. i) end
    local _, state = sim:ctl("GET", "/sim/ui/state")
    local s = state.sessions[1]
    assert.equals(252, s.messages)
    assert.equals(200, #s.transcript)
    assert.equals("line 250", s.transcript[200].text)
    assert.equals(53, s.transcript[1].index)
  end)
end)
