-- A tiny loopback HTTP/1.1 server (luv) that answers with canned bodies: the way the specs
-- serve the vendor's own REST answers to the client over real HTTP, without any of our code
-- on the server side. Run as its own process (spec/support/answers.lua starts it):
--
--   lua5.4 spec/support/answer_server.lua      -> first stdout line "listening on http://127.0.0.1:PORT"
--
-- Control (no auth), JSON in and out:
--   PUT    /_ctl/answers   [{method, path (Lua pattern, anchored, matched against the path
--                           without its query), query? (pattern), op? (the body's operationName),
--                           times? (answer this many times, then drop the rule), status,
--                           headers = [[name, value]…] (repeatable, e.g. Set-Cookie), body}…]
--                           replaces the rules; the first rule that matches answers.
--   GET    /_ctl/requests  {"requests":[{method, path, query, headers{lower-cased: value},
--                           cookies{name: value}, body}…]} every other request, in order
--   DELETE /_ctl/requests  forgets them
-- A request no rule matches gets 599 with a text body naming it, so a spec sees the gap.
-- The HTTP side is spec/support/http_peer.lua's.
local uv = require "luv"
local cjson = require "cjson"
local http_peer = require "support.http_peer"

local rules, requests = {}, {}

local function parse_cookies(line)
  local out = {}
  for pair in (line or ""):gmatch("[^;]+") do
    local k, v = pair:match("^%s*([^=%s]+)=(.-)%s*$")
    if k then out[k] = v end
  end
  return out
end

-- An answer as http_peer's handler returns it: status, header lines, body.
local function answer(status, headers, body)
  local lines = {}
  for _, h in ipairs(headers or {}) do lines[#lines + 1] = h[1] .. ": " .. h[2] end
  return status, lines, body
end

local JSON = { { "Content-Type", "application/json;charset=UTF-8" } }
local peer

local function control(req)
  if req.method == "PUT" and req.path == "/_ctl/answers" then
    rules = cjson.decode(req.body)
    return answer(200, JSON, '{"ok":true}')
  elseif req.method == "GET" and req.path == "/_ctl/requests" then
    local list = cjson.encode(requests)
    if #requests == 0 then list = "[]" end -- cjson writes an empty table as {}
    return answer(200, JSON, '{"requests":' .. list .. '}')
  elseif req.method == "DELETE" and req.path == "/_ctl/requests" then
    requests = {}
    peer.requests = {}
    return answer(200, JSON, '{"ok":true}')
  end
  return answer(404, nil, "no such control path")
end

local function serve(req)
  if req.path:match("^/_ctl/") then return control(req) end
  requests[#requests + 1] = { method = req.method, path = req.path, query = req.query,
    headers = req.headers, cookies = parse_cookies(req.headers.cookie), body = req.body }
  local ok, decoded = pcall(cjson.decode, req.body ~= "" and req.body or "null")
  local op = ok and type(decoded) == "table" and decoded.operationName or nil
  for i, r in ipairs(rules) do
    if r.method == req.method and req.path:match("^" .. r.path .. "$")
      and (r.query == nil or (req.query or ""):match("^" .. r.query .. "$"))
      and (r.op == nil or r.op == op) then
      if r.times then
        r.times = r.times - 1
        if r.times <= 0 then table.remove(rules, i) end
      end
      return answer(r.status or 200, r.headers, r.body or "")
    end
  end
  return answer(599, nil, "no answer for " .. req.method .. " " .. req.path)
end

-- http_peer's request as serve() reads it: the path without its query, one value a header
-- (the last of a repeated one). Only the rule's own header lines go out: a spec may want an
-- answer without a Content-Type.
peer = http_peer.new(function(req)
  local headers = {}
  for name, values in pairs(req.headers) do headers[name] = values[#values] end
  local path, query = req.path:match("^([^?]*)%??(.*)$")
  return serve { method = req.method, path = path, query = query, headers = headers,
    body = req.body }
end, { content_type = false })
io.stdout:write(("listening on %s\n"):format(peer.url))
io.stdout:flush()
local sigterm = uv.new_signal()
sigterm:start("sigterm", function() uv.stop() end)
uv.run()
