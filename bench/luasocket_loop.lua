--- B2: the send_message loop written the way a Lua programmer would without gws-sms:
-- socket.http (Debian lua-socket) plus cjson, on Lua 5.4. Same requests as B1: a GET /me for
-- the JSESSIONID cookie and CSRF token, then POST /me/smssessions/ID with Basic auth, cookie,
-- token and a JSON body, each answer decoded and checked.
--
--   lua5.4 bench/luasocket_loop.lua BASE_URL USER PASSWORD SESSION_ID N
-- Prints one JSON line: {"ops":N,"cpu":s,"wall":s}.
local http = require "socket.http"
local ltn12 = require "ltn12"
local mime = require "mime"
local socket = require "socket"
local cjson = require "cjson"

local base, user, password, id, n = arg[1], arg[2], arg[3], arg[4], tonumber(arg[5])
local auth = "Basic " .. mime.b64(user .. ":" .. password)
local api = base .. "/api/v2"

local function call(method, path, body, headers)
  local out = {}
  local payload = body and cjson.encode(body)
  headers = headers or {}
  headers.authorization = auth
  headers.accept = "application/json"
  if payload then
    headers["content-type"] = "application/json;charset=UTF-8"
    headers["content-length"] = tostring(#payload)
  end
  local _, status, h = http.request {
    url = api .. path, method = method, headers = headers,
    source = payload and ltn12.source.string(payload) or nil,
    sink = ltn12.sink.table(out),
  }
  local res = cjson.decode(table.concat(out))
  if status ~= 200 or res.statusCode ~= 0 then
    error(("%s %s: HTTP %s: %s"):format(method, path, tostring(status), table.concat(out)))
  end
  return res, h
end

local _, h = call("GET", "/me")
local cookie = assert(h["set-cookie"], "no cookie"):match("^([^;]+)")
local token_name, token = h["x-csrf-header"] or "X-CSRF-TOKEN", assert(h["x-csrf-token"])
local function send(text)
  return call("POST", "/me/smssessions/" .. id, { operationName = "SendMessage", text = text },
    { cookie = cookie, [token_name:lower()] = token })
end

send("warm-up")
local c0, w0 = os.clock(), socket.gettime()
for _ = 1, n do send("Hello, this is the bot speaking.") end
local cpu, wall = os.clock() - c0, socket.gettime() - w0
io.write(cjson.encode { ops = n, cpu = cpu, wall = wall }, "\n")
