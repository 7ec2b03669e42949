--- The GWS SMS client: the public API. It checks arguments and wires the pieces together:
-- gws.sms.http (REST, CSRF), gws.sms.model (sessions, intake, operations), gws.sms.resync
-- (after a handshake), gws.bayeux (notifications) and gws.transport (the engine and the ways
-- to drive it: poll, step/pollfd for host loops, run).
-- @module gws.sms.client
local args = require "gws.args"
local bayeux = require "gws.bayeux"
local config = require "gws.sms.config"
local emitter = require "gws.emitter"
local errors = require "gws.errors"
local http_mod = require "gws.sms.http"
local model_mod = require "gws.sms.model"
local names = require "gws.names"
local operations = require "gws.sms.operations"
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

local fail, seconds, call_opts = args.fail, args.seconds, args.call_opts

local LEVELS = config.LEVELS

local function check_client(self, method)
  if getmetatable(self) ~= Client then
    error(("bad self for %s: call it as client:%s(...) (with a colon)"):format(method, method), 3)
  end
  if self.closed then error("this gws.sms client is closed; create a new one with sms.new{...}", 3) end
end

--- Events: every name `client:on` takes. A notification's listener gets `(data, session)`:
-- `data` exactly as the server sent it (shapes: the "Data shapes" page), `session` the live
-- Session (nil when the notification names none, e.g. an Error). The model is updated before
-- any listener runs. Connection events get one table (its fields below). Any other
-- upper-case name is taken as a notificationType a server may add; a near miss of a known
-- name ("Message", "NewMessage") raises, naming the one meant.
-- @field StatusChange `(data, session)`: the session's state, capabilities or participants changed
-- @field ParticipantsUpdated `(data, session)`: someone joined or left
-- @field PropertiesUpdated `(data, session)`: user data (and a disposition) changed
-- @field NewMessages `(data, session)`: transcript messages arrived (`data.messages`)
-- @field Error `(data, nil)`: an operation failed after it was accepted; `data.referenceId` names it
-- @field all registered as `"*"`: `(data, session)` for every notification, whatever its type
-- @field invited `(session)`: a new offer (state Invited), once per offer
-- @field message `(message, session)`: once per new transcript MESSAGE, in index order
-- @field state `(session, old_state, new_state)`: the state changed; the first one has `old_state == nil`
-- @field ended `(session)`: it reached Completed or Revoked (or vanished from the server's list)
-- @field connected `({rehandshake = bool})`: notifications flow (again)
-- @field disconnected `({reconnecting = bool, error = err})`: the notification channel was lost
-- @field reconnecting `({attempt = n, delay = s, error = err})`: before each retry
-- @field gave_up `({attempts = n, error = err, reason = "advice"|"refused"|nil})`: no more retries
-- @field handshake `({first = bool, count = n})`: a Bayeux handshake succeeded
-- @field forbidden `({error = err})`: the server refused the long poll with 403 (the client
-- renews its HTTP session)
-- @field resynced `({sessions = n, changed = n})`: a resync after a handshake finished
-- @field resync_failed `({error = err})`: the session list could not be read (retried)
-- @field backpressure `({paused = bool, pending = n})`: max_pending reached / caught up
-- @table events

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
    timeout = self.request_timeout, keep_ended = self.keep_ended, log = log }
  local topic_hits = args.cache(64) -- channel name -> one of our topics covers it
  local function ours(channel)
    local hit = topic_hits.map[channel]
    if hit == nil then
      hit = false
      for _, t in ipairs(self.topics) do hit = hit or bayeux.channel_matches(t, channel) end
      topic_hits:put(channel, hit)
    end
    return hit
  end
  self.bayeux = bayeux.new {
    url = self.api .. "/notifications",
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

---------------------------------------------------------------------------------------------
-- Events

--- Every event name `on` takes: the notificationTypes GWS documents, "*", the model's
-- events and the connection events. A closed set, so a typo raises; see M.check_event for the
-- notificationTypes a server may add.
M.EVENTS = {}
for _, e in ipairs { "StatusChange", "ParticipantsUpdated", "PropertiesUpdated", "NewMessages",
    "Error", "*", "invited", "message", "state", "ended", "connected", "disconnected",
    "reconnecting", "gave_up", "handshake", "forbidden", "resynced", "resync_failed",
    "backpressure" } do
  M.EVENTS[e] = true
end

--- Raises (at `level`) unless `event` is a known event name, or looks like a notificationType
-- a server may add (it starts upper-case: "SomethingNew") and is not a near miss of a known
-- name ("Message", "NewMessage" and "statusChange" raise, naming the one meant). A new type
-- that happens to be that close to a known one can be had through "*".
-- @tparam string event an event name
-- @tparam[opt=1] integer level error level, as `error` counts it
-- @treturn string the event
-- @raise "bad argument 'event': unknown event 'mesage' (did you mean 'message'?)"
function M.check_event(event, level)
  level = (level or 1) + 1
  if type(event) ~= "string" or event == "" then fail("event", "expected an event name string", level) end
  if M.EVENTS[event] then return event end
  local near = names.closest(event, M.EVENTS)
  if near or not event:match("^%u[%w_]*$") then
    fail("event", names.unknown_message("event", event, M.EVENTS)
      .. (near and "" or "; a notificationType starts upper-case, every notification is \"*\""), level)
  end
  return event
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
-- The agent's session

local START_OPTS = { channels = true, place = true, timeout = true }

--- Connects notifications (handshake + subscribe) and then starts the contact-center session.
-- In the vendor's order: `GET /me` (credentials, CSRF token), Bayeux handshake and
-- subscribe, the first resync, then `StartContactCenterSession`. No event after it returns
-- is missed.
-- @tparam[opt] table opts the options below
-- @tparam[opt] {string,...} opts.channels default: the client's `channels`
-- @tparam[opt] string opts.place the agent's place
-- @tparam[opt] number opts.timeout seconds (default: the client's timeout)
-- @treturn table the decoded answer (`statusCode` 0)
-- @return nil, err: kind "http" with http_status 401 (code 20) for bad credentials, "status"
-- code 7 when a channel failed (the message names it), "transport", "timeout", …
function Client:start_session(opts)
  check_client(self, "start_session")
  opts = args.opt_table(opts, "opts", 2) or {}
  names.check_keys(opts, START_OPTS, 2, "start_session")
  local timeout = seconds(opts.timeout, "timeout", 2)
  local channels = opts.channels or self.channels
  if type(channels) ~= "table" or #channels == 0 then
    fail("channels", "expected a non-empty array of channel names", 2)
  end
  for i, c in ipairs(channels) do args.name(c, "channels[" .. i .. "]", 2) end
  if opts.place ~= nil and type(opts.place) ~= "string" then fail("place", "expected a string", 2) end
  local ok, err = self:connect(timeout)
  if not ok then return nil, err end
  return self.http:call("POST", "/me", { operationName = "StartContactCenterSession",
    channels = channels, place = opts.place }, timeout)
end

--- Connects the notification channel only (GET /me for the CSRF token, then handshake and
-- subscribe to every topic). start_session calls it; call it alone to listen without
-- starting a contact-center session.
-- Also restarts notifications after "gave_up".
-- @tparam[opt] number timeout seconds (default: the client's timeout)
-- @treturn boolean true once connected and the first resync has adopted what the server holds
-- @return nil, err
function Client:connect(timeout)
  check_client(self, "connect")
  timeout = seconds(timeout, "timeout", 2) or self.request_timeout
  if self.bayeux.state == "connected" then return self:_adopted(timeout) end
  local deadline = transport.now() + timeout
  -- GET /me first: it checks the credentials (a clear error now rather than a Bayeux 401
  -- later) and brings the CSRF token the Bayeux POSTs need.
  local _, err = self.http:refresh_csrf(timeout, false)
  if err then return nil, err end
  if not self._subscribed then
    -- No listener: intake takes our notifications into the model.
    for _, topic in ipairs(self.topics) do self.bayeux:subscribe(topic, nil, { timeout = timeout }) end
    self._subscribed = true
  end
  local ok
  ok, err = self.bayeux:connect(timeout)
  if not ok then return nil, err end
  return self:_adopted(deadline - transport.now())
end

-- Waits until the first resync has adopted what the server holds (so the first connect is
-- atomic: every message after it is news, every one before it history, each once).
function Client:_adopted(timeout)
  local model, repairer = self.model, self.repairer
  if not self.resync or model.resynced then return true end
  if timeout > 0 then
    self.transport:wait(function()
      return model.resynced or self.closed or self.bayeux.state == "gave_up"
    end, timeout)
  end
  if model.resynced then return true end
  return nil, errors.new("timeout", ("the first resync (adopting the sessions the server holds) did not"
    .. " complete in time%s"):format(repairer.last_error and (": " .. tostring(repairer.last_error)) or ""))
end

--- Disconnects notifications, then sends `EndContactCenterSession` (which also ends the
-- HTTP session).
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table the decoded answer
-- @return nil, err
function Client:end_session(opts)
  check_client(self, "end_session")
  local timeout = call_opts(opts, 2)
  self.bayeux:disconnect(timeout)
  local res, err = self.http:call("POST", "/me", { operationName = "EndContactCenterSession" }, timeout)
  self.http:forget_token() -- the server drops the HTTP session with it
  return res, err
end

local function channel_op(name, op)
  Client[name] = function(self, channel, opts)
    check_client(self, name)
    channel = channel == nil and "sms" or args.name(channel, "channel", 2)
    local timeout = call_opts(opts, 2)
    return self.http:call("POST", "/me/channels/" .. channel, { operationName = op }, timeout)
  end
end
--- Makes the agent Ready on a channel: offers are routed to Ready agents.
-- @function Client:ready
-- @tparam[opt="sms"] string channel the channel name
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table the decoded answer
-- @return nil, err

--- Makes the agent Not Ready on a channel: no new offers.
-- @function Client:not_ready
-- @tparam[opt="sms"] string channel the channel name
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table the decoded answer
-- @return nil, err

channel_op("ready", "Ready")
channel_op("not_ready", "NotReady")

--- The URI of a user, as Transfer/Invite/Consult want it: client:user_uri("agent2").
-- @tparam string user_id a user name (letters, digits, '-', '_')
-- @treturn string the URI
function Client:user_uri(user_id)
  check_client(self, "user_uri")
  args.name(user_id, "user_id", 2)
  return self.api .. "/users/" .. user_id
end

---------------------------------------------------------------------------------------------
-- Reads

--- The agent's SMS sessions as the server holds them (`GET /me/smssessions?fields=*`).
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn {table,...} SESSION tables (see "Data shapes")
-- @return nil, err
function Client:list_sessions(opts)
  check_client(self, "list_sessions")
  return self.http:list_sessions(call_opts(opts, 2))
end

--- One SMS session as the server holds it.
-- @tparam string|Session id the session
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table a SESSION table
-- @return nil, err (kind "status", code 6 for an unknown id)
function Client:get_session(id, opts)
  check_client(self, "get_session")
  id = args.id(id, 2)
  local res, err = self.http:call("GET", "/me/smssessions/" .. id, nil, call_opts(opts, 2))
  if not res then return nil, err end
  return res.smssession or res.smsession
end

local MESSAGES_OPTS = { start_index = true, count = true, timeout = true }

--- A session's transcript as the server holds it.
-- @tparam string|Session id the session
-- @tparam[opt] table opts the options below
-- @tparam[opt] integer opts.start_index the first index wanted
-- @tparam[opt] integer opts.count how many (0: all)
-- @tparam[opt] number opts.timeout seconds
-- @treturn {table,...} MESSAGE tables (see "Data shapes")
-- @return nil, err
function Client:messages(id, opts)
  check_client(self, "messages")
  id = args.id(id, 2)
  opts = args.opt_table(opts, "opts", 2) or {}
  names.check_keys(opts, MESSAGES_OPTS, 2, "messages")
  args.integer(opts.start_index, "start_index", 2, 0)
  args.integer(opts.count, "count", 2, 0)
  return self.http:messages(id, opts.start_index, opts.count, seconds(opts.timeout, "timeout", 2))
end

--- The live Session object for an id (nil if the client never heard of it).
-- @tparam string id a session id
-- @treturn ?Session the live Session
function Client:session(id)
  check_client(self, "session")
  return self.model.sessions[args.id(id, 2)]
end

--- Every Session the client knows, in the order it first heard of them.
-- @treturn {Session,...} a new array
function Client:sessions()
  check_client(self, "sessions")
  local order = self.model.order
  return table.move(order, 1, #order, 1, {})
end

--- Drops a session from the client's memory now (the model keeps the last keep_ended ended
-- sessions by itself). Returns true if it was known.
-- @tparam string|Session id the session
-- @treturn boolean whether it was known
function Client:forget(id)
  check_client(self, "forget")
  return self.model:forget(args.id(id, 2))
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

---------------------------------------------------------------------------------------------
-- Waiting and driving

--- Waits for the notification that carries `ref` (a referenceId from an operation's answer):
-- the first one about that operation's session received after the operation was sent (an
-- Error names no session and matches too). The vendor reuses numbers, so an older
-- notification with the same number never answers. For a number no operation of this client
-- returned, only notifications received from now on count.
-- Dispatches notifications (their callbacks run) while it waits; inside a callback or a task it
-- yields instead, so other sessions' callbacks keep running and this session's later
-- notifications wait their turn (per-session order).
-- @tparam integer ref a referenceId from an operation's answer
-- @tparam[opt] number timeout seconds (default: the client's timeout)
-- @treturn table the notification (a transfer or invite nobody answers ends in an "Error"
-- notification with that referenceId)
-- @return nil, err (kind "timeout")
function Client:wait_reference(ref, timeout)
  check_client(self, "wait_reference")
  if type(ref) ~= "number" or not math.tointeger(ref) then
    fail("ref", "expected an integer referenceId", 2)
  end
  seconds(timeout, "timeout", 2)
  local model = self.model
  local after, sid = model:reference_scope(ref)
  local found
  local ok, err = model:wait(function()
    found = model:reference(ref, after, sid)
    return found ~= nil
  end, timeout, function() return ("no notification carried referenceId %d"):format(ref) end, true)
  if not ok then return nil, err end
  return found
end

--- Waits up to `timeout` seconds (default 0) for notifications, runs their callbacks, and
-- returns how many notifications and connection events were handled.
-- @tparam[opt=0] number timeout seconds to wait for the first one
-- @treturn integer how many were handled (0 when none came)
function Client:poll(timeout)
  check_client(self, "poll")
  return self.transport:poll(seconds(timeout, "timeout", 2, true) or 0)
end

--- One round for a host event loop: handle network activity without waiting (or up to
-- `timeout` s) and run due callbacks. Pair it with pollfd(), events() and timeout().
-- @tparam[opt=0] number timeout seconds it may wait for network activity
-- @treturn boolean always true (it never fails: errors go to the callbacks' error handler
-- and to the connection events)
function Client:step(timeout)
  check_client(self, "step")
  self.transport:drive(seconds(timeout, "timeout", 2, true) or 0)
  return true
end

--- The descriptor a host loop waits on (readable when `step` has work), for a cqueues-style loop.
-- @function Client:pollfd
-- @treturn integer a file descriptor (an epoll fd)

--- The events to wait for on `pollfd`.
-- @function Client:events
-- @treturn string "r"

--- Seconds until `step` should run even without activity on `pollfd` (0: now).
-- @function Client:timeout
-- @treturn ?number seconds, or nil when only activity matters

function Client:pollfd() check_client(self, "pollfd"); return self.transport:pollfd() end
function Client:events() check_client(self, "events"); return self.transport:events() end
function Client:timeout() check_client(self, "timeout"); return self.transport:timeout() end

--- Runs until stop(): every callback in its own coroutine, where operations yield instead of
-- blocking. With fn, runs fn(client) as the first task (e.g. to start the session).
-- @tparam[opt] function fn `fn(client)`, run as the first task
-- @treturn boolean true once `stop` (or `close`) ended it
-- @raise when it is already running
function Client:run(fn)
  check_client(self, "run")
  if fn ~= nil then args.func(fn, "fn", 2) end
  if self._running then error("run() is already running", 2) end
  self._running, self._stop = true, false
  if fn then self.transport:spawn("run", fn, self) end
  while not self._stop and not self.closed do self.transport:drive(0.5) end
  self._running = false
  return true
end

--- Runs fn(...) as a task from the next poll/step/run on: operations inside it yield, so
-- host code starts work without blocking its loop. Errors go to the error handler.
-- @tparam function fn the task's body
-- @param ... its arguments
-- @treturn boolean true
function Client:spawn(fn, ...)
  check_client(self, "spawn")
  args.func(fn, "fn", 2)
  self.transport:spawn("spawn", fn, ...)
  return true
end

--- Ends `run` after the current round: it returns once the callbacks already running have
-- finished or yielded. Tasks in flight stay where they are and resume at the next
-- `poll`/`step`/`run`; `close` abandons them (they are never resumed).
-- @return nothing
function Client:stop()
  self._stop = true
end

--- How many notifications and events are waiting for dispatch (see max_pending).
-- @treturn integer how many
function Client:pending()
  check_client(self, "pending")
  return self.emitter:pending()
end

--- Waits `seconds`: yields inside client:run() callbacks (others keep running), otherwise
-- keeps the client's network going while it waits (no callbacks run).
-- @tparam number secs seconds
-- @return nothing
function Client:sleep(secs)
  check_client(self, "sleep")
  self.transport:sleep(seconds(secs, "seconds", 2) or 0)
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

-- A method that does not exist raises naming the closest one ("no method 'send_mesage' (did
-- you mean 'send_message'?)") rather than Lua's "attempt to call a nil value". `log` is the
-- one public field that may be nil.
names.strict(Client, "gws.sms client", { log = true })

return M
