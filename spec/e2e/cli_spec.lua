-- bin/gws-sms as a user runs it: its own process, against a real simulator, checked through
-- its exit status, its stdout/stderr and what the simulator's control API says happened.
local helper = require "helper"
local cjson = require "cjson"
local files = require "support.files"

-- The build under test: the one `make test` names in LUA_CPATH (make BUILD=… test), else ./build.
local CPATH = os.getenv("LUA_CPATH") or "./build/?.so;;"
local PASSWORD = "Sekr1t-pass"

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- The command line for `bin/gws-sms ARGS` with GWS_* from env (false: unset).
local function command(sim, args, env)
  local vars = { GWS_URL = sim and sim.url or false, GWS_USER = "agent1", GWS_PASSWORD = PASSWORD }
  for k, v in pairs(env or {}) do vars[k] = v end
  local words = { "env", "-u", "GWS_URL", "-u", "GWS_USER", "-u", "GWS_PASSWORD",
                  "LUA_CPATH=" .. quote(CPATH) }
  for _, k in ipairs { "GWS_URL", "GWS_USER", "GWS_PASSWORD" } do
    if vars[k] then words[#words + 1] = k .. "=" .. quote(vars[k]) end
  end
  words[#words + 1] = "bin/gws-sms"
  for _, a in ipairs(args) do words[#words + 1] = quote(a) end
  return table.concat(words, " ")
end

-- Runs to completion (stdin not a terminal); returns exit status, stdout, stderr.
local function run(sim, args, env)
  local out, err = os.tmpname(), os.tmpname()
  local ok, _, code = os.execute(("timeout 30 %s </dev/null >%s 2>%s"):format(
    command(sim, args, env), out, err))
  local stdout, stderr = files.read(out, ""), files.read(err, "")
  os.remove(out)
  os.remove(err)
  return ok and 0 or code, stdout, stderr
end

-- Starts it in the background: :wait_for(text) polls its stdout, :interrupt() sends SIGINT
-- and returns the exit status, :finish() waits for it to exit by itself.
local function spawn(sim, args, env)
  local out, err = os.tmpname(), os.tmpname()
  local pipe = assert(io.popen(("exec sh -c 'echo $$; exec \"$@\" </dev/null >%s 2>%s' sh %s"):format(
    out, err, command(sim, args, env)), "r"))
  local p = { pid = assert(tonumber(pipe:read("l"))) }
  local final -- what it printed, kept once it has exited
  function p.stdout() return final and final.out or files.read(out, "") end
  function p.stderr() return final and final.err or files.read(err, "") end
  function p.wait_for(text, timeout)
    local deadline = helper.gettime() + (timeout or 10)
    while helper.gettime() < deadline do
      if p.stdout():find(text, 1, true) then return true end
      helper.sleep(0.05)
    end
    error(("no %q within %ss; stdout:\n%s\nstderr:\n%s"):format(text, timeout or 10, p.stdout(), p.stderr()))
  end
  function p.finish()
    local _, _, code = pipe:close()
    final = { out = files.read(out, ""), err = files.read(err, "") }
    os.remove(out)
    os.remove(err)
    return code
  end
  function p.interrupt()
    os.execute("kill -INT " .. p.pid)
    return p.finish()
  end
  return p
end

local function transcript_has(sim, id, text)
  for _, m in ipairs(sim:session(id).transcript) do
    if m.text == text then return true end
  end
  return false
end

local function eventually(pred, what)
  local deadline = helper.gettime() + 10
  while not pred() do
    assert(helper.gettime() < deadline, "timed out waiting for " .. what)
    helper.sleep(0.05)
  end
end

describe("gws-sms command line", function()
  local sim
  before_each(function()
    sim = helper.start_sim { flags = { "--user", "agent1:" .. PASSWORD, "--user", "agent2:other" } }
  end)
  after_each(function() sim:stop() end)

  describe("as a Unix tool", function()
    it("--help prints the usage on stdout and exits 0", function()
      local code, out, err = run(nil, { "--help" })
      assert.equals(0, code)
      assert.truthy(out:find("usage: gws-sms", 1, true), out)
      for _, c in ipairs { "watch", "sessions", "transcript", "accept", "send", "complete", "ready",
                           "not-ready", "bot" } do
        assert.truthy(out:find("\n  " .. c, 1, true), c .. " missing from the usage:\n" .. out)
      end
      assert.equals("", err)
    end)

    it("exits 2 with a message on stderr for usage errors, and sends nothing", function()
      sim:clear_requests()
      for _, case in ipairs {
        { args = {}, says = "no command given" },
        { args = { "frobnicate" }, says = "unknown command 'frobnicate'" },
        { args = { "watch", "--bogus" }, says = "unknown option --bogus" },
        { args = { "accept" }, says = "accept takes 1 argument, got 0" },
        { args = { "send", "only-an-id" }, says = "send takes at least 2 arguments" },
        { args = { "sessions", "--nickname", "x" }, says = "sessions does not take --nickname" },
        { args = { "sessions", "--timeout", "soon" }, says = "--timeout must be a positive number" },
        { args = { "transcript", "not an id!" }, says = "is not a session id" },
        { args = { "sessions" }, env = { GWS_PASSWORD = false }, says = "no password: set GWS_PASSWORD" },
        { args = { "sessions" }, env = { GWS_URL = false }, says = "no server: give --url URL or set GWS_URL" },
        { args = { "sessions" }, env = { GWS_USER = false }, says = "no user: give --user NAME" },
      } do
        local code, out, err = run(sim, case.args, case.env)
        local what = table.concat(case.args, " ")
        assert.equals(2, code, what .. ": " .. err)
        assert.equals("", out, what)
        assert.truthy(err:find(case.says, 1, true), what .. ": " .. err)
      end
      assert.same({}, sim:requests())
    end)

    it("exits 1 with the error on stderr when the server refuses, never showing the password", function()
      local code, out, err = run(sim, { "sessions" }, { GWS_PASSWORD = PASSWORD .. "-wrong" })
      assert.equals(1, code)
      assert.equals("", out)
      assert.truthy(err:find("401", 1, true), err)
      assert.falsy(err:find(PASSWORD, 1, true), err)

      code, out, err = run(sim, { "transcript", "NoSuchSession" })
      assert.equals(1, code)
      assert.equals("", out)
      assert.truthy(err:find("NoSuchSession not found", 1, true), err)

      code, out, err = run(nil, { "sessions" }, { GWS_URL = "http://127.0.0.1:1" })
      assert.equals(1, code)
      assert.equals("", out)
      assert.truthy(err:find("transport", 1, true), err)
    end)

    it("takes the connection from --url/--user/--password over the environment", function()
      local id = sim:offer("agent2", "for agent two")
      local code, out, err = run(sim, { "--url", sim.url, "--user=agent2", "--password", "other", "sessions" },
        { GWS_URL = "http://127.0.0.1:1", GWS_USER = "agent1" })
      assert.equals(0, code, err)
      assert.truthy(out:find(id, 1, true), out)
    end)
  end)

  describe("one-shot commands", function()
    it("sessions, accept, send, transcript and complete drive a whole conversation", function()
      local id = sim:offer("agent1", "Hello World")

      local code, out, err = run(sim, { "sessions" })
      assert.equals(0, code, err)
      assert.truthy(out:find("^" .. id .. "%s+Invited%s+Customer PersonP\n$"), out)

      code, out, err = run(sim, { "accept", id, "--nickname", "Jane" })
      assert.equals(0, code, err)
      assert.truthy(out:find("accepted " .. id, 1, true), out)
      assert.equals("Chatting", sim:session(id).agents.agent1.state)
      assert.equals("Jane", sim:session(id).agents.agent1.nickname)

      code, out, err = run(sim, { "send", id, "Hi,", "how can I help?" })
      assert.equals(0, code, err)
      assert.truthy(out:find("sent to " .. id, 1, true), out)
      assert.is_true(transcript_has(sim, id, "Hi, how can I help?"))

      code, out, err = run(sim, { "transcript", id })
      assert.equals(0, code, err)
      assert.truthy(out:find("session " .. id .. " (Chatting), 4 message(s)", 1, true), out)
      assert.truthy(out:find("#2 PersonP: Hello World", 1, true), out)
      assert.truthy(out:find("#4 Jane: Hi, how can I help?", 1, true), out)

      code, out, err = run(sim, { "transcript", "--json", id })
      assert.equals(0, code, err)
      local lines = {}
      for line in out:gmatch("[^\n]+") do lines[#lines + 1] = cjson.decode(line) end
      assert.equals(4, #lines)
      assert.equals("Hi, how can I help?", lines[4].text)

      code, out, err = run(sim, { "complete", id })
      assert.equals(0, code, err)
      assert.truthy(out:find("completed " .. id, 1, true), out)
      assert.equals("Completed", sim:session(id).agents.agent1.state)

      code, out, err = run(sim, { "sessions", "--json" })
      assert.equals(0, code, err)
      local listed = cjson.decode(out)
      assert.equals(id, listed.id)
      assert.equals("Completed", listed.state)
    end)

    it("an operation the server refuses exits 1 with its statusMessage", function()
      local id = sim:offer("agent1")
      local code, _, err = run(sim, { "send", id, "too early" })
      assert.equals(1, code)
      assert.truthy(err:find("statusCode", 1, true), err)
      assert.is_false(transcript_has(sim, id, "too early"))
    end)

    it("ready and not-ready decide whether routing offers sessions to the agent", function()
      local code, out, err = run(sim, { "ready" })
      assert.equals(0, code, err)
      assert.equals("agent1 is Ready on sms\n", out)
      local routed = sim:offer(nil, "any agent?")
      assert.equals("Invited", sim:session(routed).agents.agent1.state)

      code, out, err = run(sim, { "not-ready" })
      assert.equals(0, code, err)
      assert.equals("agent1 is NotReady on sms\n", out)
      local queued = sim:offer(nil, "anyone?")
      assert.is_nil(next(sim:session(queued).agents))
    end)
  end)

  describe("watch", function()
    it("prints notifications and connection events as lines until interrupted", function()
      local w = spawn(sim, { "watch" })
      w.wait_for("-- connected\n")
      local id = sim:offer("agent1", "Hello World")
      w.wait_for(id .. ": state Invited, can Accept, Reject")
      assert(run(sim, { "accept", id, "--nickname", "Jane" }) == 0)
      w.wait_for("Jane joined")
      sim:say(id, "thanks")
      w.wait_for("PersonP: thanks")

      -- The server forgets the Bayeux client: watch shows the loss and the recovery.
      sim:fault { forget_clients = true }
      w.wait_for("-- connected again (new handshake)")
      assert.truthy(w.stdout():find("-- disconnected: [^\n]*402[^\n]*; reconnecting\n"), w.stdout())
      sim:say(id, "after the reconnect")
      w.wait_for("PersonP: after the reconnect")

      assert.equals(130, w.interrupt())
    end)

    it("--json prints one JSON object per line", function()
      local w = spawn(sim, { "watch", "--json" })
      w.wait_for('"event":"connected"')
      local id = sim:offer("agent1")
      w.wait_for('"notificationType":"StatusChange"')
      assert.equals(130, w.interrupt())
      local kinds = {}
      for line in w.stdout():gmatch("[^\n]+") do
        local ok, obj = pcall(cjson.decode, line)
        assert(ok, "not JSON: " .. line)
        kinds[#kinds + 1] = obj.event
        if obj.event == "notification" then
          assert.equals(id, obj.data.smssession.id)
          assert.equals("Invited", obj.data.smssession.state)
        end
      end
      assert.equals("connected", kinds[1])
      assert.truthy(table.concat(kinds, " "):find("notification", 1, true))
    end)
  end)

  describe("bot", function()
    it("runs a bot file under client:run(), shows reconnects, and stops after --sessions", function()
      local b = spawn(sim, { "bot", "examples/bots/echo.lua", "--sessions", "1" })
      b.wait_for("ready as agent1")
      local id = sim:offer(nil, "ping") -- routed: the bot made agent1 Ready
      eventually(function() return transcript_has(sim, id, "You said: ping") end, "the echo of ping")

      sim:fault { forget_clients = true }
      b.wait_for("-- connected again (new handshake)")
      sim:say(id, "pong?")
      eventually(function() return transcript_has(sim, id, "You said: pong?") end, "the echo after reconnect")
      assert.truthy(b.stdout():find("-- disconnected:", 1, true), b.stdout())

      sim:ctl("POST", "/sim/sessions/" .. id .. "/leave")
      local code = b.finish()
      assert.equals(0, code, b.stderr())
      assert.equals("Completed", sim:session(id).agents.agent1.state)
    end)

    it("exits 1 when the file cannot be loaded or does not return a function", function()
      local code, _, err = run(sim, { "bot", "no/such/bot.lua" })
      assert.equals(1, code)
      assert.truthy(err:find("no/such/bot.lua", 1, true), err)

      local path = os.tmpname()
      finally(function() os.remove(path) end)
      local f = assert(io.open(path, "w"))
      f:write("return 42\n")
      f:close()
      code, _, err = run(sim, { "bot", path })
      assert.equals(1, code)
      assert.truthy(err:find("must return a function(client), it returned a number", 1, true), err)
    end)
  end)
end)
