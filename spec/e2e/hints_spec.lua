-- Hints that are right (issue 15, item 3): a TLS failure says whether the server speaks TLS at
-- all or is not trusted; a url that already ends in /api/v2 works; and without a log function
-- a lost connection, each retry and giving up reach stderr, once per change, never per poll.
local helper = require "helper"
local files = require "support.files"

local function count(text, needle)
  local n, from = 0, 1
  while true do
    local i = text:find(needle, from, true)
    if not i then return n end
    n, from = n + 1, i + 1
  end
end

describe("TLS hints", function()
  it("https:// against a plain-http server says it does not speak TLS, not 'ca_file'", function()
    local sim = helper.start_sim()
    local client = helper.client(sim, { url = sim.url:gsub("^http:", "https:") })
    finally(function() client:close(); sim:stop() end)
    local res, err = client:start_session { timeout = 3 }
    assert.is_nil(res)
    assert.equals("transport", err.kind)
    assert.truthy(tostring(err):find("does not speak TLS", 1, true), tostring(err))
    assert.truthy(tostring(err):find("http://", 1, true), tostring(err))
    assert.is_nil(tostring(err):find("ca_file", 1, true), tostring(err))
  end)

  it("an untrusted certificate says so and names ca_file", function()
    local dir = files.scratch_dir()
    local cert, key = helper.self_signed_cert(dir)
    local sim = helper.start_sim { flags = { "--tls-cert", cert, "--tls-key", key } }
    local client = helper.client(sim)
    finally(function() client:close(); sim:stop(); os.execute("rm -rf " .. dir) end)
    local res, err = client:start_session { timeout = 3 }
    assert.is_nil(res)
    assert.equals("transport", err.kind)
    assert.truthy(tostring(err):find("not trusted", 1, true), tostring(err))
    assert.truthy(tostring(err):find("ca_file", 1, true), tostring(err))
    assert.is_nil(tostring(err):find("does not speak TLS", 1, true), tostring(err))
  end)
end)

describe("a url that already names the API", function()
  local sim
  setup(function() sim = helper.start_sim() end)
  teardown(function() sim:stop() end)

  for _, suffix in ipairs { "/api/v2", "/api/v2/" } do
    it("'…" .. suffix .. "' is taken without the suffix, not doubled", function()
      local client = helper.client(sim, { url = sim.url .. suffix })
      finally(function() client:close() end)
      assert.equals(sim.url .. "/api/v2", client.api)
      assert.truthy(client:start_session())
      assert.truthy(client:list_sessions())
    end)
  end
end)

describe("the default log", function()
  it("writes a lost connection, each retry and giving up to stderr, and nothing while all is well",
    function()
    local sim = helper.start_sim { flags = { "--poll-timeout", "200" } }
    local script, errfile = os.tmpname(), os.tmpname()
    files.write(script, [[
      local sms = require "gws.sms"
      local c = sms.new { url = arg[1], username = "agent1", password = "password",
                          max_attempts = 3, backoff_base = 0.05, backoff_cap = 0.1 }
      local gave_up = false
      c:on("gave_up", function() gave_up = true end)
      assert(c:start_session())
      local t = os.time()
      for _ = 1, 15 do c:poll(0.1) end -- several long polls come and go: nothing to say
      io.stderr:write("MARK\n")
      io.stdout:write("ready\n")
      io.stdout:flush()
      for _ = 1, 200 do
        c:poll(0.05)
        if gave_up then break end
      end
      io.stdout:write(gave_up and "gave up\n" or "still trying\n")
      c:close()
    ]])
    local p = assert(io.popen(("lua5.4 %s %s 2>%s"):format(script, sim.url, errfile)))
    finally(function() os.remove(script); os.remove(errfile); sim:stop() end)
    assert.equals("ready", p:read("l"))
    sim:stop()
    local rest = p:read("a")
    p:close()
    assert.equals("gave up\n", rest)
    local stderr = files.read(errfile)
    local before, after = stderr:match("^(.-)MARK\n(.*)$")
    assert.equals("", before, "while all is well, stderr stays empty")
    assert.equals(1, count(after, "connection lost"), after)
    assert.equals(3, count(after, "retrying in"), after)
    assert.equals(1, count(after, "giving up"), after)
    for line in after:gmatch("[^\n]+") do
      assert.truthy(line:find("^gws%-sms: %a+: "), line)
    end
  end)

  it("is replaced by a log function, and log_level still chooses what reaches stderr", function()
    local sim = helper.start_sim()
    local script = os.tmpname()
    files.write(script, [[
      local sms = require "gws.sms"
      local lines = 0
      local c = sms.new { url = arg[1], username = "agent1", password = "password", insecure = true,
                          log = function() lines = lines + 1 end }
      assert(c:start_session())
      c:close()
      local quiet = sms.new { url = arg[1], username = "agent1", password = "password", insecure = true,
                              log_level = "error" }
      quiet:close()
      io.write(lines > 0 and "logged" or "nothing")
    ]])
    local p = assert(io.popen(("lua5.4 %s %s 2>&1"):format(script, sim.url)))
    local out = p:read("a")
    p:close()
    finally(function() os.remove(script); sim:stop() end)
    -- The insecure warning went to the log function, and log_level "error" kept the second
    -- client's off stderr.
    assert.equals("logged", out)
  end)
end)
