--- GWS REST calls: one request and what its answer means, the CSRF token (fetched before the
-- first write, renewed with the HTTP session after a 403), the prepared header sets and the
-- URL cache. Knows nothing of sessions or notifications.
local cjson = require "cjson"
local args = require "gws.args"
local errors = require "gws.errors"
local transport = require "gws.transport"

local M = {}

local Http = {}
Http.__index = Http

-- A private instance (nobody else's settings) that raises: every body reaching call is built
-- from checked arguments.
local json = cjson.new()
M.json = json

--- opts: transport, api (base URL ending in /api/v2), username, csrf (bool), timeout
-- (default request timeout), log(level, fmt, ...) or nil.
function M.new(opts)
  return setmetatable({
    transport = opts.transport,
    api = opts.api,
    username = opts.username,
    csrf = opts.csrf,
    timeout = opts.timeout,
    log = opts.log,
    csrf_header = "X-CSRF-TOKEN",
    csrf_value = nil,
    csrf_gen = 0,        -- counts HTTP sessions: a refusal is answered once per session
    header_sets = {},    -- prepared header lists of the current token, by kind of call
    urls = args.cache(256), -- API path -> full URL
    refreshing = false,
    user = nil,          -- what GET /me said about us
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
    self.transport:clear_cookies()
    self.csrf_value = nil
  end
  self.refreshing = true
  local res, err = self:call("GET", "/me", nil, timeout)
  self.refreshing = false
  if forget then self.csrf_gen = self.csrf_gen + 1 end
  if res and type(res.user) == "table" then self.user = res.user end
  return res, err
end

local function snippet(body)
  body = (body or ""):gsub("[%c]", " "):gsub("%s+", " ")
  if #body > 120 then body = body:sub(1, 120) .. "..." end
  return body
end

--- What an answer other than the usual success means: the body, or nil and an error.
function Http:interpret(r, method, path)
  if r.status == 401 then
    return nil, errors.new("http", ("authentication failed for user %q: check the username and password")
      :format(self.username), { http_status = 401, code = 20 })
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
      tostring(answer.statusMessage or errors.status_text[7] or "")) end
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
      tostring(r.headers["content-type"] or "unlabelled"), snippet(r.body)), { http_status = r.status })
  end
  if code then
    return nil, errors.new("status", ("%s: %s"):format(where,
      tostring(j.statusMessage or errors.status_text[code] or "failed")),
      { code = code, http_status = r.status })
  end
  if r.status >= 300 then
    return nil, errors.new("http", ("%s answered HTTP %d: %s"):format(where, r.status, snippet(r.body)),
      { http_status = r.status })
  end
  local ct = tostring(r.headers["content-type"] or "unlabelled")
  local why = r.json_error and (ct .. ", not JSON (" .. r.json_error .. ")") or "JSON without a statusCode"
  return nil, errors.new("decode", ("%s: the answer is %s: %s"):format(where, why, snippet(r.body)),
    { http_status = r.status })
end

--- One REST call: the decoded answer of a success (statusCode 0), or nil and an error.
function Http:call(method, path, body, timeout, retried)
  timeout = timeout or self.timeout
  local modifying = method ~= "GET"
  if modifying and self.csrf and not self.csrf_value then
    local _, err = self:refresh_csrf(timeout, false)
    if err then return nil, err end
  end
  local gen = self.csrf_gen
  local payload = body ~= nil and json.encode(body) or nil
  local log = self.log
  if log then log("debug", "-> %s %s", method, path) end
  local r = self.transport:request { method = method, url = self.urls.map[path] or self:url(path),
    headers = self:_headers(modifying, payload ~= nil), body = payload, timeout = timeout }
  local h = r.headers
  if h and h["x-csrf-token"] then self:_take_csrf(h) end
  if r.err then
    local kind, msg = transport.failure(r)
    if log then log("debug", "<- %s %s failed: %s", method, path, msg) end
    return nil, errors.new(kind, ("%s %s: %s"):format(method, path, msg))
  end
  if log then log("debug", "<- %s %s: HTTP %d", method, path, r.status) end
  local j = r.json
  -- The usual answer, decided here; anything else is interpret's to explain.
  if r.status == 200 and type(j) == "table" and j.statusCode == 0 and transport.is_json(r) then
    return j
  end
  local csrf_refused = r.status == 403 and not (type(j) == "table" and j.statusCode)
  if csrf_refused and modifying and self.csrf and not retried then
    -- The token or the HTTP session is gone. Refresh both once (unless another request just
    -- did) and retry once.
    local _, err = self:refresh_csrf(timeout, true, gen)
    if err then return nil, err end
    return self:call(method, path, body, timeout, true)
  end
  return self:interpret(r, method, path)
end

---------------------------------------------------------------------------------------------
-- The reads the model and resync need (their public forms, with argument checks, are the
-- client's)

function Http:list_sessions(timeout)
  local res, err = self:call("GET", "/me/smssessions?fields=*", nil, timeout)
  if not res then return nil, err end
  return res.smssessions or {}
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
