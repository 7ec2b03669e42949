--- B2: the send_message loop written the way a Lua programmer would without gws-sms:
-- socket.http (Debian lua-socket) plus cjson, on Lua 5.4. Same requests as B1: a GET /me for
-- the JSESSIONID cookie and CSRF token, then POST /me/smssessions/ID with Basic auth, cookie,
-- token and a JSON body, each answer decoded and checked.
--
-- Two ways to hold the connection (MODE):
--   new   socket.http as it comes: a new TCP connection per request ("Connection: close")
--   kept  the fair peer of B1: ONE kept-alive connection for every request, given to
--         socket.http through its `create` option (a socket whose close() keeps it open and
--         whose connect() connects once) and "Connection: keep-alive"; the answer is read by
--         its Content-Length, as socket.http does anyway
--
--   lua5.4 bench/luasocket_loop.lua BASE_URL USER PASSWORD SESSION_ID N MODE
-- Prints one JSON line: {"ops":N,"cpu":s,"wall":s,"user":s,"sys":s,"connects":n} (user and
-- sys: the split of cpu from /proc/self/stat; connects: TCP connections opened in the timed
-- loop).
local http = require "socket.http"
local ltn12 = require "ltn12"
local mime = require "mime"
local socket = require "socket"
local cjson = require "cjson"
-- Only this helper of bench/common.lua (which loads nothing of gws-sms to give it).
package.path = "./bench/?.lua;" .. package.path
local cookie_header = require("common").cookie_header

local base, user, password, id, n, mode = arg[1], arg[2], arg[3], arg[4], tonumber(arg[5]), arg[6]
assert(mode == "new" or mode == "kept", "MODE must be 'new' or 'kept'")
local auth = "Basic " .. mime.b64(user .. ":" .. password)
local api = base .. "/api/v2"

local connects = 0

-- User and system CPU seconds from /proc/self/stat (as bench/common.lua, which this peer does
-- not load: it needs nothing of gws-sms).
local function user_sys()
  local f = assert(io.open("/proc/self/stat"))
  local rest = f:read("a"):match("^%d+ %b() (.*)$")
  f:close()
  local fields = {}
  for w in rest:gmatch("%S+") do fields[#fields + 1] = w end
  return tonumber(fields[12]) / 100, tonumber(fields[13]) / 100
end

-- The kept-alive connection: what socket.http calls on the object `create` returns is
-- settimeout, connect, send, receive, close (and getfd/dirty through its sinks and sources).
local kept
local function keep_alive()
  if not kept then
    local tcp = assert(socket.tcp())
    kept = { tcp = tcp, connected = false }
    function kept.settimeout(_, t) return tcp:settimeout(t) end
    function kept.connect(self, host, port)
      if self.connected then return 1 end
      connects = connects + 1
      local ok, err = tcp:connect(host, port)
      if not ok then return nil, err end
      tcp:setoption("tcp-nodelay", true)
      self.connected = true
      return 1
    end
    function kept.send(_, ...) return tcp:send(...) end
    function kept.receive(_, ...) return tcp:receive(...) end
    function kept.getfd() return tcp:getfd() end
    function kept.dirty() return tcp:dirty() end
    function kept.close() return 1 end -- kept open for the next request
  end
  return kept
end

local function new_connection()
  connects = connects + 1
  return socket.tcp()
end

local function call(method, path, body, headers)
  local out = {}
  local payload = body and cjson.encode(body)
  headers = headers or {}
  headers.authorization = auth
  headers.accept = "application/json"
  if mode == "kept" then headers.connection = "keep-alive" end
  if payload then
    headers["content-type"] = "application/json;charset=UTF-8"
    headers["content-length"] = tostring(#payload)
  end
  local _, status, h = http.request {
    url = api .. path, method = method, headers = headers,
    source = payload and ltn12.source.string(payload) or nil,
    sink = ltn12.sink.table(out),
    create = mode == "kept" and keep_alive or new_connection,
  }
  local res = cjson.decode(table.concat(out))
  if status ~= 200 or res.statusCode ~= 0 then
    error(("%s %s: HTTP %s: %s"):format(method, path, tostring(status), table.concat(out)))
  end
  return res, h
end

local _, h = call("GET", "/me")
local cookie = cookie_header(assert(h["set-cookie"], "no cookie"))
local token_name, token = h["x-csrf-header"] or "X-CSRF-TOKEN", assert(h["x-csrf-token"])
local function send(text)
  return call("POST", "/me/smssessions/" .. id, { operationName = "SendMessage", text = text },
    { cookie = cookie, [token_name:lower()] = token })
end

send("warm-up")
local connects0 = connects
local u0, s0 = user_sys()
local c0, w0 = os.clock(), socket.gettime()
for _ = 1, n do send("Hello, this is the bot speaking.") end
local cpu, wall = os.clock() - c0, socket.gettime() - w0
local u1, s1 = user_sys()
if kept then kept.tcp:close() end
io.write(cjson.encode { ops = n, cpu = cpu, wall = wall, user = u1 - u0, sys = s1 - s0,
  connects = connects - connects0 }, "\n")
