--- A Bayeux 1.0 long-polling client for any CometD server.
--
--   local bayeux = require "gws.bayeux"
--   local b = bayeux.new{ url = "http://host/cometd", headers = { ... } }
--   b:subscribe("/chat/**", function(data, message) ... end)
--   b:on("disconnected", function(info) ... end)
--   while true do b:poll(1) end
--
-- It never stalls silently: every failure is followed by a retry with exponential backoff and
-- jitter (bounded by `backoff_cap`), every re-handshake replays every subscription, and each
-- change of connection state is an event ("connected", "disconnected", "reconnecting",
-- "gave_up", "handshake", "backpressure", "forbidden"). It owns no thread: a task on the
-- transport's scheduler does the long polling, and callbacks run from poll/step/run.
--
-- An owner that layers a protocol on top (the GWS client) passes `intake(msg)`, called in the
-- poller, CometD-style, for each event message before it is queued (true = taken over, not
-- queued for subscribers), for `/meta/handshake` once a handshake and its subscriptions are
-- done (`msg.count`: which handshake), for `/meta/connect` (`msg.reconnected`) when a long
-- poll succeeds again after failures without a new handshake (the failed answer may have
-- carried events), and for `/meta/unsuccessful` when a request failed (`msg.error`,
-- `msg.http_status`: 403 = renew credentials before the next handshake; returning an error
-- value stops the poller with "gave_up"). It may make requests: the poller waits for it,
-- which keeps the order of what it queues.
-- @module gws.bayeux
require "gws.lua_version" -- first: a clear error under any Lua but 5.4
local cjson = require "cjson.safe"
local args = require "gws.args"
local errors = require "gws.errors"
local emitter = require "gws.emitter"
local names = require "gws.names"
local poller = require "gws.bayeux.poller"
local protocol = require "gws.bayeux.protocol"
local transport = require "gws.transport"

local M = {}

local Bayeux = {}
Bayeux.__index = Bayeux
M.Bayeux = Bayeux

local DEFAULTS = {
  request_timeout = 10,   -- seconds for handshake/subscribe/publish (option `timeout`)
  poll_margin = 10,       -- seconds the long poll may exceed the server's advice.timeout
  backoff_base = 0.5,     -- seconds before the first retry (before jitter)
  backoff_cap = 30,       -- seconds, the longest wait between attempts
}

M.backoff_delay, M.channel_matches = protocol.backoff_delay, protocol.channel_matches
local find_reply, meta_error = protocol.find_reply, protocol.meta_error

--- Every option bayeux.new takes; any other key raises naming the closest.
M.OPTIONS = {}
for _, k in ipairs { "url", "headers", "transport", "emitter", "username", "password", "ca_file",
    "insecure", "proxy", "noproxy", "timeout", "poll_margin", "backoff_base", "backoff_cap",
    "give_up_after", "max_attempts", "max_pending", "on_error", "log", "intake" } do
  M.OPTIONS[k] = true
end

--- The connection events (on/off); an owner may add its own names before calling on.
M.EVENTS = { connected = true, disconnected = true, reconnecting = true, gave_up = true,
  handshake = true, forbidden = true, backpressure = true }

--- Creates a client. opts: url (required), headers (table or function returning one),
-- transport and emitter (share the owner's: the transport's queue must be that emitter),
-- username/password/ca_file/insecure (for a transport of its own), timeout, poll_margin,
-- backoff_base, backoff_cap, give_up_after (seconds), max_attempts, max_pending, on_error, log,
-- and intake(msg) (see above).
-- @tparam table opts the options below; an unknown name raises, naming the closest known one
-- @tparam string opts.url the Bayeux endpoint, e.g. "http://host/cometd"
-- @tparam[opt] table|function opts.headers extra request headers, or a function returning them
-- @tparam[opt] string opts.username HTTP Basic user (for a transport of its own)
-- @tparam[opt] string opts.password HTTP Basic password (kept in C memory only)
-- @tparam[opt] string opts.ca_file PEM file of CA certificates for https
-- @tparam[opt] boolean opts.insecure `true` turns certificate checks off
-- @tparam[opt] string opts.proxy proxy URL (see gws.sms.client.new)
-- @tparam[opt] string opts.noproxy hosts reached directly
-- @tparam[opt=10] number opts.timeout seconds for handshake, subscribe and publish
-- @tparam[opt=10] number opts.poll_margin seconds the long poll may exceed advice.timeout
-- @tparam[opt=0.5] number opts.backoff_base first reconnect delay
-- @tparam[opt=30] number opts.backoff_cap the longest reconnect delay
-- @tparam[opt] number opts.give_up_after give up after failing for that many seconds
-- @tparam[opt] integer opts.max_attempts give up after that many failed attempts
-- @tparam[opt=10000] integer opts.max_pending messages waiting for dispatch before the poll pauses
-- @tparam[opt] function opts.on_error `function(err, info)` for errors raised in callbacks
-- @tparam[opt] function opts.log `function(level, message)`
-- @tparam[opt] function opts.intake an owner's hook (see the module's description)
-- @tparam[opt] table opts.transport an owner's gws.transport to share
-- @tparam[opt] table opts.emitter an owner's gws.emitter (the transport's queue)
-- @treturn Bayeux a client, not yet connected
-- @raise for a wrong or unknown option
function M.new(opts)
  if type(opts) ~= "table" then args.fail("opts", "expected a table", 2) end
  names.check_keys(opts, M.OPTIONS, 2, "bayeux.new")
  if type(opts.url) ~= "string" or not opts.url:match("^https?://") then
    args.fail("url", "must be an http:// or https:// URL string", 2)
  end
  local h = opts.headers
  if h ~= nil and type(h) ~= "table" and type(h) ~= "function" then
    args.fail("headers", "must be a table or a function returning a table", 2)
  end
  if opts.intake ~= nil then args.func(opts.intake, "intake", 2) end
  args.seconds(opts.timeout, "timeout", 2)
  for _, name in ipairs { "poll_margin", "backoff_base", "backoff_cap", "give_up_after" } do
    args.seconds(opts[name], name, 2, true)
  end
  args.integer(opts.max_attempts, "max_attempts", 2, 1)

  local em = opts.emitter or emitter.new { on_error = opts.on_error, max_pending = opts.max_pending }
  local self = setmetatable({
    url = opts.url,
    headers = h,
    emitter = em,
    owns_transport = opts.transport == nil,
    subs = {},            -- ordered list of { channel = c, fns = {…} }
    state = "disconnected",
    client_id = nil,
    advice = protocol.default_advice(),
    next_id = 0,
    handshakes = 0,
    polls_since_handshake = 0, -- long polls answered since the last handshake
    last_connects = 0,         -- new connections the last request's transfer opened
    attempt = 0,
    running = false,
    stop_requested = false,
    intake = opts.intake,
    log = opts.log,
  }, Bayeux)
  for k, v in pairs(DEFAULTS) do self[k] = opts[k] or v end
  self.request_timeout = opts.timeout or DEFAULTS.request_timeout
  self.max_attempts = opts.max_attempts
  self.give_up_after = opts.give_up_after
  self.transport = opts.transport or transport.new {
    username = opts.username, password = opts.password, ca_file = opts.ca_file,
    insecure = opts.insecure, proxy = opts.proxy, noproxy = opts.noproxy,
    on_error = function(e, info) em.on_error(e, info) end, queue = em,
  }
  -- Every listener runs as a task (an emitter of the owner's may have its runner already).
  if not em.runner then em.runner = self.transport end
  return self
end

--- A Bayeux client (`gws.bayeux.new`).
-- @type Bayeux

function Bayeux:_log(level, fmt, ...)
  if self.log then self.log(level, string.format(fmt, ...)) end
end

--- Queues an event for dispatch: the connection events above, and an owner's own (the GWS
-- client's "resynced") in the same order as the messages.
-- @tparam string name the event name
-- @tparam table info its argument
-- @return nothing
function Bayeux:emit(name, info)
  self.emitter:emit(name, info)
end

--- Registers fn for a connection event: "connected", "disconnected", "reconnecting",
-- "gave_up", "handshake", "forbidden", "backpressure" (their tables: "Data shapes"). An
-- unknown name raises, naming the closest.
-- @tparam string name the event
-- @tparam function fn `fn(info)`
-- @treturn function fn
function Bayeux:on(name, fn)
  if not M.EVENTS[name] then args.fail("event", names.unknown_message("event", name, M.EVENTS), 2) end
  args.func(fn, "fn", 2)
  return self.emitter:on(name, fn)
end

--- Removes a listener registered with `on`.
-- @tparam string name the event
-- @tparam[opt] function fn the listener (nil: all of that event)
-- @treturn boolean whether one was removed
function Bayeux:off(name, fn) return self.emitter:off(name, fn) end

function Bayeux:_headers()
  local out = { ["Content-Type"] = "application/json;charset=UTF-8", Accept = "application/json" }
  local h = self.headers
  if type(h) == "function" then h = h() end
  if h then
    for k, v in pairs(h) do out[k] = v end
  end
  return out
end

--- POSTs a batch of Bayeux messages; returns the reply array, or nil and an error. `held`:
-- a long poll (the server holds it), which a shared loop does not count among its requests.
-- keep_body = false: nothing here reads an answer's text once its JSON is decoded (the core
-- still keeps it when the decode fails), and a long poll's is one more string per event
-- for the collector (issue 14, B4).
function Bayeux:_send(messages, timeout, held)
  self.next_id = protocol.stamp(messages, self.next_id, self.client_id)
  local r = self.transport:request {
    method = "POST", url = self.url, headers = self:_headers(), body = assert(cjson.encode(messages)),
    timeout = timeout or self.request_timeout, held = held, keep_body = false,
  }
  -- New connections this transfer opened: libcurl may silently re-send a request on a fresh
  -- connection when the kept-alive one turns out dead (see _cycle).
  self.last_connects = r.connects
  if r.err then return nil, errors.new(transport.failure(r)) end
  return protocol.check_reply(r, transport.is_json)
end

--- Starts the poller if it is not running. Returns immediately.
-- @treturn boolean true
-- @return nil, err (kind "closed")
function Bayeux:start()
  if self.closed then return nil, errors.new("closed", "the Bayeux client is closed") end
  if not self.running then
    self.running = true
    self.stop_requested = false
    self.attempt, self.first_failure = 0, nil
    if self.state == "gave_up" then self.state = "disconnected" end
    self.poller = self.transport:spawn("bayeux", self._run, self)
  end
  return true
end

--- Starts the poller and waits until connected. Returns true, or nil and an error.
-- @tparam[opt] number timeout seconds (default: the client's timeout)
-- @treturn boolean true
-- @return nil, err (kind "timeout")
function Bayeux:connect(timeout)
  timeout = timeout or self.request_timeout
  local ok, err = self:start()
  if not ok then return nil, err end
  if self.state == "connected" then return true end
  self.transport:wait(function()
    return self.state == "connected" or self.state == "gave_up" or not self.running
  end, timeout)
  if self.state == "connected" then return true end
  return nil, errors.new("timeout", string.format(
    "could not connect to the Bayeux server at %s within %g s (state %s)", self.url, timeout,
    self.state))
end

--- Subscribes fn(data, message) to `channel` (exact, /a/* or /a/**). The subscription is
-- replayed after every re-handshake. Connects first if needed, then waits for the server's
-- answer. Returns true or nil, err. opts.sync = true calls fn inside dispatch even under run().
-- @tparam string channel a channel or pattern ("/chat/room", "/chat/*", "/chat/**")
-- @tparam[opt] function fn `fn(data, message)`
-- @tparam[opt] table opts `{timeout = s, sync = bool}`
-- @treturn boolean true once the server confirmed it
-- @return nil, err
function Bayeux:subscribe(channel, fn, opts)
  if type(channel) ~= "string" or channel:sub(1, 1) ~= "/" then
    args.fail("channel", "must be a channel name string starting with '/'", 2)
  end
  if fn ~= nil and type(fn) ~= "function" then args.fail("fn", "expected a function", 2) end
  local sub
  for _, s in ipairs(self.subs) do
    if s.channel == channel then sub = s end
  end
  local fresh = sub == nil
  if fresh then
    sub = protocol.subscription(channel)
    self.subs[#self.subs + 1] = sub
  end
  if fn then
    sub.fns[#sub.fns + 1] = fn
    if opts and opts.sync then sub.sync[fn] = true end
  end
  if self.state ~= "connected" then
    return self:connect(opts and opts.timeout)
  end
  if not fresh then return true end
  local replies, err = self:_send({ { channel = "/meta/subscribe", subscription = channel } })
  if not replies then return nil, err end
  self:_queue_events(replies)
  local m = find_reply(replies, "/meta/subscribe")
  if not m or m.successful ~= true then return nil, meta_error(m, "subscribe to " .. channel) end
  return true
end

--- Removes fn from `channel`, or the whole subscription when fn is nil (then tells the server).
-- @tparam string channel the channel given to subscribe
-- @tparam[opt] function fn one listener (nil: the whole subscription)
-- @treturn boolean whether there was such a subscription
-- @return nil, err when the server could not be told
function Bayeux:unsubscribe(channel, fn)
  if type(channel) ~= "string" then args.fail("channel", "expected a string", 2) end
  for i, s in ipairs(self.subs) do
    if s.channel == channel then
      if fn then
        for j = #s.fns, 1, -1 do
          if s.fns[j] == fn then table.remove(s.fns, j) end
        end
        if #s.fns > 0 then return true end
      end
      table.remove(self.subs, i)
      if self.state == "connected" then
        local replies, err = self:_send({ { channel = "/meta/unsubscribe", subscription = channel } })
        if not replies then return nil, err end
        self:_queue_events(replies)
      end
      return true
    end
  end
  return false
end

--- Publishes data on a channel. Returns true or nil, err.
-- @tparam string channel a non-meta channel
-- @param data any JSON-encodable value
-- @treturn boolean true
-- @return nil, err
function Bayeux:publish(channel, data)
  if type(channel) ~= "string" or channel:sub(1, 1) ~= "/" or channel:sub(1, 6) == "/meta/" then
    args.fail("channel", "must be a non-meta channel name starting with '/'", 2)
  end
  if self.state ~= "connected" then
    local ok, err = self:connect()
    if not ok then return nil, err end
  end
  local replies, err = self:_send({ { channel = channel, data = data } })
  if not replies then return nil, err end
  local m = find_reply(replies, channel)
  if m and m.successful == false then return nil, meta_error(m, "publish to " .. channel) end
  return true
end

--- Stops polling and tells the server (best effort, short timeout). Subscriptions are kept:
-- start()/connect() again resumes them.
-- @tparam[opt=1] number timeout seconds for the /meta/disconnect
-- @treturn boolean true
function Bayeux:disconnect(timeout)
  self.stop_requested = true
  local was_connected = self.state == "connected" and self.client_id
  self.state = "disconnected"
  -- Wake the poller out of its long poll or backoff sleep so it ends now, not in 20 s.
  if self.running and self.poller and not self.transport.closed then
    self.transport:interrupt(self.poller)
  end
  if was_connected and not self.transport.closed then
    self:_send({ { channel = "/meta/disconnect" } }, timeout or 1)
  end
  self.client_id = nil
  return true
end

--- Dispatches queued messages and events; waits up to `timeout` s for the first one.
-- Returns how many were handled.
-- @tparam[opt=0] number timeout seconds
-- @treturn integer how many were handled
function Bayeux:poll(timeout)
  return self.transport:poll(args.seconds(timeout, "timeout", 2, true) or 0)
end

--- One non-blocking (or up to `timeout`) round for a host event loop.
-- @tparam[opt=0] number timeout seconds
-- @treturn boolean true
function Bayeux:step(timeout)
  self.transport:drive(args.seconds(timeout, "timeout", 2, true) or 0)
  return true
end

--- The descriptor a host loop waits on.
-- @treturn integer a file descriptor
function Bayeux:pollfd() return self.transport:pollfd() end
--- The events to wait for on `pollfd`.
-- @treturn string "r"
function Bayeux:events() return self.transport:events() end
--- Seconds until `step` should run without activity (nil: only activity matters).
-- @treturn ?number
function Bayeux:timeout() return self.transport:timeout() end

--- Disconnects and frees what it owns. Idempotent.
-- @return nothing
function Bayeux:close()
  if self.closed then return end
  self:disconnect(0.5)
  self.closed = true
  if self.owns_transport then
    self.emitter:close()
    self.transport:close()
  end
end

Bayeux.__gc = function(self)
  self.closed = true
  if self.owns_transport and self.transport then self.transport:close() end
end
Bayeux.__close = Bayeux.close

-- The poller (handshake, long poll, retries), copied in at load time: no __index chain.
poller.install(Bayeux)

return M
