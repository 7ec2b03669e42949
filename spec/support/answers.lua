-- Starts spec/support/answer_server.lua (a canned-answer HTTP server, its own process) and
-- talks to its control paths through support.simctl (gws.core alone, none of the Lua layers
-- under test).
local assert = require "luassert" -- busted's assert lives in the spec files' environment
local cjson = require "cjson"
local simctl = require "support.simctl"
local child = require "support.child"
local vendor = require "support.vendor"

local answers = {}

local Server = {}
Server.__index = Server

function answers.start()
  local server = child.start("lua5.4 spec/support/answer_server.lua", "answer server")
  server.ctl = simctl.new(server.url)
  return setmetatable(server, Server)
end

--- The fixture of the specs on canned answers: a fresh answer server and a client of it
-- (agent1, timeout 5 s) around every test of the describe block this is called in.
-- set(server, client) receives them before each test; after it both are closed.
function answers.server_and_client_each(set)
  local busted = require "busted" -- before_each/after_each of the describe block calling us
  local server, client
  busted.before_each(function()
    server = answers.start()
    client = require("gws.sms").new { url = server.url, username = "agent1",
      password = "password", timeout = 5 }
    set(server, client)
  end)
  busted.after_each(function()
    client:close()
    server:stop()
  end)
end

--- Replaces the answer rules (see answer_server.lua).
function Server:answer(rules)
  self.ctl:ok("PUT", "/_ctl/answers", rules)
end

--- Every request the server answered (not the control ones), then forgets them with clear().
function Server:requests()
  return self.ctl:ok("GET", "/_ctl/requests").requests
end

--- The POST requests the server answered for `path`.
function Server:posts(path)
  local out = {}
  for _, r in ipairs(self:requests()) do
    if r.method == "POST" and r.path == path then out[#out + 1] = r end
  end
  return out
end

function Server:clear()
  self.ctl:ok("DELETE", "/_ctl/requests")
end

function Server:stop()
  if not self.pid then return end
  self.ctl:close()
  child.stop(self)
end

-- The vendor's CSRF headers (CSRFProtection/0-response-headers.txt) and the cookies of its
-- sample request (CSRFProtection/1-request.txt), as a GWS behind an AWS load balancer sends them.
function answers.vendor_csrf()
  local h = {}
  for name, value in vendor.text("CSRFProtection/0-response-headers.txt"):gmatch("([%w%-]+): *([^\r\n]+)") do
    h[#h + 1] = { name, value }
  end
  local req = vendor.text("CSRFProtection/1-request.txt")
  local jsession = assert(req:match("JSESSIONID=([^;%s]+)"))
  -- The AWSELB value is printed across two lines; joined, it is one cookie value.
  local elb = assert(req:match("AWSELB=([%x\r\n]+)")):gsub("%s", "")
  return { headers = h, token = assert(req:match("X%-CSRF%-TOKEN: *(%S+)")),
           jsessionid = jsession, awselb = elb }
end

--- A rule answering `body` (a string, e.g. a vendor file's text) as JSON.
function answers.json(method, path, body, extra)
  local r = { method = method, path = path, status = 200,
              headers = { { "Content-Type", "application/json;charset=UTF-8" } }, body = body }
  for k, v in pairs(extra or {}) do
    if k == "headers" then
      for _, h in ipairs(v) do r.headers[#r.headers + 1] = h end
    else
      r[k] = v
    end
  end
  return r
end

--- GET /me as the vendor's GWS answers it behind a load balancer: the vendor's user sample
-- (InterpretingaResponse/2), its CSRF headers and its two cookies. `extra` adds rule fields
-- (e.g. times = 1).
function answers.vendor_me(extra)
  local csrf = answers.vendor_csrf()
  local headers = { { "Set-Cookie", "JSESSIONID=" .. csrf.jsessionid .. "; Path=/; HttpOnly" },
                    { "Set-Cookie", "AWSELB=" .. csrf.awselb .. "; Path=/" } }
  for _, h in ipairs(csrf.headers) do headers[#headers + 1] = h end
  local r = answers.json("GET", "/api/v2/me", vendor.text("InterpretingaResponse/2-response.json"),
    { headers = headers })
  for k, v in pairs(extra or {}) do r[k] = v end
  return r
end

--- GET /me after the HTTP session was refreshed: a new session cookie and token, and no
-- load-balancer cookie (a load balancer sets its own once).
function answers.renewed_me()
  return answers.json("GET", "/api/v2/me", vendor.text("InterpretingaResponse/2-response.json"), {
    headers = { { "Set-Cookie", "JSESSIONID=second; Path=/" },
                { "X-CSRF-HEADER", "X-CSRF-TOKEN" }, { "X-CSRF-TOKEN", "second-token" } } })
end

--- The vendor's CSRF refusal (HTTP 403, body text), once, for POSTs to `path`.
function answers.csrf_refusal(path)
  return { method = "POST", path = path, times = 1, status = 403,
           headers = { { "Content-Type", "text/plain" } }, body = "Missing or invalid Csrf token" }
end

--- One operation page checked end to end: `call(client)` is answered with the vendor's
-- `response_file`; the client must return that answer, and must have sent exactly one POST
-- to `path` whose body is the vendor's `request_file`, with the vendor's CSRF token and both
-- of the vendor's cookies.
function answers.check_operation(server, client, path, call, request_file, response_file)
  local csrf = answers.vendor_csrf()
  server:answer { answers.vendor_me(), answers.json("POST", path, vendor.text(response_file)) }
  local res, err = call(client)
  assert.is_nil(err)
  local ok, where = vendor.same(vendor.load(response_file), res)
  assert.is_true(ok, "the answer as returned differs from the vendor's at " .. tostring(where))
  local sent = server:posts(path)
  assert.equals(1, #sent)
  ok, where = vendor.same(vendor.load(request_file), cjson.decode(sent[1].body))
  assert.is_true(ok, "the request body differs from the vendor's at " .. tostring(where))
  assert.equals(csrf.token, sent[1].headers["x-csrf-token"])
  assert.equals(csrf.jsessionid, sent[1].cookies.JSESSIONID)
  assert.equals(csrf.awselb, sent[1].cookies.AWSELB)
end

return answers
