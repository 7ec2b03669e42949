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
local uv = require "luv"
local cjson = require "cjson"

local rules, requests = {}, {}

local function parse_cookies(line)
  local out = {}
  for pair in (line or ""):gmatch("[^;]+") do
    local k, v = pair:match("^%s*([^=%s]+)=(.-)%s*$")
    if k then out[k] = v end
  end
  return out
end

local function answer(status, headers, body)
  local lines = { ("HTTP/1.1 %d X"):format(status) }
  for _, h in ipairs(headers or {}) do lines[#lines + 1] = h[1] .. ": " .. h[2] end
  lines[#lines + 1] = "Content-Length: " .. #body
  lines[#lines + 1] = ""
  lines[#lines + 1] = body
  return table.concat(lines, "\r\n")
end

local JSON = { { "Content-Type", "application/json;charset=UTF-8" } }

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

-- One connection: requests in sequence (keep-alive), each with a Content-Length body.
local function on_connection(client)
  local buf = ""
  client:read_start(function(err, chunk)
    if err or not chunk then
      client:close()
      return
    end
    buf = buf .. chunk
    while true do
      local head_end = buf:find("\r\n\r\n", 1, true)
      if not head_end then return end
      local head = buf:sub(1, head_end - 1)
      local method, target = head:match("^(%u+) (%S+) HTTP/1%.%d")
      local headers = {}
      for name, value in head:gmatch("\r\n([^:\r\n]+):[ \t]*([^\r\n]*)") do
        headers[name:lower()] = value
      end
      local len = tonumber(headers["content-length"] or "0") or 0
      if #buf < head_end + 3 + len then return end
      local body = buf:sub(head_end + 4, head_end + 3 + len)
      buf = buf:sub(head_end + 4 + len)
      local path, query = (target or "/"):match("^([^?]*)%??(.*)$")
      client:write(serve { method = method or "?", path = path, query = query,
        headers = headers, body = body })
    end
  end)
end

local server = uv.new_tcp()
assert(server:bind("127.0.0.1", 0))
assert(server:listen(64, function(err)
  assert(not err, err)
  local client = uv.new_tcp()
  server:accept(client)
  on_connection(client)
end))
io.stdout:write(("listening on http://127.0.0.1:%d\n"):format(server:getsockname().port))
io.stdout:flush()
local sigterm = uv.new_signal()
sigterm:start("sigterm", function() uv.stop() end)
uv.run()
