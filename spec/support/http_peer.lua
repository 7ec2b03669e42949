--- A raw HTTP/1.1 peer on loopback for the gws.core specs: a libuv (luv) server that is not
-- our code, keeps every connection alive, records each request as it reached the wire and
-- answers it with what `handler(req)` returns. Driven from the spec's own loop: call
-- peer:turn() between engine steps (spec/e2e/core_*_spec.lua).
local uv = require "luv"

local Peer = {}
Peer.__index = Peer

--- The header lines of a request head, as lower-case name -> list of values.
local function header_map(lines)
  local map = {}
  for i = 2, #lines do
    local name, value = lines[i]:match("^([^:]+):%s*(.*)$")
    name = name:lower()
    map[name] = map[name] or {}
    table.insert(map[name], value)
  end
  return map
end

-- Every request whole in `conn.buffer` is cut off, recorded and answered.
function Peer:_serve(conn)
  while true do
    local head_end = conn.buffer:find("\r\n\r\n", 1, true)
    if not head_end then return end
    local lines = {}
    for line in conn.buffer:sub(1, head_end - 1):gmatch("[^\r\n]+") do lines[#lines + 1] = line end
    local length = 0
    for i = 2, #lines do
      length = tonumber(lines[i]:match("^[Cc]ontent%-[Ll]ength:%s*(%d+)")) or length
    end
    if #conn.buffer < head_end + 3 + length then return end
    local method, path = lines[1]:match("^(%u+) (%S+)")
    local req = {
      line = lines[1], method = method, path = path, lines = lines,
      headers = header_map(lines), conn = conn.id,
      body = conn.buffer:sub(head_end + 4, head_end + 3 + length),
    }
    conn.buffer = conn.buffer:sub(head_end + 4 + length)
    self.requests[#self.requests + 1] = req
    local status, headers, body = self.handler(req)
    body = body or '{"statusCode":0}'
    local out = { ("HTTP/1.1 %d X"):format(status or 200), "Content-Length: " .. #body }
    if self.content_type then out[#out + 1] = "Content-Type: " .. self.content_type end
    for _, h in ipairs(headers or {}) do out[#out + 1] = h end
    conn.tcp:write(table.concat(out, "\r\n") .. "\r\n\r\n" .. body)
  end
end

--- Starts a peer; handler(req) -> status, { "Header: value", … }, body (all optional).
-- req: line, method, path (with its query), lines, headers (lower-case name -> list), body,
-- conn (connection number).
-- options.content_type: the Content-Type line every answer carries ("application/json" by
-- default); false: none, only the handler's own lines.
local function new(handler, options)
  local content_type = "application/json"
  if options and options.content_type ~= nil then content_type = options.content_type end
  local peer = setmetatable({ requests = {}, connections = 0, open = {}, content_type = content_type,
    handler = handler or function() return 200 end }, Peer)
  local server = uv.new_tcp()
  assert(server:bind("127.0.0.1", 0))
  assert(server:listen(128, function(err)
    assert(not err, err)
    local tcp = uv.new_tcp()
    server:accept(tcp)
    peer.connections = peer.connections + 1
    local conn = { tcp = tcp, buffer = "", id = peer.connections }
    peer.open[conn] = true
    tcp:read_start(function(read_err, data)
      if data then
        conn.buffer = conn.buffer .. data
        peer:_serve(conn)
      elseif read_err or not data then
        peer.open[conn] = nil
        if not tcp:is_closing() then tcp:close() end
      end
    end)
  end))
  peer.server = server
  peer.url = "http://127.0.0.1:" .. server:getsockname().port
  return peer
end

--- Lets the peer accept, read and answer whatever is waiting, without blocking.
function Peer.turn()
  uv.run("nowait")
end

function Peer:close()
  for conn in pairs(self.open) do
    if not conn.tcp:is_closing() then conn.tcp:close() end
  end
  self.open = {}
  self.server:close()
  uv.run("nowait")
end

--- Drives `eng` and the peer until every id in `ids` has its result (5 s at most): returns
-- the results by id.
function Peer:await(core, eng, ids)
  local want, got, left = {}, {}, 0
  for _, id in ipairs(ids) do want[id] = true; left = left + 1 end
  local deadline = core.now() + 5
  while left > 0 and core.now() < deadline do
    self:turn()
    for _, r in ipairs(eng:step(0.005)) do
      if want[r.id] and not got[r.id] then got[r.id] = r; left = left - 1 end
    end
  end
  assert(left == 0, "no result within 5 s")
  return got
end

--- Submits `req` (url relative to the peer, timeout 5 s by default) and waits: returns the
-- result and the request as the peer read it.
function Peer:exchange(core, eng, req)
  req.url = self.url .. (req.path or "/api/v2/me")
  req.path = nil
  req.timeout = req.timeout or 5
  req.method = req.method or "GET"
  local seen = #self.requests
  local id = eng:submit(req)
  local r = self:await(core, eng, { id })[id]
  return r, self.requests[seen + 1]
end

return { new = new, header_map = header_map }
