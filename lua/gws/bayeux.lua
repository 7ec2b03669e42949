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
-- "gave_up", "handshake", "backpressure"). It owns no thread: a task on the transport's
-- scheduler does the long polling, and callbacks run from poll/step/run.
local cjson = require "cjson.safe"
local errors = require "gws.errors"
local emitter = require "gws.emitter"
local transport = require "gws.transport"

local M = {}

local Bayeux = {}
Bayeux.__index = Bayeux
M.Bayeux = Bayeux

local now = transport.now

local DEFAULTS = {
  request_timeout = 10,   -- seconds for handshake/subscribe/publish (option `timeout`)
  poll_margin = 10,       -- seconds the long poll may exceed the server's advice.timeout
  advice_timeout = 30000, -- ms assumed until the server gives advice
  backoff_base = 0.5,     -- seconds before the first retry (before jitter)
  backoff_cap = 30,       -- seconds, the longest wait between attempts
}

--- The wait before retry number `attempt` (1-based): exponential, capped, "equal jitter"
-- (half fixed, half random), so it is always within [d/2, d] with d = min(cap, base*2^(n-1)).
function M.backoff_delay(attempt, base, cap, random)
  local d = base * 2 ^ (attempt - 1)
  if d > cap then d = cap end
  return d / 2 + (random or math.random)() * d / 2
end

--- True when `channel` matches subscription `pattern` (exact, /a/* or /a/**).
function M.channel_matches(pattern, channel)
  if pattern == channel then return true end
  if pattern:sub(-3) == "/**" then
    local prefix = pattern:sub(1, -3)
    return channel:sub(1, #prefix) == prefix and #channel > #prefix
  end
  if pattern:sub(-2) == "/*" then
    local prefix = pattern:sub(1, -2)
    local rest = channel:sub(#prefix + 1)
    return channel:sub(1, #prefix) == prefix and #rest > 0 and not rest:find("/", 1, true)
  end
  return false
end

local function check_number(opts, name, min)
  local v = opts[name]
  if v == nil then return end
  if type(v) ~= "number" or v ~= v or v < min or v == math.huge then
    errors.arg(name, "must be a finite number >= " .. min, 3)
  end
end

--- Creates a client. opts: url (required), headers (table or function returning one),
-- transport (share another client's engine), username/password/ca_file/insecure (for a
-- transport of its own), timeout, poll_margin, backoff_base, backoff_cap, max_attempts,
-- give_up_after (seconds), max_pending, on_error, emitter, log; and for an owner such as the
-- GWS client, on_forbidden() (HTTP 403: refresh credentials) and on_handshake(first) (called in
-- the poller right after each handshake, before any message of the new session is queued) and
-- on_receive(message) (called in the poller for each event message before it is queued; it may
-- make requests, which delays the queueing and so keeps order).
function M.new(opts)
  if type(opts) ~= "table" then errors.arg("opts", "expected a table", 2) end
  if type(opts.url) ~= "string" or not opts.url:match("^https?://") then
    errors.arg("url", "must be an http:// or https:// URL string", 2)
  end
  local h = opts.headers
  if h ~= nil and type(h) ~= "table" and type(h) ~= "function" then
    errors.arg("headers", "must be a table or a function returning a table", 2)
  end
  for _, name in ipairs { "timeout", "poll_margin", "backoff_base", "backoff_cap" } do
    check_number(opts, name, 0)
  end
  check_number(opts, "max_attempts", 1)
  check_number(opts, "give_up_after", 0)

  local em = opts.emitter or emitter.new { on_error = opts.on_error, max_pending = opts.max_pending }
  local self = setmetatable({
    url = opts.url,
    headers = h,
    emitter = em,
    owns_transport = opts.transport == nil,
    subs = {},            -- ordered list of { channel = c, fns = {…} }
    state = "disconnected",
    client_id = nil,
    advice = { reconnect = "retry", interval = 0, timeout = DEFAULTS.advice_timeout },
    next_id = 0,
    handshakes = 0,
    attempt = 0,
    running = false,
    stop_requested = false,
    on_forbidden = opts.on_forbidden,
    on_handshake = opts.on_handshake,
    on_receive = opts.on_receive,
    log = opts.log,
  }, Bayeux)
  for k, v in pairs(DEFAULTS) do self[k] = opts[k] or v end
  self.request_timeout = opts.timeout or DEFAULTS.request_timeout
  self.max_attempts = opts.max_attempts
  self.give_up_after = opts.give_up_after
  self.transport = opts.transport or transport.new {
    username = opts.username, password = opts.password, ca_file = opts.ca_file,
    insecure = opts.insecure, on_error = function(e, info) em.on_error(e, info) end,
  }
  return self
end

function Bayeux:_log(level, fmt, ...)
  if self.log then self.log(level, string.format(fmt, ...)) end
end

--- Queues a connection-state event for dispatch.
function Bayeux:_event(name, info)
  self.emitter:push(function(n, i) self.emitter:fire(n, i) end, name, info)
end

function Bayeux:on(name, fn)
  if type(fn) ~= "function" then errors.arg("fn", "expected a function", 2) end
  return self.emitter:on(name, fn)
end

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

--- POSTs a batch of Bayeux messages; returns the reply array, or nil and an error.
function Bayeux:_send(messages, timeout)
  for _, m in ipairs(messages) do
    self.next_id = self.next_id + 1
    m.id = tostring(self.next_id)
    if self.client_id and m.channel ~= "/meta/handshake" then m.clientId = self.client_id end
  end
  local body = assert(cjson.encode(messages))
  local r = self.transport:request {
    method = "POST", url = self.url, headers = self:_headers(), body = body,
    timeout = timeout or self.request_timeout,
  }
  if r.err then return nil, errors.new(transport.failure(r)) end
  if r.status ~= 200 then
    local kind = r.status == 403 and "forbidden" or "http"
    return nil, errors.new("http", "Bayeux request answered HTTP " .. r.status,
      { http_status = r.status, reason = kind })
  end
  local reply = r.json
  if reply ~= nil and not transport.is_json(r) then
    return nil, errors.new("decode", "Bayeux reply is " .. tostring(r.headers["content-type"] or "unlabelled")
      .. ", not JSON", { http_status = r.status })
  end
  -- Not an array means events we cannot see may have been in it: a protocol error, which
  -- leads to a re-handshake (and, for the GWS client, a resync that recovers them).
  if type(reply) ~= "table" or (next(reply) ~= nil and reply[1] == nil) then
    return nil, errors.new("bayeux", "Bayeux reply is not a JSON array of messages",
      { http_status = r.status })
  end
  return reply
end

local function meta_error(reply, what)
  return errors.new("bayeux", what .. " failed: " .. tostring(reply and reply.error or "no reply"),
    { advice = reply and reply.advice })
end

local function find_reply(replies, channel)
  for _, m in ipairs(replies) do
    if m.channel == channel then return m end
  end
end

--- Handshake and replay every subscription. Returns true or nil, err.
function Bayeux:_handshake()
  self.state = "handshaking"
  self.client_id = nil
  local replies, err = self:_send({ {
    channel = "/meta/handshake", version = "1.0", minimumVersion = "1.0",
    supportedConnectionTypes = { "long-polling" },
  } })
  if not replies then return nil, err end
  local hs = find_reply(replies, "/meta/handshake")
  if not hs or hs.successful ~= true or type(hs.clientId) ~= "string" then
    return nil, meta_error(hs, "handshake")
  end
  self.client_id = hs.clientId
  self:_take_advice(hs.advice)
  if #self.subs > 0 then
    local batch = {}
    for _, s in ipairs(self.subs) do
      batch[#batch + 1] = { channel = "/meta/subscribe", subscription = s.channel }
    end
    replies, err = self:_send(batch)
    if not replies then return nil, err end
    for _, m in ipairs(replies) do
      if m.channel == "/meta/subscribe" and m.successful ~= true then
        return nil, meta_error(m, "subscribe to " .. tostring(m.subscription))
      end
    end
  end
  self.handshakes = self.handshakes + 1
  self:_log("info", "bayeux: handshake %d done, %d subscription(s)", self.handshakes, #self.subs)
  return true
end

function Bayeux:_take_advice(advice)
  if type(advice) ~= "table" then return end
  for _, k in ipairs { "reconnect", "interval", "timeout" } do
    if advice[k] ~= nil then self.advice[k] = advice[k] end
  end
end

--- Hands every non-meta message of a reply to dispatch, in order.
function Bayeux:_queue_events(replies)
  for _, m in ipairs(replies) do
    if type(m) == "table" and type(m.channel) == "string" and m.channel:sub(1, 6) ~= "/meta/" then
      if self.on_receive then self.on_receive(m) end
      self.emitter:push(self._deliver, self, m)
    end
  end
end

-- How many channel names each subscription remembers matching (or not): a server sends a
-- handful, so the cache saves the pattern work per event without growing on a hostile one.
local MATCH_CACHE_MAX = 64

--- True when subscription `s` covers `channel`, remembered per subscription.
local function sub_matches(s, channel)
  local cache = s.matches
  local hit = cache[channel]
  if hit == nil then
    hit = M.channel_matches(s.channel, channel)
    s.cached = s.cached + 1
    if s.cached > MATCH_CACHE_MAX then
      cache = {}
      s.matches, s.cached = cache, 1
    end
    cache[channel] = hit
  end
  return hit
end

--- Runs at dispatch: calls every listener subscribed to a matching channel.
function Bayeux:_deliver(msg)
  for _, s in ipairs(self.subs) do
    if sub_matches(s, msg.channel) then
      for _, fn in ipairs(s.fns) do
        if s.sync[fn] then
          self.emitter:call(msg.channel, fn, msg.data, msg)
        elseif self.emitter.spawn then
          self.emitter.spawn(msg.channel, fn, msg.data, msg)
        else
          self.emitter:call(msg.channel, fn, msg.data, msg)
        end
      end
    end
  end
end

--- Sleeps before the next attempt, or gives up. Returns false when giving up.
function Bayeux:_backoff(err)
  self.attempt = self.attempt + 1
  self.first_failure = self.first_failure or now()
  if (self.max_attempts and self.attempt > self.max_attempts)
     or (self.give_up_after and now() - self.first_failure >= self.give_up_after) then
    self.state = "gave_up"
    self:_log("error", "bayeux: giving up after %d attempt(s): %s", self.attempt - 1, tostring(err))
    self:_event("gave_up", { attempts = self.attempt - 1, error = err })
    return false
  end
  local delay = M.backoff_delay(self.attempt, self.backoff_base, self.backoff_cap)
  local interval = (tonumber(self.advice.interval) or 0) / 1000
  if interval > delay then delay = interval end
  self:_log("warn", "bayeux: attempt %d failed (%s); retrying in %.2f s", self.attempt,
    tostring(err), delay)
  self:_event("reconnecting", { attempt = self.attempt, delay = delay, error = err })
  self.transport:sleep(delay)
  return not self.stop_requested
end

function Bayeux:_lost(err, reconnecting)
  local was = self.state
  if was == "connected" then
    self:_event("disconnected", { reconnecting = reconnecting, error = err })
  end
  if self.state ~= "gave_up" then self.state = "unconnected" end
end

--- The poller task: handshake, then long-poll /meta/connect forever, recovering from
-- everything except reconnect advice "none", max_attempts/give_up_after, or stop.
function Bayeux:_run()
  local need_handshake = true
  while not self.stop_requested do
    local ok, err = true, nil
    if need_handshake then
      ok, err = self:_handshake()
      if ok then
        need_handshake = false
        self:_connected()
      end
    end
    if ok then
      self:_respect_backpressure()
      if self.stop_requested then break end
      local replies
      replies, err = self:_send({ { channel = "/meta/connect", connectionType = "long-polling" } },
        (tonumber(self.advice.timeout) or DEFAULTS.advice_timeout) / 1000 + self.poll_margin)
      if self.stop_requested then break end
      if replies then
        self:_queue_events(replies)
        local c = find_reply(replies, "/meta/connect")
        if c then self:_take_advice(c.advice) end
        if c and c.successful == true then
          if self.attempt > 0 then
            self.attempt, self.first_failure = 0, nil
            self.state = "connected"
            self:_event("connected", { rehandshake = false })
          end
          local interval = (tonumber(self.advice.interval) or 0) / 1000
          if interval > 0 then self.transport:sleep(interval) end
        else
          ok, err = false, meta_error(c, "connect")
          if self.advice.reconnect == "handshake" or (c and tostring(c.error):match("^402")) then
            need_handshake = true
          end
        end
      else
        ok = false
      end
    end
    if not ok and self.stop_requested then break end -- interrupted by disconnect()
    if not ok then
      if self.advice.reconnect == "none" then
        self:_lost(err, false)
        self.state = "gave_up"
        self:_event("gave_up", { attempts = self.attempt, error = err, reason = "advice" })
        break
      end
      if err.http_status == 403 and self.on_forbidden then
        -- The server forgot our HTTP session: the owner refreshes cookie and token.
        self.on_forbidden()
        need_handshake = true
      end
      if err.kind == "bayeux" or err.kind == "decode" then need_handshake = true end
      self:_lost(err, true)
      if not self:_backoff(err) then break end
    end
  end
  self.running = false
  if self.state ~= "gave_up" then self.state = "disconnected" end
end

-- Runs in the poller task right after a handshake: the state changes now (so connect() can
-- return), the events are queued in order with the messages.
function Bayeux:_connected()
  local first = self.handshakes == 1
  self.attempt, self.first_failure = 0, nil
  self.state = "connected"
  if self.on_handshake then self.on_handshake(first) end
  self:_event("handshake", { first = first, count = self.handshakes })
  self:_event("connected", { rehandshake = not first })
end

--- With too many notifications waiting for dispatch, stop polling until the application
-- catches up: the server keeps the events, nothing is dropped.
function Bayeux:_respect_backpressure()
  if not self.emitter:full() then return end
  local n = self.emitter:pending()
  self:_log("warn", "bayeux: %d notifications pending; pausing the long poll", n)
  self:_event("backpressure", { paused = true, pending = n })
  self.transport:wait_until(function()
    return self.stop_requested or self.emitter:pending() < self.emitter.max_pending / 2
  end, math.huge)
  self:_event("backpressure", { paused = false, pending = self.emitter:pending() })
end

--- Starts the poller if it is not running. Returns immediately.
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
function Bayeux:connect(timeout)
  timeout = timeout or self.request_timeout
  local ok, err = self:start()
  if not ok then return nil, err end
  if self.state == "connected" then return true end
  self.transport:wait_until(function()
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
function Bayeux:subscribe(channel, fn, opts)
  if type(channel) ~= "string" or channel:sub(1, 1) ~= "/" then
    errors.arg("channel", "must be a channel name string starting with '/'", 2)
  end
  if fn ~= nil and type(fn) ~= "function" then errors.arg("fn", "expected a function", 2) end
  local sub
  for _, s in ipairs(self.subs) do
    if s.channel == channel then sub = s end
  end
  local fresh = sub == nil
  if fresh then
    sub = { channel = channel, fns = {}, sync = {}, matches = {}, cached = 0 }
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
  local m = find_reply(replies, "/meta/subscribe")
  if not m or m.successful ~= true then return nil, meta_error(m, "subscribe to " .. channel) end
  return true
end

--- Removes fn from `channel`, or the whole subscription when fn is nil (then tells the server).
function Bayeux:unsubscribe(channel, fn)
  if type(channel) ~= "string" then errors.arg("channel", "expected a string", 2) end
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
      end
      return true
    end
  end
  return false
end

--- Publishes data on a channel. Returns true or nil, err.
function Bayeux:publish(channel, data)
  if type(channel) ~= "string" or channel:sub(1, 1) ~= "/" or channel:sub(1, 6) == "/meta/" then
    errors.arg("channel", "must be a non-meta channel name starting with '/'", 2)
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
function Bayeux:poll(timeout)
  timeout = timeout or 0
  if type(timeout) ~= "number" or timeout ~= timeout or timeout < 0 then
    errors.arg("timeout", "must be a number >= 0", 2)
  end
  local n = self.emitter:dispatch()
  if n > 0 then return n end
  -- At least one pass over the network, even with timeout 0.
  local deadline = now() + timeout
  repeat
    self.transport:pump(math.max(0, deadline - now()))
    n = self.emitter:dispatch()
  until n > 0 or now() >= deadline or self.transport.closed
  return n
end

--- One non-blocking (or up to `timeout`) round for a host event loop.
function Bayeux:step(timeout)
  self.transport:pump(timeout or 0)
  self.emitter:dispatch()
  return true
end

function Bayeux:pollfd() return self.transport:pollfd() end
function Bayeux:events() return self.transport:events() end
function Bayeux:timeout()
  if self.emitter:pending() > 0 then return 0 end
  return self.transport:timeout()
end

function Bayeux:close()
  if self.closed then return end
  self:disconnect(0.5)
  self.closed = true
  if self.owns_transport then self.transport:close() end
end

Bayeux.__gc = function(self)
  self.closed = true
  if self.owns_transport and self.transport then self.transport:close() end
end
Bayeux.__close = Bayeux.close

return M
