--- GWS REST calls: one request and what its answer means, the CSRF token (fetched before the
-- first write, renewed with the HTTP session after a 403), the prepared header sets and the
-- URL cache. Knows nothing of sessions or notifications.
local cjson = require "cjson"
local args = require "gws.args"
local errors = require "gws.errors"
local scrub = require "gws.scrub"
local transport = require "gws.transport"

local M = {}

local json_types = transport.json_types
-- The CSRF pair GWS sends with its answers (see _take_csrf).
transport.reads_header("x-csrf-header")
transport.reads_header("x-csrf-token")

local Http = {}
Http.__index = Http

-- A private instance (nobody else's settings) that raises: every body reaching call is built
-- from checked arguments.
local json = cjson.new()
M.json = json

--- opts: transport, api (base URL ending in /api/v2), username, csrf (bool), scrub, timeout
-- (default request timeout), log(level, fmt, ...) or nil, log_debug (false: log drops "debug").
function M.new(opts)
  return setmetatable({
    transport = opts.transport,
    api = opts.api,
    username = opts.username,
    csrf = opts.csrf,
    timeout = opts.timeout,
    log = opts.log,
    -- Whether the per-request "debug" lines pass the log level: decided once, so a disabled
    -- debug log costs a send nothing (two log calls per request otherwise).
    log_debug = opts.log ~= nil and opts.log_debug ~= false,
    scrub = opts.scrub,  -- a gws.scrub for server text in errors
    csrf_header = "X-CSRF-TOKEN",
    csrf_value = nil,
    csrf_gen = 0,        -- counts HTTP sessions: a refusal is answered once per session
    header_sets = {},    -- prepared header lists of the current token, by kind of call
    urls = args.cache(256), -- API path -> full URL
    refreshing = false,
    session_cookie = "JSESSIONID", -- the HTTP session's cookie (the vendor's CSRF page names it)
    csrf_off = false,    -- the server answered GET /me without a token: it has no CSRF protection
    spare_req = nil,     -- the request table exchange reuses, when no request holds it
  }, Http)
end

-- Prepared header lists (gws.core eng:headers, rendered once in C) for the REST calls, by
-- kind of call; remade when the CSRF token changes. A table per request cost about 5 000
-- instructions more (bench/README.md, B1).
function Http:_headers(modifying, has_body)
  local token = modifying and self.csrf and self.csrf_value or false
  local sets = self.header_sets
  if sets.token ~= token or sets.name ~= self.csrf_header then
    sets = { token = token, name = self.csrf_header }
    self.header_sets = sets
  end
  local kind = has_body and (modifying and 1 or 2) or (modifying and 3 or 4)
  local set = sets[kind]
  if not set then
    local h = { Accept = "application/json" }
    if has_body then h["Content-Type"] = "application/json;charset=UTF-8" end
    if token then h[self.csrf_header] = token end
    set = self.transport:headers(h)
    sets[kind] = set
  end
  return set
end

--- The full URL of an API path (kept, so the same call does not build the same string again).
function Http:url(path)
  return self.urls:get(path) or self.urls:put(path, self.api .. path)
end

--- Headers of a Bayeux request (a plain table: Bayeux adds its own). Remembers which HTTP
-- session it was sent with, so a refusal renews that session only once.
function Http:bayeux_headers()
  self.bayeux_gen = self.csrf_gen
  if self.csrf and self.csrf_value then return { [self.csrf_header] = self.csrf_value } end
  return {}
end

function Http:_take_csrf(headers)
  local name, value = headers["x-csrf-header"], headers["x-csrf-token"]
  if value == self.csrf_value and name == self.csrf_header then return end
  if name and value and name:match("^[%w%-_]+$") then
    self.csrf_header, self.csrf_value = name, value
    if self.scrub then self.scrub:forget_value(value) end
    self.csrf_off = false
  end
end

--- Forgets the token (the server dropped the HTTP session, e.g. EndContactCenterSession).
function Http:forget_token()
  self.csrf_value = nil
end

--- Gets a CSRF token (GET /me, which also checks the credentials). With `forget`, the HTTP
-- session is dropped first, so cookie and token are refreshed together. `sent_gen` is the
-- csrf_gen of the request that was refused: if a refresh finished since it was sent, or one
-- is running now, that one serves (two refreshes would invalidate each other's cookie).
function Http:refresh_csrf(timeout, forget, sent_gen)
  timeout = timeout or self.timeout
  -- One fetch at a time: concurrent first writes (tasks under run()) would each open an HTTP
  -- session of their own, and the last cookie would not match the others' tokens.
  if self.refreshing then
    self.transport:wait(function() return not self.refreshing end, timeout)
    if self.csrf_value then return true end
  end
  if forget then
    if sent_gen and sent_gen ~= self.csrf_gen then return true end
    if self.log then self.log("info", "refreshing the HTTP session (cookie and CSRF token)") end
    -- Only the session cookie: a load balancer's stickiness cookie (AWSELB in the vendor's
    -- sample) keeps us on the node that holds our Bayeux client.
    self.transport:drop_cookies { self.session_cookie }
    self.csrf_value = nil
  end
  self.refreshing = true
  local res, err = self:call("GET", "/me", nil, timeout)
  self.refreshing = false
  if forget then self.csrf_gen = self.csrf_gen + 1 end
  -- CSRF protection is a server setting: an answer without the headers means it is off, and
  -- writes go without a token (no GET /me before each) until a 403 asks for one again.
  if res and not self.csrf_value then
    if not self.csrf_off and self.log then
      self.log("info", "the server sent no CSRF token: writes go without one")
    end
    self.csrf_off = true
  end
  return res, err
end

--- Server text for an error or a log line (a body, a statusMessage): bounded, valid UTF-8,
-- the client's own secrets removed (gws.scrub), whatever the server echoes back.
function Http:_server_text(text)
  text = tostring(text or ""):gsub("%s+", " ")
  if self.scrub then return self.scrub:text(text) end
  return scrub.clean(text)
end

--- What an answer other than the usual success means: the body, or nil and an error.
function Http:interpret(r, method, path)
  if r.status == 401 then
    return nil, errors.new("http", ("authentication failed for user %q: check the username and password")
      :format(self.username), { http_status = 401, code = 20 })
  end
  if r.status == 407 then
    return nil, errors.new("http", ("%s %s: the proxy wants credentials it was not given (HTTP 407):"
      .. " put them in the proxy option, \"http://user:password@host:port\""):format(method, path),
      { http_status = 407 })
  end
  local j = r.json
  local labelled = j == nil or transport.is_json(r)
  local answer = labelled and type(j) == "table" and j or nil
  local code = answer and answer.statusCode
  -- One supervisor page prints the code as a string: "statusCode": "0".
  if type(code) == "string" and code:match("^%d+$") then code = tonumber(code) end
  code = type(code) == "number" and math.tointeger(code) or nil
  if code == 0 then return j end
  if code == 7 then
    -- Partial success (e.g. StartContactCenterSession with one channel refused): what worked
    -- is in effect, and the answer (returned whole) says what did not.
    if self.log then self.log("warn", "%s %s: partial success: %s", method, path,
      self:_server_text(answer.statusMessage or errors.status_text[7] or "")) end
    return j
  end
  -- 8.5.1's agent channel-state calls answer without a statusCode: {"status":"ok"}.
  if code == nil and answer and answer.status == "ok" and r.status < 300 then return j end
  -- Failures only from here on, so only they pay for building messages.
  local where = method .. " " .. path
  if code == nil and answer and answer.status == "error" then
    return nil, errors.new("status", ("%s: %s"):format(where,
      tostring(answer.errorDescription or answer.errorMessage or "failed")), { http_status = r.status })
  end
  if not labelled then
    return nil, errors.new("decode", ("%s: the answer is %s, not JSON: %s"):format(where,
      tostring(r.headers["content-type"] or "unlabelled"), self:_server_text(r.body)),
      { http_status = r.status })
  end
  if code then
    return nil, errors.new("status", ("%s: %s"):format(where,
      self:_server_text(j.statusMessage or errors.status_text[code] or "failed")),
      { code = code, http_status = r.status })
  end
  if r.status >= 300 then
    return nil, errors.new("http", ("%s answered HTTP %d: %s"):format(where, r.status,
      self:_server_text(r.body)),
      { http_status = r.status })
  end
  local ct = tostring(r.headers["content-type"] or "unlabelled")
  local why = r.json_error and (ct .. ", not JSON (" .. r.json_error .. ")") or "JSON without a statusCode"
  return nil, errors.new("decode", ("%s: the answer is %s: %s"):format(where, why, self:_server_text(r.body)),
    { http_status = r.status })
end

--- One REST exchange: the transport's result table (any HTTP status), or nil and an error when
-- no answer came. Brings the CSRF token before a write (unless the server showed it has no
-- CSRF protection) and, on a CSRF refusal, renews the HTTP session once and retries once.
function Http:exchange(method, path, body, timeout, retried)
  timeout = timeout or self.timeout
  local modifying = method ~= "GET"
  if modifying and self.csrf and not self.csrf_value and not self.csrf_off then
    local _, err = self:refresh_csrf(timeout, false)
    if err then return nil, err end
  end
  local gen = self.csrf_gen
  local payload = body ~= nil and json.encode(body) or nil
  local log = self.log_debug and self.log
  if log then log("debug", "-> %s %s", method, path) end
  -- One request table per Http, reused: taken out while a request is in flight, so a
  -- task that yields inside transport:request keeps its own and a concurrent one makes a new
  -- table (a table per call cost about 1 500 instructions; bench/README.md, issue 14).
  local req = self.spare_req
  if req then self.spare_req = nil else req = {} end
  req.method, req.url = method, self.urls.map[path] or self:url(path)
  req.headers, req.body, req.timeout = self:_headers(modifying, payload ~= nil), payload, timeout
  local r = self.transport:request(req)
  req.body = nil -- what a bot said is not kept until the next request
  self.spare_req = req
  local h = r.headers
  if h and h["x-csrf-token"] then self:_take_csrf(h) end
  if r.err then
    local kind, msg = transport.failure(r)
    if log then log("debug", "<- %s %s failed: %s", method, path, msg) end
    return nil, errors.new(kind, ("%s %s: %s"):format(method, path, msg))
  end
  if log then log("debug", "<- %s %s: HTTP %d", method, path, r.status) end
  local j = r.json
  local csrf_refused = r.status == 403 and not (type(j) == "table" and j.statusCode)
  if csrf_refused and modifying and self.csrf and not retried then
    -- The token or the HTTP session is gone. Refresh both once (unless another request just
    -- did) and retry once.
    local _, err = self:refresh_csrf(timeout, true, gen)
    if err then return nil, err end
    return self:exchange(method, path, body, timeout, true)
  end
  return r
end

--- One REST call: the decoded answer of a success (statusCode 0), or nil and an error.
function Http:call(method, path, body, timeout)
  local r, err = self:exchange(method, path, body, timeout)
  if not r then return nil, err end
  local j = r.json
  -- The usual answer, decided here; anything else is interpret's to explain. is_json's
  -- cache is read first without the call (the server sends the same Content-Type each time).
  if r.status == 200 and type(j) == "table" and j.statusCode == 0
      and (json_types.map[r.headers["content-type"]] or transport.is_json(r)) then
    return j
  end
  return self:interpret(r, method, path)
end

---------------------------------------------------------------------------------------------
-- The reads the model and resync need (their public forms, with argument checks, are the
-- client's)

-- The session list's wrapper is undocumented (spec §3, vendor/INDEX.md §2.9): the vendor's page
-- prints one bare SESSION, the API's general rule is {"statusCode":0,"<resource>":[…]}, the IM
-- sibling writes camelCase. Read, in this order: `smssessions`, `smsSessions`, the one key
-- holding an array of objects, a bare array, a bare SESSION (an object with a string id and
-- no statusCode). Anything else is nil: never "no sessions", which would end every session.

local function objects(v)
  if type(v) ~= "table" then return false end
  local n = #v
  for k, x in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > n or type(x) ~= "table" then return false end
  end
  return true
end

local WRAPPER_KEYS = { "smssessions", "smsSessions" }

local function session_list(j, body)
  if body:match("^%s*%[") then return objects(j) and j or nil end
  local code = j.statusCode
  if code == nil and type(j.id) == "string" then return { j } end
  if code ~= nil and code ~= 0 and code ~= "0" then return nil end -- interpret explains it
  for _, k in ipairs(WRAPPER_KEYS) do
    if objects(j[k]) then return j[k] end
  end
  local found
  for k, v in pairs(j) do
    if k ~= "statusCode" and type(v) == "table" and objects(v) then
      if found then return nil end -- two candidates: which one is the list is a guess
      found = v
    end
  end
  return found
end

--- The sessions the server holds (an array of SESSION), or nil and an error: a "decode" error
-- when the answer is not a session list in any shape we know.
function Http:list_sessions(timeout)
  local path = "/me/smssessions?fields=*"
  local r, err = self:exchange("GET", path, nil, timeout)
  if not r then return nil, err end
  local j = r.json
  if r.status == 200 and type(j) == "table" and transport.is_json(r) then
    local list = session_list(j, r.body or "")
    if list then return list end
  end
  local res
  res, err = self:interpret(r, "GET", path)
  if not res then return nil, err end
  return nil, errors.new("decode", ("GET %s: the answer holds no session list in a shape known"
    .. " (smssessions, smsSessions, one array key, an array, a SESSION): %s"):format(path,
    self:_server_text(r.body)), { http_status = r.status })
end

function Http:messages(id, start_index, count, timeout)
  local path = "/me/smssessions/" .. id .. "/messages"
  if start_index and count then
    path = path .. "?startIndex=" .. start_index .. "&count=" .. count
  elseif start_index then
    path = path .. "?startIndex=" .. start_index
  elseif count then
    path = path .. "?count=" .. count
  end
  local res, err = self:call("GET", path, nil, timeout)
  if not res then return nil, err end
  return res.messages or {}
end

return M
