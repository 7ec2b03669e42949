--- The GWS SMS client: the public API. It checks arguments and wires the pieces together:
-- gws.sms.http (REST, CSRF), gws.sms.model (sessions, intake, operations), gws.sms.resync
-- (after a handshake), gws.bayeux (notifications) and gws.transport (the engine and the ways
-- to drive it: poll, step/pollfd for host loops, run).
-- @module gws.sms.client
local args = require "gws.args"
local bayeux = require "gws.bayeux"
local agent = require "gws.sms.agent"
local config = require "gws.sms.config"
local driving = require "gws.sms.driving"
local emitter = require "gws.emitter"
local events = require "gws.sms.events"
local http_mod = require "gws.sms.http"
local model_mod = require "gws.sms.model"
local names = require "gws.names"
local operations = require "gws.sms.operations"
local reads = require "gws.sms.reads"
local resync = require "gws.sms.resync"
local scrub = require "gws.scrub"
local transport = require "gws.transport"
local version = require "gws.version"

local M = {}

local Client = {}
Client.__index = Client
Client.__name = "gws.sms.Client"
M.Client = Client

M.VERSION = version.VERSION
-- The event names `on` takes and their check (the reference of the events: gws.sms.events).
M.EVENTS, M.check_event = events.EVENTS, events.check_event

local fail, call_opts = args.fail, args.call_opts

local LEVELS = config.LEVELS

local function check_client(self, method)
  if getmetatable(self) ~= Client then
    error(("bad self for %s: call it as client:%s(...) (with a colon)"):format(method, method), 3)
  end
  if self.closed then error("this gws.sms client is closed; create a new one with sms.new{...}", 3) end
end

-- Channel name -> one of the topics covers it, per topics list: the clients with the same list
-- (the default one, usually) share one cache rather than each holding its own (B7). Keyed by
-- the list's contents, not the table: a caller may reuse and change one table between clients.
local topic_caches = args.cache(16)
local function topic_hits_of(topics)
  local key = table.concat(topics, "\0")
  return topic_caches:get(key) or topic_caches:put(key, args.cache(64))
end

--- The log when none is given: "gws-sms: warn: …" lines on stderr.
function M.stderr_log(level, message)
  io.stderr:write("gws-sms: ", level, ": ", message, "\n")
end

--- Creates a client. See README.md for every option.
-- @tparam table opts the options below; an unknown name raises, naming the closest known one
-- @tparam string opts.url the server's base URL, e.g. `"http://gws.example:8090"` (the API is
-- under `/api/v2`; a url that already ends in `/api/v2` is taken without it)
-- @tparam string opts.username the agent's user name (HTTP Basic)
-- @tparam string opts.password the password; kept in C memory only, never readable from
-- Lua nor in any log line or error
-- @tparam[opt=10] number opts.timeout seconds for every request that is not a long poll
-- @tparam[opt={"sms"}] {string,...} opts.channels channels for `start_session`
-- @tparam[opt={"/v2/me/*"}] {string,...} opts.topics Bayeux subscriptions
-- @tparam[opt=false] boolean opts.check_capabilities `true` refuses locally (err.kind "capability")
-- an operation the session's latest capabilities do not name; by default the server decides
-- @tparam[opt=true] boolean opts.csrf fetch and send the CSRF token
-- @tparam[opt=true] boolean opts.resync after each (re-)handshake, reload sessions and missed messages
-- @tparam[opt=10000] integer opts.max_pending notifications waiting for dispatch before the long poll pauses
-- @tparam[opt] function opts.on_error `function(err, info)` for errors raised in callbacks
-- (default: stderr with a traceback); see `Client:on_error`
-- @tparam[opt] function opts.log `function(level, message)`; without it, lines go to stderr
-- ("gws-sms: warn: …") at `log_level` "warn": a lost connection, each retry, giving up, the way back
-- @tparam[opt] string opts.log_level "error", "warn", "info" or "debug" (default "info" with
-- a `log`, "warn" for the stderr log)
-- @tparam[opt] string opts.ca_file PEM file of CA certificates for https (default: the system's)
-- @tparam[opt=false] boolean opts.insecure `true` turns certificate checks off (warns once)
-- @tparam[opt=16777216] integer opts.max_body bytes; larger answers fail with err.kind "too_large"
-- @tparam[opt=10] number opts.connect_timeout seconds to establish a connection
-- @tparam[opt=10] number opts.poll_margin seconds the long poll may exceed the server's advice.timeout
-- @tparam[opt=0.5] number opts.backoff_base first reconnect delay, doubled per attempt (with jitter)
-- @tparam[opt=30] number opts.backoff_cap the longest reconnect delay
-- @tparam[opt] integer opts.max_attempts give up (event "gave_up") after that many failed attempts
-- @tparam[opt] number opts.give_up_after give up after failing for that many seconds
-- @tparam[opt=65536] integer opts.max_string bytes allowed in one string parameter
-- @tparam[opt] string opts.proxy proxy URL, `"http://user:password@proxy:3128"` (any scheme
-- libcurl knows, e.g. `socks5h://`), or `""` for none whatever the environment says; without
-- it libcurl honours `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy`. Its credentials
-- are kept like the password: in C memory, wiped at close, never in a log line or error
-- @tparam[opt] string opts.noproxy hosts reached directly, `"localhost,.example.com"` (`"*"`: all)
-- @tparam[opt=100] integer opts.keep_ended ended sessions the client keeps in memory (oldest
-- forgotten first)
-- @tparam[opt="Invited"] string opts.offer_state the state an offered session is in (inferred:
-- no SMS page shows an offer); a session entering it fires `"invited"`
-- @tparam[opt="/notifications"] string opts.notifications the Bayeux endpoint: a path under
-- `/api/v2`, or a full `http(s)://` URL (inferred from the vendor's CometD page)
-- @tparam[opt] Loop opts.loop a loop made by `gws.sms.loop`, shared with other clients (one
-- engine, one fd, one connection pool; this client's credentials and cookies stay its own).
-- The engine options (ca_file, insecure, max_body, connect_timeout, proxy, noproxy) are then
-- the loop's. Without it the client has a loop of its own
-- @treturn Client a client; nothing is sent until a method needs the server
-- @raise "bad argument 'NAME': …" for a wrong option, "sms.new: unknown option 'timout' (did
-- you mean 'timeout'?)" for an unknown one
function M.new(opts)
  config.check(opts)
  local self = config.apply(setmetatable({}, Client), opts)
  -- The base URL; one that already names the API ("…/api/v2", as GWS's own pages print it)
  -- means the same server, so it is taken without the suffix rather than doubled.
  self.url = opts.url:gsub("/+$", ""):gsub("/api/v2$", "")
  self.api = self.url .. "/api/v2"
  self.username = opts.username
  -- Without a log function, what a user must hear of goes to stderr: warnings and errors
  -- (a lost connection, each retry, giving up, the way back), one line per change of state.
  self.log = opts.log or M.stderr_log
  if opts.log == nil and opts.log_level == nil then self.log_level = "warn" end
  self.closed = false
  local log = self.log and function(level, fmt, ...) self:_log(level, fmt, ...) end

  self.emitter = emitter.new { on_error = opts.on_error, max_pending = self.max_pending }
  self.transport = transport.new {
    username = opts.username, password = opts.password, ca_file = opts.ca_file,
    insecure = opts.insecure and true or false, max_body = opts.max_body,
    connect_timeout = opts.connect_timeout, user_agent = version.user_agent,
    proxy = opts.proxy, noproxy = opts.noproxy,
    read_headers_only = true, -- its results are ours alone: only the headers http/bayeux read
    on_error = function(e, info) self.emitter.on_error(e, info) end, queue = self.emitter,
    loop = opts.loop, closing = function() self:close() end, -- loop: one engine, many clients
  }
  -- Every callback runs as a task, whichever way the client is driven (see gws.emitter).
  self.emitter.runner = self.transport
  if opts.insecure or (opts.loop and opts.loop.insecure) then
    -- Asked for explicitly, and said once: through log (stderr unless one was given).
    self:_log("warn", "TLS certificate verification is OFF for %s (insecure = true): use it only"
      .. " for testing", self.url)
  end
  self.http = http_mod.new { transport = self.transport, api = self.api, username = opts.username,
    csrf = self.csrf, timeout = self.request_timeout, log = log,
    log_debug = log ~= nil and LEVELS.debug <= LEVELS[self.log_level],
    scrub = scrub.new { username = opts.username, password = opts.password } }
  self.model = model_mod.new { http = self.http, emitter = self.emitter, transport = self.transport,
    check_capabilities = self.check_capabilities, max_string = self.max_string,
    timeout = self.request_timeout, keep_ended = self.keep_ended, offer_state = self.offer_state,
    log = log }
  local topics = self.topics
  local topic_hits = topic_hits_of(topics)
  local function ours(channel)
    local hit = topic_hits.map[channel]
    if hit == nil then
      hit = false
      for _, t in ipairs(topics) do hit = hit or bayeux.channel_matches(t, channel) end
      topic_hits:put(channel, hit)
    end
    return hit
  end
  self.bayeux = bayeux.new {
    url = self.notifications:match("^https?://") and self.notifications or self.api .. self.notifications,
    transport = self.transport,
    emitter = self.emitter,
    headers = function() return self.http:bayeux_headers() end,
    timeout = self.request_timeout,
    poll_margin = opts.poll_margin,
    backoff_base = opts.backoff_base,
    backoff_cap = opts.backoff_cap,
    max_attempts = opts.max_attempts,
    give_up_after = opts.give_up_after,
    log = self.log and function(level, msg) self:_log(level, "%s", msg) end,
    intake = function(msg)
      local channel = msg.channel
      if channel == "/meta/handshake" then
        self:_on_handshake(msg.count == 1)
      elseif channel == "/meta/connect" then
        -- Back with the same client id: what the failed long poll carried may be lost.
        if self.resync then self.repairer:want_list(false) end
      elseif channel == "/meta/unsuccessful" then
        return self:_on_poll_failure(msg)
      elseif ours(channel) then
        return self.model:intake(msg.data)
      end
    end,
  }
  local b = self.bayeux
  self.repairer = resync.new(self.model, self.http, function(attempt)
    return bayeux.backoff_delay(attempt, b.backoff_base, b.backoff_cap)
  end, function() -- long polls answered so far; a new handshake counts as many
    return b.handshakes * (1 << 32) + b.polls_since_handshake
  end)
  return self
end

-- The cookie jar is bounded in gws.core (oldest dropped); a server that sets ever new cookies
-- is worth a log line. Checked at each handshake and failure, not per request.
function Client:_check_cookies()
  local tr = self.transport
  local jar = tr.jar or (tr.eng and tr.eng.cookies and tr.eng:cookies())
  if not jar then return end
  local count, _, dropped = jar:stats()
  if dropped and dropped > (self._cookies_dropped or 0) then
    self:_log("warn", "cookie jar full: %d cookie(s) dropped so far, oldest first (%d kept); the server"
      .. " sets ever new cookies", dropped, count)
    self._cookies_dropped = dropped
  end
end

-- In the poller, after any failed Bayeux request. Returns an error to stop the poller.
function Client:_on_poll_failure(msg)
  self:_check_cookies()
  local status = msg.http_status
  if status == 403 then
    -- The server forgot our HTTP session: renew cookie and token before the handshake.
    self.http:refresh_csrf(nil, true, self.http.bayeux_gen)
  elseif status == 401 then
    -- The credentials were good at the start. One fresh GET /me says whether they still are;
    -- never loop on 401.
    local _, err = self.http:refresh_csrf(nil, false)
    if err and err.http_status == 401 then
      self:_log("error", "notifications stopped: %s", tostring(err))
      return err
    end
  end
end

function Client:_log(level, fmt, ...)
  if self.log and LEVELS[level] <= LEVELS[self.log_level] then
    local ok, msg = pcall(string.format, fmt, ...)
    self.emitter:call("log", self.log, level, ok and msg or fmt)
  end
end

-- In the poller, right after each handshake, before any message of the new Bayeux session
-- is queued: what happened while we were away is read in a task of its own.
function Client:_on_handshake(first)
  self:_check_cookies()
  if not self.resync then return end
  self:_log(first and "debug" or "info", "resyncing sessions after %s handshake",
    first and "the first" or "a new")
  self.repairer:want_list(first)
end

--- A GWS SMS client: the agent's connection, its notifications, its sessions. Make one with
-- `gws.sms.new`. Every method raises for a wrong argument (nothing is sent) and returns
-- `nil, err` for a failure at run time (see the "Data shapes" page for `err`). A method that
-- does not exist raises naming the closest one: "no method 'send_mesage' (did you mean
-- 'send_message'?)".
-- @type Client

--- Registers fn for an event; returns fn (pass it to off). Events: a notificationType
-- ("StatusChange", "ParticipantsUpdated", "PropertiesUpdated", "NewMessages", "Error", or
-- another upper-case name a server sends), "*", "invited", "message", "state", "ended",
-- "connected", "disconnected", "reconnecting", "gave_up", "handshake", "forbidden",
-- "resynced", "resync_failed", "backpressure". An unknown name raises.
-- @tparam string event an event name (see `events`)
-- @tparam function fn the listener; it runs as a task (operations inside it yield), per
-- session in order, never inside another library call
-- @treturn function fn
-- @raise for an unknown event name or a non-function
function Client:on(event, fn)
  check_client(self, "on")
  M.check_event(event, 2)
  args.func(fn, "fn", 2)
  return self.emitter:on(event, fn)
end

--- Removes a listener registered with `on` (every listener of `event` when fn is nil).
-- @tparam string event the event name
-- @tparam[opt] function fn the listener `on` returned
-- @treturn boolean whether one was removed
function Client:off(event, fn)
  check_client(self, "off")
  return self.emitter:off(event, fn)
end

--- Sets the handler for errors raised in callbacks: fn(err, info) with info.event and
-- info.traceback. The default writes to stderr.
-- @tparam function fn `function(err, info)`; `err` is what was raised (any type)
-- @return nothing
function Client:on_error(fn)
  check_client(self, "on_error")
  self.emitter.on_error = args.func(fn, "fn", 2, "a function(err, info)")
end

---------------------------------------------------------------------------------------------
-- SMS operations, generated from the operations table

local build = operations.build

for _, entry in ipairs(operations.list) do
  local name = entry.name
  Client[name] = function(self, id, arg, opts)
    if getmetatable(self) ~= Client or self.closed then check_client(self, name) end
    id = args.id(id, 2)
    local timeout = opts ~= nil and call_opts(opts, 2) or nil
    local body, bad, why = build(entry, arg, self.max_string)
    if not body then fail(bad, why, 2) end
    return self.model:perform(id, entry, body, timeout)
  end
end

--- Sends any operation, documented or not: client:operation(id, "SetInFocus", {…}).
-- No capability check and no parameter check beyond "it must encode as JSON".
-- @tparam string|Session id the session
-- @tparam string op an operationName, e.g. "SetInFocus"
-- @tparam[opt] table params the operation's parameters, as the spec names them
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table the decoded answer (`statusCode` 0, often `referenceId`)
-- @return nil, err
function Client:operation(id, op, params, opts)
  check_client(self, "operation")
  id = args.id(id, 2)
  if type(op) ~= "string" or not op:match("^%a%w*$") or #op > 64 then
    fail("operation", "expected an operationName like \"SetInFocus\", got " .. args.short(op), 2)
  end
  args.opt_table(params, "params", 2)
  local timeout = call_opts(opts, 2)
  local body = { operationName = op }
  for k, v in pairs(params or {}) do
    if type(k) ~= "string" then fail("params", "keys must be strings", 2) end
    if k ~= "operationName" then body[k] = v end
  end
  local ok, payload_err = pcall(http_mod.json.encode, body)
  if not ok then fail("params", "cannot be sent as JSON: " .. tostring(payload_err), 2) end
  return self.model:post(id, body, timeout)
end

--- Stops notifications, tells the server (best effort, within a second) and frees the
-- connections. Idempotent; also runs on garbage collection and at the end of a <close> scope.
-- @return nothing
function Client:close()
  if self.closed then return end
  self._stop = true
  -- First: callbacks still queued do not run on a closed client (close may be called from one,
  -- and the /meta/disconnect below may wait).
  self.emitter:close()
  self.repairer:close()
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

-- The rest of the methods, one concern per file, copied into the class at load time (no
-- __index chain: a call costs what it costs for a method defined here).
agent.install(Client, check_client)
reads.install(Client, check_client)
driving.install(Client, check_client)

-- A method that does not exist raises naming the closest one ("no method 'send_mesage' (did
-- you mean 'send_message'?)") rather than Lua's "attempt to call a nil value". `log` is the
-- one public field that may be nil.
names.strict(Client, "gws.sms client", { log = true })

return M
