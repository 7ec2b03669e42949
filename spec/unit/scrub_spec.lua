-- No secret in any error, whatever the server sends back (issue 11, finding 6): server text is
-- bounded, valid UTF-8 and scrubbed of the client's password, Authorization value, cookie
-- values and CSRF token; credentials in the url are refused.
local scrub = require "gws.scrub"
local http_mod = require "gws.sms.http"

local PASSWORD = "s3cr3t-PW!"
local AUTH = scrub.base64("agent1:" .. PASSWORD)

local function http()
  return http_mod.new { transport = {}, api = "http://x/api/v2", username = "agent1", csrf = true,
    timeout = 5, scrub = scrub.new { username = "agent1", password = PASSWORD } }
end

local function clean_and_secret_free(s)
  assert.truthy(utf8.len(s), "not valid UTF-8: " .. s)
  for _, secret in ipairs { PASSWORD, AUTH, "abc123jsession", "tok-98765" } do
    assert.is_nil(s:find(secret, 1, true), "leaks " .. secret .. ": " .. s)
  end
end

describe("gws.scrub", function()
  it("base64 as HTTP Basic renders it", function()
    assert.equals("YWdlbnQxOnBhc3N3b3Jk", scrub.base64("agent1:password"))
    assert.same({ "YQ==", "YWI=", "YWJj" }, { scrub.base64("a"), scrub.base64("ab"), scrub.base64("abc") })
  end)

  it("clean bounds a text at a character boundary and makes it valid UTF-8", function()
    assert.equals("a?b?", scrub.clean("a\255b\xC3"))
    local s = scrub.clean(("é"):rep(300), 200)
    assert.truthy(utf8.len(s))
    assert.is_true(#s <= 203)
  end)

  it("a statusMessage echoing the request's headers loses every secret", function()
    local h = http()
    h:_take_csrf { ["x-csrf-header"] = "X-CSRF-TOKEN", ["x-csrf-token"] = "tok-98765" }
    local echo = "bad request; headers were: Authorization: Basic " .. AUTH .. "\r\nCookie: JSESSIONID="
      .. "abc123jsession; AWSELB=lb1\r\nX-CSRF-TOKEN: tok-98765\r\nbody password=" .. PASSWORD
      .. " \0\255\254" .. ("x"):rep(5000)
    local _, err = h:interpret({ status = 400, headers = { ["content-type"] = "application/json" },
      json = { statusCode = 10, statusMessage = echo }, body = "" }, "POST", "/me")
    local s = tostring(err)
    clean_and_secret_free(s)
    assert.is_true(#err.message < 300, #err.message .. " bytes")
  end)

  it("the body of an HTTP 500 (binary, Set-Cookie echoed) loses every secret", function()
    local h = http()
    h:_take_csrf { ["x-csrf-header"] = "X-CSRF-TOKEN", ["x-csrf-token"] = "tok-98765" }
    local body = "\31\139\8\0 gzip? Set-Cookie: JSESSIONID=abc123jsession; Path=/ csrf=tok-98765 "
      .. PASSWORD .. " " .. AUTH
    local _, err = h:interpret({ status = 500, headers = { ["content-type"] = "text/html" }, body = body },
      "GET", "/me")
    clean_and_secret_free(tostring(err))
  end)

  it("credentials in the url are refused, without repeating them", function()
    local sms = require "gws.sms"
    local ok, err = pcall(sms.new, { url = "http://agent1:" .. PASSWORD .. "@127.0.0.1:9", username = "agent1",
      password = PASSWORD })
    assert.is_false(ok)
    assert.truthy(tostring(err):find("must not carry credentials", 1, true))
    assert.is_nil(tostring(err):find(PASSWORD, 1, true))
  end)
end)
