-- Proxies (issue 15, item 6): a conversation, long polls included, through a real forward
-- proxy on loopback (tinyproxy demanding Basic auth), `noproxy`, the environment variables
-- libcurl honours, and the proxy's credentials in no log line and no error.
-- tinyproxy passes on only one Set-Cookie per answer: the first GET /me's JSESSIONID is lost
-- on the way (its AWSELB cookie arrives), so the first handshake is refused with 403 and the
-- client renews its HTTP session, as after a server restart. These stories include that.
local helper = require "helper"
local tinyproxy = require "support.tinyproxy"

local PROXY_USER, PROXY_PASSWORD = "proxyuser", "Pr0xy-S3cret"

local function proxy_url(proxy, user, password)
  return ("http://%s:%s@127.0.0.1:%d"):format(user, password, proxy.port)
end

-- Every log line and every error string must be free of the proxy's password (and of its
-- Basic rendering).
local BASIC = "cHJveHl1c2VyOlByMHh5LVMzY3JldA==" -- base64("proxyuser:Pr0xy-S3cret")
local function assert_secret_kept(texts)
  for _, t in ipairs(texts) do
    assert.is_nil(t:find(PROXY_PASSWORD, 1, true), "the proxy password leaked: " .. t)
    assert.is_nil(t:find(BASIC, 1, true), "the proxy credentials leaked: " .. t)
  end
end

-- A Lua pattern that matches `s` literally.
local function literal(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

local function count_matching(list, pattern)
  local n = 0
  for _, l in ipairs(list) do
    if l:find(pattern) then n = n + 1 end
  end
  return n
end

describe("a forward proxy", function()
  local sim, proxy

  setup(function()
    -- Short long polls, so a conversation of a few seconds holds several of them.
    sim = helper.start_sim { flags = { "--poll-timeout", "500" } }
    proxy = tinyproxy.start { user = PROXY_USER, password = PROXY_PASSWORD }
  end)
  teardown(function()
    proxy:stop()
    sim:stop()
  end)

  it("carries a whole conversation, long polls included, with its credentials in no log line", function()
    local lines = {}
    local client = helper.client(sim, { proxy = proxy_url(proxy, PROXY_USER, PROXY_PASSWORD),
      log_level = "debug", log = function(level, msg) lines[#lines + 1] = level .. " " .. msg end })
    finally(function() client:close() end)
    local before = #proxy:requests()
    assert.truthy(client:start_session())
    assert.truthy(client:ready())
    local got = {}
    client:on("message", function(msg, session)
      if msg.type == "Text" and msg.from and msg.from.type == "Customer" then
        got[#got + 1] = msg.text
        session:send_message("echo: " .. msg.text)
      end
    end)
    local id, session = helper.chatting(client, sim)
    for i = 1, 3 do
      assert.equals(200, (sim:say(id, "hello " .. i)))
      assert.truthy(helper.poll_until(client, function() return #got >= i + 1 end, 5),
        "message " .. i .. " did not arrive through the proxy")
      helper.sleep(0.3) -- let a long poll or two come and go between messages
    end
    assert.truthy(helper.poll_until(client, function()
      local n = 0
      for _, e in ipairs(sim:session(id).transcript) do
        if type(e.text) == "string" and e.text:find("^echo: hello") then n = n + 1 end
      end
      return n == 3
    end))
    assert.equals("Chatting", session.state)

    -- The requests went through the proxy: REST calls and the Bayeux long polls.
    local forwarded = table.move(proxy:requests(), before + 1, #proxy:requests(), 1, {})
    local prefix = "^%u+ " .. literal(sim.url)
    assert.truthy(count_matching(forwarded, prefix .. "/api/v2/me ") >= 1, table.concat(forwarded, "\n"))
    assert.truthy(count_matching(forwarded, prefix .. "/api/v2/me/smssessions/") >= 4)
    -- Handshake, subscribe and at least a long poll per message: many more than 5.
    assert.truthy(count_matching(forwarded, "^POST " .. literal(sim.url) .. "/api/v2/notifications ") >= 6,
      table.concat(forwarded, "\n"))
    assert.truthy(#lines > 10)
    assert_secret_kept(lines)
  end)

  it("no proxy credentials: HTTP 407, and the message says where they go", function()
    local client = helper.client(sim, { proxy = proxy.url })
    finally(function() client:close() end)
    local res, err = client:start_session { timeout = 3 }
    assert.is_nil(res)
    assert.equals("http", err.kind)
    assert.equals(407, err.http_status)
    assert.truthy(tostring(err):find("proxy option", 1, true), tostring(err))
  end)

  it("a wrong proxy password is refused, and no log line or error names either password", function()
    local lines = {}
    local client = helper.client(sim, { proxy = proxy_url(proxy, PROXY_USER, "Wr0ng-" .. PROXY_PASSWORD),
      log_level = "debug", log = function(level, msg) lines[#lines + 1] = level .. " " .. msg end })
    finally(function() client:close() end)
    local res, err = client:start_session { timeout = 3 }
    assert.is_nil(res)
    assert.equals("http", err.kind) -- tinyproxy answers 401 here, others 407
    lines[#lines + 1] = tostring(err)
    for _, l in ipairs(lines) do assert.is_nil(l:find("Wr0ng", 1, true), l) end
    assert_secret_kept(lines)
  end)

  it("an unreachable proxy is a transport error without its credentials", function()
    local client = helper.client(sim, { proxy = ("http://%s:%s@127.0.0.1:1"):format(PROXY_USER, PROXY_PASSWORD) })
    finally(function() client:close() end)
    local res, err = client:start_session { timeout = 3 }
    assert.is_nil(res)
    assert.equals("transport", err.kind)
    assert_secret_kept { tostring(err) }
  end)

  it("noproxy sends the hosts it names directly", function()
    -- A simulator of its own: its port names every request of this test, so one the proxy logs
    -- late for an earlier test (a client's closing request) cannot be mistaken for ours.
    local own = helper.start_sim()
    local client = helper.client(own, { proxy = "http://127.0.0.1:1", noproxy = "127.0.0.1" })
    finally(function()
      client:close()
      own:stop()
    end)
    assert.truthy(client:start_session())
    local through = {}
    for _, line in ipairs(proxy:requests()) do
      if line:find(own.url, 1, true) then through[#through + 1] = line end
    end
    assert.same({}, through)
  end)

  it("without a proxy option libcurl honours http_proxy from the environment; proxy = \"\" ignores it",
    function()
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
      local sms = require "gws.sms"
      local c = sms.new { url = arg[1], username = "agent1", password = "password", proxy = arg[2] }
      local ok, err = c:start_session { timeout = 5 }
      io.write(ok and "ok" or tostring(err))
      c:close()
    ]])
    f:close()
    finally(function() os.remove(script) end)
    local function run(env_proxy, option)
      -- stderr apart: the default log may report the recovery described at the top.
      local cmd = ("http_proxy=%s lua5.4 %s %s %s 2>/dev/null"):format(env_proxy, script, sim.url, option or "")
      local p = assert(io.popen(cmd))
      local out = p:read("a")
      p:close()
      return out
    end
    local before = #proxy:requests()
    assert.equals("ok", run(proxy_url(proxy, PROXY_USER, PROXY_PASSWORD)))
    local after_env = #proxy:requests()
    assert.truthy(after_env > before, "http_proxy was not used")
    assert.equals("ok", run("http://127.0.0.1:1", '""'))
    assert.equals(after_env, #proxy:requests())
  end)
end)
