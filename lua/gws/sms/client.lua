--- The GWS SMS client: configuration, authentication (Basic + cookie + CSRF), every SMS
-- operation generated from gws.sms.operations, notification intake into the session model,
-- resync after an outage, and the ways to drive it (poll, step/pollfd for host loops, run).
local cjson = require "cjson"
local bayeux = require "gws.bayeux"
local emitter = require "gws.emitter"
local errors = require "gws.errors"
local operations = require "gws.sms.operations"
local session_mod = require "gws.sms.session"
local transport = require "gws.transport"

local M = {}

local Client = {}
Client.__index = Client
Client.__name = "gws.sms.Client"
M.Client = Client

local Session = session_mod.Session
local now = transport.now
-- A private instance (nobody else's settings) that raises: every body reaching _call is
-- built from checked arguments, and operation() checks its params with a pcall first.
local json = cjson.new()

M.VERSION = "0.1.0"

local LEVELS = { error = 1, warn = 2, info = 3, debug = 4 }

local DEFAULTS = {
  request_timeout = 10, -- option `timeout` (the name `timeout` is the host-loop method)
  channels = { "sms" },
  topics = { "/v2/me/*" },
  check_capabilities = true,
  csrf = true,
  resync = true,
  max_pending = 10000,
  log_level = "info",
  max_string = operations.max_string,
}

---------------------------------------------------------------------------------------------
-- Argument checks (they raise, naming the argument; nothing has been sent yet)

local function short(v)
  local s = tostring(v)
  if #s > 40 then s = s:sub(1, 40) .. "..." end
  return ("%q"):format(s)
end

local function check_client(self, method)
  if getmetatable(self) ~= Client then
    error(("bad self for %s: call it as client:%s(...) (with a colon)"):format(method, method), 3)
  end
  if self.closed then error("this gws.sms client is closed; create a new one with sms.new{...}", 3) end
end

-- Ids already found valid (a pure check, so sharing it between clients is safe). Bounded:
-- emptied when it reaches MAX_VALID_IDS.
local valid_ids, n_valid_ids, MAX_VALID_IDS = {}, 0, 1024

local function check_id(id, level)
  if valid_ids[id] then return id end
  if getmetatable(id) == Session then return id.id end
  if type(id) ~= "string" then
    error("bad argument 'id': expected a session id string, got " .. type(id), level + 1)
  end
  if id == "" or #id > 128 or not id:match("^[%w_%-]+$") then
    error("bad argument 'id': " .. short(id) ..
      " is not a session id (1 to 128 letters, digits, '-' or '_')", level + 1)
  end
  if n_valid_ids >= MAX_VALID_IDS then valid_ids, n_valid_ids = {}, 0 end
  valid_ids[id], n_valid_ids = true, n_valid_ids + 1
  return id
end

local function check_timeout(t, level, name)
  if t == nil then return nil end
  if type(t) ~= "number" or t ~= t or t <= 0 or t > 86400 then
    error(("bad argument '%s': must be a number of seconds > 0 and <= 86400, got %s"):format(
      name or "timeout", short(t)), level + 1)
  end
  return t
end

local function check_name(v, name, level)
  if type(v) ~= "string" or not v:match("^[%a][%w_%-]*$") or #v > 64 then
    error(("bad argument '%s': expected a name of letters, digits, '-' or '_', got %s"):format(
      name, short(v)), level + 1)
  end
  return v
end

local function check_call_opts(opts, level)
  if opts == nil then return nil end
  if type(opts) ~= "table" then
    error("bad argument 'opts': expected a table like {timeout = 5}, got " .. type(opts), level + 1)
  end
  for k in pairs(opts) do
    if k ~= "timeout" then error("bad argument 'opts': unknown option " .. short(k), level + 1) end
  end
  return check_timeout(opts.timeout, level + 1)
end

---------------------------------------------------------------------------------------------
-- Construction

local function validate_config(opts)
  if type(opts) ~= "table" then errors.arg("opts", "expected a table", 3) end
  if type(opts.url) ~= "string" or not opts.url:match("^https?://[^/]") or opts.url:find("[%c%s]") then
    errors.arg("url", "expected the server's base URL, e.g. \"http://127.0.0.1:8090\"", 3)
  end
  for _, k in ipairs { "username", "password" } do
    if type(opts[k]) ~= "string" or opts[k] == "" or opts[k]:find("%c") then
      errors.arg(k, "expected a non-empty string without control characters", 3)
    end
  end
  if opts.username:find(":", 1, true) then
    errors.arg("username", "must not contain ':' (HTTP Basic cannot carry it)", 3)
  end
  if opts.log ~= nil and type(opts.log) ~= "function" then
    errors.arg("log", "expected a function(level, message)", 3)
  end
  if opts.log_level ~= nil and not LEVELS[opts.log_level] then
    errors.arg("log_level", "expected \"error\", \"warn\", \"info\" or \"debug\"", 3)
  end
  if opts.on_error ~= nil and type(opts.on_error) ~= "function" then
    errors.arg("on_error", "expected a function(err, info)", 3)
  end
  check_timeout(opts.timeout, 3)
  if opts.max_pending ~= nil and (math.type(opts.max_pending) ~= "integer" or opts.max_pending < 1) then
    errors.arg("max_pending", "expected an integer >= 1", 3)
  end
  for _, k in ipairs { "channels", "topics" } do
    local v = opts[k]
    if v ~= nil then
      if type(v) ~= "table" or #v == 0 then errors.arg(k, "expected a non-empty array of strings", 3) end
      for i, c in ipairs(v) do
        if type(c) ~= "string" or c == "" then errors.arg(k .. "[" .. i .. "]", "expected a string", 3) end
      end
    end
  end
end

--- Creates a client. See README.md for every option.
function M.new(opts)
  validate_config(opts)
  local self = setmetatable({}, Client)
  for k, v in pairs(DEFAULTS) do self[k] = v end
  for _, k in ipairs { "channels", "topics", "max_pending", "log_level", "max_string" } do
    if opts[k] ~= nil then self[k] = opts[k] end
  end
  if opts.timeout ~= nil then self.request_timeout = opts.timeout end
  for _, k in ipairs { "check_capabilities", "csrf", "resync" } do
    if opts[k] ~= nil then self[k] = not not opts[k] end
  end
  self.url = opts.url:gsub("/+$", "")
  self.api = self.url .. "/api/v2"
  self.username = opts.username
  self.log = opts.log
  self.csrf_header, self.csrf_value, self.csrf_gen = "X-CSRF-TOKEN", nil, 0
  self._sessions, self._order = {}, {}
  self._refs, self._ref_order = {}, {}
  self._intake_last = {} -- session id -> highest message index queued for dispatch
  self._header_sets = {}
  self._acted_on, self._n_acted_on = {}, 0 -- sessions operated on before the first resync
  self._urls, self._n_urls = {}, 0
  self.closed = false

  self.emitter = emitter.new { on_error = opts.on_error, max_pending = self.max_pending }
  self.transport = transport.new {
    username = opts.username, password = opts.password, ca_file = opts.ca_file,
    insecure = opts.insecure and true or false, max_body = opts.max_body,
    connect_timeout = opts.connect_timeout, user_agent = "gws-sms/" .. M.VERSION,
    on_error = function(e, info) self.emitter.on_error(e, info) end,
  }
  if opts.insecure then
    -- Asked for explicitly, and said once: through log if there is one, else on stderr.
    local msg = "TLS certificate verification is OFF for " .. self.url
      .. " (insecure = true): use it only for testing"
    if self.log then self:_log("warn", "%s", msg) else io.stderr:write("gws-sms: warning: ", msg, "\n") end
  end
  self.bayeux = bayeux.new {
    url = self.api .. "/notifications",
    transport = self.transport,
    emitter = self.emitter,
    headers = function() return self:_bayeux_headers() end,
    timeout = self.request_timeout,
    poll_margin = opts.poll_margin,
    backoff_base = opts.backoff_base,
    backoff_cap = opts.backoff_cap,
    max_attempts = opts.max_attempts,
    give_up_after = opts.give_up_after,
    on_forbidden = function() self:_refresh_csrf(self.request_timeout, true, self._bayeux_gen) end,
    on_handshake = function(first) self:_on_handshake(first) end,
    on_receive = function(msg) self:_intake(msg) end,
    log = self.log and function(level, msg) self:_log(level, "%s", msg) end,
  }
  return self
end

function Client:_log(level, fmt, ...)
  if self.log and LEVELS[level] <= LEVELS[self.log_level] then
    local ok, msg = pcall(string.format, fmt, ...)
    self.emitter:call("log", self.log, level, ok and msg or fmt)
  end
end

---------------------------------------------------------------------------------------------
-- HTTP: one request, CSRF, interpretation of GWS answers

-- Prepared header lists (gws.core eng:headers, rendered once in C) for the REST calls, by
-- kind of call; remade when the CSRF token changes. A table per request cost about 5 000
-- instructions more (bench/README.md, B1).
function Client:_request_headers(modifying, has_body)
  local token = modifying and self.csrf and self.csrf_value or false
  local sets = self._header_sets
  if sets.token ~= token or sets.name ~= self.csrf_header then
    sets = { token = token, name = self.csrf_header }
    self._header_sets = sets
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

-- Full URLs of API paths, kept (up to MAX_URLS) so the same call does not build the same
-- long string again each time.
local MAX_URLS = 256

function Client:_url(path)
  local urls = self._urls
  local url = urls[path]
  if url then return url end
  if self._n_urls >= MAX_URLS then
    urls = {}
    self._urls, self._n_urls = urls, 0
  end
  url = self.api .. path
  urls[path], self._n_urls = url, self._n_urls + 1
  return url
end

function Client:_csrf_headers()
  if self.csrf and self.csrf_value then return { [self.csrf_header] = self.csrf_value } end
  return {}
end

-- Headers of each Bayeux request; remembers which HTTP session it was sent with.
function Client:_bayeux_headers()
  self._bayeux_gen = self.csrf_gen
  return self:_csrf_headers()
end

function Client:_take_csrf(headers)
  if not headers then return end
  local name, value = headers["x-csrf-header"], headers["x-csrf-token"]
  if value == self.csrf_value and name == self.csrf_header then return end
  if name and value and name:match("^[%w%-_]+$") then
    self.csrf_header, self.csrf_value = name, value
  end
end

--- Gets a CSRF token (GET /me, which also checks the credentials). With `forget`, the HTTP
-- session is dropped first, so cookie and token are refreshed together. `sent_gen` is the
-- csrf_gen of the request that was refused: if a refresh finished since it was sent, or one
-- is running now, that one serves (two refreshes would invalidate each other's cookie).
function Client:_refresh_csrf(timeout, forget, sent_gen)
  timeout = timeout or self.request_timeout
  -- One fetch at a time: concurrent first writes (tasks under run()) would each open an HTTP
  -- session of their own, and the last cookie would not match the others' tokens.
  if self._refreshing then
    self.transport:wait_until(function() return not self._refreshing end, timeout)
    if self.csrf_value then return true end
  end
  if forget then
    if sent_gen and sent_gen ~= self.csrf_gen then return true end
    self:_log("info", "refreshing the HTTP session (cookie and CSRF token)")
    self.transport:clear_cookies()
    self.csrf_value = nil
  end
  self._refreshing = true
  local res, err = self:_call("GET", "/me", nil, timeout)
  self._refreshing = false
  if forget then self.csrf_gen = self.csrf_gen + 1 end
  if res and type(res.user) == "table" then self.user = res.user end
  return res, err
end

local function snippet(body)
  body = (body or ""):gsub("[%c]", " "):gsub("%s+", " ")
  if #body > 120 then body = body:sub(1, 120) .. "..." end
  return body
end

function Client:_interpret(r, method, path)
  if r.status == 401 then
    return nil, errors.new("http", ("authentication failed for user %q: check the username and password")
      :format(self.username), { http_status = 401, code = 20 })
  end
  local j = r.json
  local labelled = j == nil or transport.is_json(r)
  local code = labelled and type(j) == "table" and type(j.statusCode) == "number"
    and math.tointeger(j.statusCode)
  if code == 0 then return j end
  -- Failures only from here on, so only they pay for building messages.
  local where = method .. " " .. path
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

function Client:_call(method, path, body, timeout, retried)
  timeout = timeout or self.request_timeout
  local modifying = method ~= "GET"
  if modifying and self.csrf and not self.csrf_value then
    local _, err = self:_refresh_csrf(timeout, false)
    if err then return nil, err end
  end
  local gen = self.csrf_gen
  local payload = body ~= nil and json.encode(body) or nil
  local log = self.log
  if log then self:_log("debug", "-> %s %s", method, path) end
  local r = self.transport:request { method = method, url = self._urls[path] or self:_url(path),
    headers = self:_request_headers(modifying, payload ~= nil), body = payload, timeout = timeout }
  local h = r.headers
  if h and h["x-csrf-token"] then self:_take_csrf(h) end
  if r.err then
    local kind, msg = transport.failure(r)
    self:_log("debug", "<- %s %s failed: %s", method, path, msg)
    return nil, errors.new(kind, ("%s %s: %s"):format(method, path, msg))
  end
  if log then self:_log("debug", "<- %s %s: HTTP %d", method, path, r.status) end
  local j = r.json
  -- The usual answer, decided here; anything else is _interpret's to explain.
  if r.status == 200 and type(j) == "table" and j.statusCode == 0 and transport.is_json(r) then
    return j
  end
  local csrf_refused = r.status == 403 and not (type(r.json) == "table" and r.json.statusCode)
  if csrf_refused and modifying and self.csrf and not retried then
    -- The token or the HTTP session is gone. Refresh both once (unless another request just
    -- did) and retry once.
    local _, err = self:_refresh_csrf(timeout, true, gen)
    if err then return nil, err end
    return self:_call(method, path, body, timeout, true)
  end
  return self:_interpret(r, method, path)
end

---------------------------------------------------------------------------------------------
-- Notifications: intake into the model, then user callbacks

local function session_id_of(data)
  local s = data.smssession or data.smsession
  if type(s) == "table" and type(s.id) == "string" then return s.id, s end
  local uri = data.smssessionUri or data.smsessionUri or data.smssessionPath or data.smsessionPath
  -- Anchored patterns: an unanchored "([^/]+)/*$" retries from every position (3.7 us a call).
  if type(uri) == "string" then return uri:match("^.*/([^/]+)/*$") or uri:match("^([^/]+)/*$"), nil end
end

function Client:_session_for(id)
  local s = self._sessions[id]
  if not s then
    s = session_mod.new(self, id)
    self._sessions[id] = s
    self._order[#self._order + 1] = s
  end
  return s
end

local MAX_REFS = 1000

function Client:_remember_reference(data)
  local ref = data.referenceId
  if self._refs[ref] ~= nil then return end
  self._refs[ref] = data
  local order = self._ref_order
  order[#order + 1] = ref
  if #order > MAX_REFS then self._refs[table.remove(order, 1)] = nil end
end

--- Runs at dispatch for every notification (live or from resync): model first, then callbacks.
function Client:_on_notification(data)
  if type(data) ~= "table" then return end
  local id, ss = session_id_of(data)
  local sess, derived = nil, {}
  if id then
    sess = self:_session_for(id)
    if ss then
      derived = sess:apply(ss, data.notificationType)
    end
    if type(data.messages) == "table" then
      for _, m in ipairs(sess:add_messages(data.messages)) do
        derived[#derived + 1] = { "message", m, sess }
      end
    end
  end
  if data.referenceId ~= nil then self:_remember_reference(data) end
  local em = self.emitter
  if type(data.notificationType) == "string" then em:fire(data.notificationType, data, sess or id) end
  em:fire("*", data, sess or id)
  for _, ev in ipairs(derived) do
    em:fire(ev[1], table.unpack(ev, 2, 4))
  end
end

function Client:_note_intake(id, messages)
  local hi = self._intake_last[id] or 0
  for _, m in ipairs(messages) do
    local i = type(m) == "table" and type(m.index) == "number" and math.tointeger(m.index)
    if i and i > hi then hi = i end
  end
  self._intake_last[id] = hi
end

--- Runs in the poller for each event message before it is queued. A NewMessages whose first
-- index skips past the last one seen means events were lost in transit (or the server skips
-- numbers): fetch the gap first and queue it ahead, so the transcript stays whole and in order.
function Client:_intake(msg)
  local data = msg.data
  if type(data) ~= "table" or type(data.messages) ~= "table" then return end
  local id = session_id_of(data)
  if not id then return end
  local lo
  for _, m in ipairs(data.messages) do
    local i = type(m) == "table" and type(m.index) == "number" and math.tointeger(m.index)
    if i and (lo == nil or i < lo) then lo = i end
  end
  local seen = self._intake_last[id] or 0
  if lo and lo > seen + 1 then
    self:_log("info", "session %s: messages %d..%d missing; fetching them", id, seen + 1, lo - 1)
    local missed, err = self:messages(id, { start_index = seen + 1, count = lo - seen - 1 })
    if missed and #missed > 0 then
      self:_note_intake(id, missed)
      self.emitter:push(self._on_notification, self, { messageType = "MessageLogUpdated",
        notificationType = "NewMessages", messages = missed, smssessionUri = data.smssessionUri,
        resynced = true })
    elseif not missed then
      self:_log("warn", "session %s: could not fetch missing messages: %s", id, tostring(err))
    end
  end
  self:_note_intake(id, data.messages)
end

--- Resync after a re-handshake: what happened while we were away becomes the same events a
-- live connection would have delivered; the model's per-index dedupe keeps each message once.
function Client:_on_handshake(first)
  if not self.resync then return end
  self:_log(first and "debug" or "info", "resyncing sessions after %s handshake",
    first and "the first" or "a new")
  self.transport:spawn("resync", self._resync, self, first)
end

--- On the first handshake, what the server already holds is history, not news: the sessions
-- and their transcripts go into the model without "message" or "state" events (a pending
-- offer still says "invited": it is waiting for an answer).
function Client:_adopt(s, msgs)
  local sess = self:_session_for(s.id)
  local derived = sess:apply(s, "ParticipantsUpdated")
  sess:add_messages(msgs or {})
  if s.state == "Invited" then
    for _, ev in ipairs(derived) do
      if ev[1] == "invited" then self.emitter:fire("invited", sess) end
    end
  end
end

function Client:_resync(first)
  local list, err = self:list_sessions()
  if not list then
    self:_log("warn", "resync failed: %s", tostring(err))
    self.bayeux:_event("resync_failed", { error = err })
    return
  end
  local push = function(data) self.emitter:push(self._on_notification, self, data) end
  local listed, changed = {}, 0
  for _, s in ipairs(list) do
    if type(s) == "table" and type(s.id) == "string" then
      listed[s.id] = true
      local known = self._sessions[s.id]
      local final = session_mod.FINAL[s.state]
      -- A session that ended before we ever heard of it is history, not news.
      if final and not known then goto continue end
      -- Sessions this client has acted on are news even if no notification came yet: a
      -- session offered and accepted while the first resync's list was on its way must not
      -- have its first messages swallowed as history.
      if first and not known and not self._acted_on[s.id] then
        local msgs = s.state ~= "Invited" and self:messages(s.id) or {}
        self:_note_intake(s.id, msgs)
        self.emitter:push(function() self:_adopt(s, msgs) end)
        goto continue
      end
      local status = { messageType = "SMSsessionStateChangeMessage", notificationType = "StatusChange",
                       smssession = s, resynced = true }
      local state_differs = not known or known.state ~= s.state
      if state_differs and not final then push(status) end
      if s.state ~= "Invited" and s.state ~= "Revoked" and (not final or known) then
        local msgs = self:messages(s.id, { start_index = (known and known.last_index or 0) + 1 })
        if msgs and #msgs > 0 then
          self:_note_intake(s.id, msgs)
          changed = changed + 1
          push { messageType = "MessageLogUpdated", notificationType = "NewMessages", messages = msgs,
                 smssessionUri = s.uri, resynced = true }
        end
      end
      if state_differs and final then push(status) end
      if state_differs then changed = changed + 1 end
    end
    ::continue::
  end
  for _, s in ipairs(self._order) do
    if not listed[s.id] and not s.ended then
      changed = changed + 1
      self.emitter:push(function()
        if s.ended then return end
        s.ended, s.gone = true, true
        self.emitter:fire("ended", s)
      end)
    end
  end
  if first then self._resynced, self._acted_on = true, {} end
  self:_log("info", "resync: %d session(s) listed, %d changed", #list, changed)
  self.bayeux:_event("resynced", { sessions = #list, changed = changed })
end

---------------------------------------------------------------------------------------------
-- Public API: events

--- Registers fn for an event; returns fn (pass it to off). Events: a notificationType
-- ("StatusChange", "ParticipantsUpdated", "PropertiesUpdated", "NewMessages", "Error"), "*",
-- "invited", "message", "state", "ended", "connected", "disconnected", "reconnecting",
-- "gave_up", "handshake", "resynced", "backpressure".
function Client:on(event, fn)
  check_client(self, "on")
  if type(event) ~= "string" or event == "" then errors.arg("event", "expected an event name string", 2) end
  if type(fn) ~= "function" then errors.arg("fn", "expected a function", 2) end
  return self.emitter:on(event, fn)
end

function Client:off(event, fn)
  check_client(self, "off")
  return self.emitter:off(event, fn)
end

--- Sets the handler for errors raised in callbacks: fn(err, info) with info.event and
-- info.traceback. The default writes to stderr.
function Client:on_error(fn)
  check_client(self, "on_error")
  if type(fn) ~= "function" then errors.arg("fn", "expected a function(err, info)", 2) end
  self.emitter.on_error = fn
end

---------------------------------------------------------------------------------------------
-- Public API: agent session

--- Connects notifications (handshake + subscribe) and then starts the contact-center session.
function Client:start_session(opts)
  check_client(self, "start_session")
  if opts ~= nil and type(opts) ~= "table" then errors.arg("opts", "expected a table", 2) end
  opts = opts or {}
  local timeout = check_timeout(opts.timeout, 2)
  local channels = opts.channels or self.channels
  if type(channels) ~= "table" or #channels == 0 then
    errors.arg("channels", "expected a non-empty array of channel names", 2)
  end
  for i, c in ipairs(channels) do check_name(c, "channels[" .. i .. "]", 2) end
  if opts.place ~= nil and type(opts.place) ~= "string" then errors.arg("place", "expected a string", 2) end
  local ok, err = self:connect(timeout)
  if not ok then return nil, err end
  return self:_call("POST", "/me", { operationName = "StartContactCenterSession",
    channels = channels, place = opts.place }, timeout)
end

--- Connects the notification channel only (GET /me for the CSRF token, then handshake and
-- subscribe to every topic). start_session calls it; call it alone to listen without
-- starting a contact-center session.
function Client:connect(timeout)
  check_client(self, "connect")
  timeout = check_timeout(timeout, 2) or self.request_timeout
  if self.bayeux.state == "connected" then return true end
  -- GET /me first: it checks the credentials (a clear error now rather than a Bayeux 401
  -- later) and brings the CSRF token the Bayeux POSTs need.
  local _, err = self:_refresh_csrf(timeout, false)
  if err then return nil, err end
  for _, topic in ipairs(self.topics) do
    if not self._subscribed then
      self.bayeux:subscribe(topic, function(data) self:_on_notification(data) end, { sync = true,
        timeout = timeout })
    end
  end
  self._subscribed = true
  return self.bayeux:connect(timeout)
end

function Client:end_session(opts)
  check_client(self, "end_session")
  local timeout = check_call_opts(opts, 2)
  self.bayeux:disconnect(timeout)
  local res, err = self:_call("POST", "/me", { operationName = "EndContactCenterSession" }, timeout)
  self.csrf_value = nil -- the server drops the HTTP session with it
  return res, err
end

local function channel_op(name, op)
  Client[name] = function(self, channel, opts)
    check_client(self, name)
    channel = channel == nil and "sms" or check_name(channel, "channel", 2)
    local timeout = check_call_opts(opts, 2)
    return self:_call("POST", "/me/channels/" .. channel, { operationName = op }, timeout)
  end
end
channel_op("ready", "Ready")
channel_op("not_ready", "NotReady")

--- The URI of a user, as Transfer/Invite/Consult want it: client:user_uri("agent2").
function Client:user_uri(user_id)
  check_client(self, "user_uri")
  check_name(user_id, "user_id", 2)
  return self.api .. "/users/" .. user_id
end

---------------------------------------------------------------------------------------------
-- Public API: reads

function Client:list_sessions(opts)
  check_client(self, "list_sessions")
  local timeout = check_call_opts(opts, 2)
  local res, err = self:_call("GET", "/me/smssessions?fields=*", nil, timeout)
  if not res then return nil, err end
  return res.smssessions or {}
end

function Client:get_session(id, opts)
  check_client(self, "get_session")
  id = check_id(id, 2)
  local timeout = check_call_opts(opts, 2)
  local res, err = self:_call("GET", "/me/smssessions/" .. id, nil, timeout)
  if not res then return nil, err end
  return res.smssession or res.smsession
end

function Client:messages(id, opts)
  check_client(self, "messages")
  id = check_id(id, 2)
  if opts ~= nil and type(opts) ~= "table" then errors.arg("opts", "expected a table", 2) end
  opts = opts or {}
  local q = {}
  for _, k in ipairs { "start_index", "count" } do
    local v = opts[k]
    if v ~= nil then
      if math.type(v) ~= "integer" or v < 0 then errors.arg(k, "expected an integer >= 0", 2) end
      q[#q + 1] = (k == "start_index" and "startIndex=" or "count=") .. v
    end
  end
  local timeout = check_timeout(opts.timeout, 2)
  local path = "/me/smssessions/" .. id .. "/messages" .. (#q > 0 and "?" .. table.concat(q, "&") or "")
  local res, err = self:_call("GET", path, nil, timeout)
  if not res then return nil, err end
  return res.messages or {}
end

--- The live Session object for an id (nil if the client never heard of it).
function Client:session(id)
  check_client(self, "session")
  return self._sessions[check_id(id, 2)]
end

--- Every Session the client knows, in the order it first heard of them.
function Client:sessions()
  check_client(self, "sessions")
  return table.move(self._order, 1, #self._order, 1, {})
end

---------------------------------------------------------------------------------------------
-- Public API: SMS operations, generated from the operations table

function Client:_operation(id, entry, body, timeout)
  local sess = self._sessions[id]
  if not sess and not self._resynced and not self._acted_on[id] then
    -- Only the first resync reads it; bounded for a client that never connects.
    if self._n_acted_on >= 1024 then self._acted_on, self._n_acted_on = {}, 0 end
    self._acted_on[id], self._n_acted_on = true, self._n_acted_on + 1
  end
  if self.check_capabilities and sess and not sess:can(entry.op) then
    return nil, errors.new("capability", ("%s is not allowed for session %s in state %s (allowed: %s);"
      .. " the request was not sent (check_capabilities = false sends it anyway)"):format(
      entry.op, id, tostring(sess.state), table.concat(sess.capabilities, ", ")),
      { operation = entry.op, state = sess.state })
  end
  return self:_call("POST", "/me/smssessions/" .. id, body, timeout)
end

local string_problem = operations.string_problem

for _, entry in ipairs(operations.list) do
  local name, op, wire = entry.name, entry.op, entry.string_positional
  Client[name] = function(self, id, arg, opts)
    if getmetatable(self) ~= Client or self.closed then check_client(self, name) end
    id = check_id(id, 2)
    local timeout = opts ~= nil and check_call_opts(opts, 2) or nil
    local body
    if wire and type(arg) == "string" then
      -- The common case, send_message(id, "text"), without operations.build's generality.
      local why = string_problem(arg, self.max_string)
      if why then error("bad argument '" .. wire .. "': " .. why, 2) end
      body = { operationName = op, [wire] = arg }
    else
      local ok
      ok, body = pcall(operations.build, entry, arg, self.max_string)
      if not ok then error(body, 2) end
    end
    return self:_operation(id, entry, body, timeout)
  end
  Session[name] = function(self, ...)
    return self.client[name](self.client, self.id, ...)
  end
end

--- Sends any operation, documented or not: client:operation(id, "SetInFocus", {…}).
-- No capability check and no parameter check beyond "it must encode as JSON".
function Client:operation(id, op, params, opts)
  check_client(self, "operation")
  id = check_id(id, 2)
  if type(op) ~= "string" or not op:match("^%a%w*$") or #op > 64 then
    errors.arg("operation", "expected an operationName like \"SetInFocus\", got " .. short(op), 2)
  end
  if params ~= nil and type(params) ~= "table" then errors.arg("params", "expected a table", 2) end
  local timeout = check_call_opts(opts, 2)
  local body = { operationName = op }
  for k, v in pairs(params or {}) do
    if type(k) ~= "string" then errors.arg("params", "keys must be strings", 2) end
    if k ~= "operationName" then body[k] = v end
  end
  local ok, payload_err = pcall(json.encode, body)
  if not ok then errors.arg("params", "cannot be sent as JSON: " .. tostring(payload_err), 2) end
  return self:_call("POST", "/me/smssessions/" .. id, body, timeout)
end

---------------------------------------------------------------------------------------------
-- Waiting and driving

function Client:_wait(pred, timeout, what)
  timeout = timeout or self.request_timeout
  local deadline = now() + timeout
  while true do
    local v = pred()
    if v then return v end
    local left = deadline - now()
    if left <= 0 or self.closed then
      return nil, errors.new("timeout", ("%s within %g s"):format(what, timeout))
    end
    if self.transport:in_task() then
      self.transport:sleep(math.min(0.01, left))
    else
      self:poll(left)
    end
  end
end

function Client:_wait_session(sess, what, timeout)
  check_timeout(timeout, 3)
  local pred, desc
  if type(what) == "string" then
    pred = function() return sess.state == what and sess end
    desc = ("session %s did not reach state %s (it is %s)"):format(sess.id, what, tostring(sess.state))
  elseif type(what) == "function" then
    pred = function() return what(sess) and sess end
    desc = ("session %s did not satisfy the condition"):format(sess.id)
  else
    error("bad argument 'what': expected a state name or a function(session)", 3)
  end
  return self:_wait(pred, timeout, desc)
end

--- Waits for the notification that carries `ref` (a referenceId from an operation's answer).
function Client:wait_reference(ref, timeout)
  check_client(self, "wait_reference")
  if type(ref) ~= "number" or not math.tointeger(ref) then
    errors.arg("ref", "expected an integer referenceId", 2)
  end
  check_timeout(timeout, 2)
  return self:_wait(function() return self._refs[ref] end, timeout,
    ("no notification carried referenceId %d"):format(ref))
end

--- Waits up to `timeout` seconds (default 0) for notifications, runs their callbacks, and
-- returns how many notifications and connection events were handled.
function Client:poll(timeout)
  check_client(self, "poll")
  if timeout == nil then timeout = 0 end
  if type(timeout) ~= "number" or timeout ~= timeout or timeout < 0 or timeout > 86400 then
    errors.arg("timeout", "must be a number of seconds >= 0 and <= 86400, got " .. short(timeout), 2)
  end
  return self.bayeux:poll(timeout)
end

--- One round for a host event loop: handle network activity without waiting (or up to
-- `timeout` s) and run due callbacks. Pair it with pollfd(), events() and timeout().
function Client:step(timeout)
  check_client(self, "step")
  if timeout ~= nil and (type(timeout) ~= "number" or timeout ~= timeout or timeout < 0) then
    errors.arg("timeout", "must be a number >= 0", 2)
  end
  return self.bayeux:step(timeout)
end

function Client:pollfd() check_client(self, "pollfd"); return self.transport:pollfd() end
function Client:events() check_client(self, "events"); return self.transport:events() end
function Client:timeout() check_client(self, "timeout"); return self.bayeux:timeout() end

--- Runs until stop(): every callback in its own coroutine, where operations yield instead of
-- blocking. With fn, runs fn(client) as the first task (e.g. to start the session).
function Client:run(fn)
  check_client(self, "run")
  if fn ~= nil and type(fn) ~= "function" then errors.arg("fn", "expected a function", 2) end
  if self._running then error("run() is already running", 2) end
  self._running, self._stop = true, false
  self.emitter.spawn = function(name, f, ...) self.transport:spawn(name, f, ...) end
  if fn then self.transport:spawn("run", fn, self) end
  while not self._stop and not self.closed do
    self.transport:pump(self.emitter:pending() > 0 and 0 or 0.5)
    self.emitter:dispatch()
  end
  self.emitter.spawn = nil
  self._running = false
  return true
end

function Client:stop()
  self._stop = true
end

--- How many notifications and events are waiting for dispatch (see max_pending).
function Client:pending()
  check_client(self, "pending")
  return self.emitter:pending()
end

--- Waits `seconds`: yields inside client:run() callbacks (others keep running), otherwise
-- keeps the client's network going while it waits (no callbacks run).
function Client:sleep(seconds)
  check_client(self, "sleep")
  check_timeout(seconds, 2, "seconds")
  self.transport:sleep(seconds)
end

--- Stops notifications, tells the server (best effort, within a second) and frees the
-- connections. Idempotent; also runs on garbage collection and at the end of a <close> scope.
function Client:close()
  if self.closed then return end
  self._stop = true
  if self.bayeux then pcall(self.bayeux.disconnect, self.bayeux, 1) end
  self.closed = true
  self.transport:close()
end

Client.__close = function(self) self:close() end
Client.__gc = function(self)
  -- No network from a finalizer: just release the engine.
  if not self.closed and self.transport then
    self.closed = true
    self.transport:close()
  end
end

return M
