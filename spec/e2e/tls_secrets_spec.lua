-- TLS (verification on by default, ca_file, insecure that warns) and secrets (never in a log
-- line or an error string), against gws-sim serving HTTPS with a certificate made here.
local helper = require "helper"
local files = require "support.files"

describe("TLS", function()
  local dir, cert, sim

  setup(function()
    dir = files.scratch_dir()
    local key
    cert, key = helper.self_signed_cert(dir)
    sim = helper.start_sim { flags = { "--tls-cert", cert, "--tls-key", key } }
  end)
  teardown(function()
    sim:stop()
    os.execute("rm -rf " .. dir)
  end)

  it("serves https", function()
    assert.truthy(sim.url:find("^https://127%.0%.0%.1:%d+$"))
  end)

  it("verifies certificates by default and says how to trust this one", function()
    local client = helper.client(sim)
    finally(function() client:close() end)
    local res, err = client:start_session()
    assert.is_nil(res)
    assert.equals("transport", err.kind)
    assert.truthy(tostring(err):lower():find("certificate", 1, true), tostring(err))
    assert.truthy(tostring(err):find("ca_file", 1, true), tostring(err))
  end)

  it("trusts the server with ca_file", function()
    local client = helper.client(sim, { ca_file = cert })
    finally(function() client:close() end)
    assert.truthy(client:start_session())
    local id = sim:offer("agent1")
    assert.truthy(client:accept(id, "Secure Bot"))
    assert.truthy(helper.poll_until(client, function()
      local s = client:session(id)
      return s and s.state == "Chatting"
    end))
  end)

  it("insecure = true must be asked for, and then warns once", function()
    local lines = {}
    local client = helper.client(sim, { insecure = true, log = function(level, msg)
      lines[#lines + 1] = { level, msg }
    end })
    finally(function() client:close() end)
    assert.truthy(client:start_session())
    local warnings = 0
    for _, l in ipairs(lines) do
      if l[1] == "warn" and l[2]:find("verification is OFF", 1, true) then warnings = warnings + 1 end
    end
    assert.equals(1, warnings)
  end)
end)

describe("secrets", function()
  local PASSWORD = "S3cr3t-Pa55w0rd"
  local BASIC = "YWdlbnQ5OlMzY3IzdC1QYTU1dzByZA==" -- base64("agent9:" .. PASSWORD)

  it("never appear in a log line or an error string, even at debug level", function()
    local sim = helper.start_sim { flags = { "--user", "agent9:" .. PASSWORD, "--poll-timeout", "1000" } }
    local seen = {}
    local function log(level, msg) seen[#seen + 1] = level .. " " .. msg end
    local client = helper.client(sim, { username = "agent9", password = PASSWORD, log = log,
      log_level = "debug", backoff_base = 0.05 })
    local token
    finally(function() client:close(); sim:stop() end)
    local function note(res, err)
      if err then seen[#seen + 1] = tostring(err) end
      return res, err
    end
    note(client:start_session())
    local id = sim:offer("agent9")
    note(client:accept(id, "Bot"))
    note(client:accept("NOSUCH", "Bot"))                  -- a status error
    sim:fault { forget_http_sessions = true }              -- a 403 and a refresh
    note(client:send_message(id, "after the refresh"))
    sim:fault { http_error = { status = 503, count = 3 } } -- transport trouble in the long poll
    client:poll(1)
    sim:fault { bad_answer = { mode = "html", count = 1 } }
    note(client:list_sessions())
    token = client.http.csrf_value
    assert.truthy(token and #token > 8, "the test needs the CSRF token to look for it")
    -- a wrong password, too
    local bad = helper.client(sim, { username = "agent9", password = "Wr0ng-" .. PASSWORD, log = log,
      log_level = "debug" })
    note(bad:start_session())
    bad:close()
    assert.is_true(#seen > 10, "expected a verbose log, got " .. #seen .. " lines")
    for _, line in ipairs(seen) do
      for _, secret in ipairs { PASSWORD, BASIC, token, "Authorization", "JSESSIONID", "Cookie:" } do
        assert.falsy(line:find(secret, 1, true), ("%q leaked into: %s"):format(secret, line))
      end
    end
  end)
end)
