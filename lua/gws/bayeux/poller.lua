--- gws.bayeux's poller: the task that keeps a Bayeux session alive (handshake, long poll,
-- backoff and retry, backpressure) and hands what arrives to the owner's intake and listeners.
-- gws.bayeux installs these (private) methods into its Bayeux class at load time; they work on
-- the client's own fields and its request path (`_send`, `_log`, `emit`).
-- @module gws.bayeux.poller
local args = require "gws.args"
local errors = require "gws.errors"
local protocol = require "gws.bayeux.protocol"
local transport = require "gws.transport"

local type = type -- read on every event: a local, not a lookup in _ENV each time

local M = {}

-- The methods, copied into the Bayeux class by `install` (at load time: no __index chain).
local Bayeux = {}

local now = transport.now
local find_reply, meta_error = protocol.find_reply, protocol.meta_error

--- Handshake and replay every subscription. Returns true or nil, err.
function Bayeux:_handshake()
  self.state = "handshaking"
  self.client_id = nil
  local replies, err = self:_send({ protocol.handshake_message() })
  if not replies then return nil, err end
  local hs = find_reply(replies, "/meta/handshake")
  if not hs or hs.successful ~= true or type(hs.clientId) ~= "string" then
    return nil, meta_error(hs, "handshake")
  end
  self.client_id = hs.clientId
  protocol.take_advice(self.advice, hs.advice)
  -- A CometD server may put event messages on any reply, this one and the subscribe's too.
  self:_queue_events(replies)
  if #self.subs > 0 then
    replies, err = self:_send(protocol.subscribe_batch(self.subs))
    if not replies then return nil, err end
    self:_queue_events(replies)
    local m = protocol.failed_subscription(replies)
    if m then return nil, meta_error(m, "subscribe to " .. tostring(m.subscription)) end
  end
  self.handshakes = self.handshakes + 1
  self.polls_since_handshake = 0
  self:_log("info", "bayeux: handshake %d done, %d subscription(s)", self.handshakes, #self.subs)
  return true
end

-- channel -> whether it is a /meta/ one: a lookup instead of a `sub` (a C call and a new
-- string) per event. Bounded: emptied when full (channels come from the server).
local META_CACHE_MAX = 256
local is_meta, is_meta_count = {}, 0

--- Hands every non-meta message of a reply to intake, then (unless intake took it) to
-- dispatch, in order.
-- The loops here and in _deliver walk as ipairs does (up to the first nil, reading each slot
-- as they go) without its call per element.
function Bayeux:_queue_events(replies)
  local intake = self.intake
  local i = 1
  while true do
    local m = replies[i]
    if m == nil then break end
    i = i + 1
    if type(m) == "table" then
      local channel = m.channel
      local meta = is_meta[channel] -- nil for a channel not seen (or not a string)
      if meta == nil and type(channel) == "string" then
        meta = channel:sub(1, 6) == "/meta/"
        if is_meta_count >= META_CACHE_MAX then is_meta, is_meta_count = {}, 0 end
        is_meta[channel] = meta
        is_meta_count = is_meta_count + 1
      end
      if meta == false and not (intake and intake(m)) then
        self.emitter:push(self._deliver, self, m, m.channel)
      end
    end
  end
end

local sub_matches = protocol.sub_matches

--- Runs at dispatch: calls every listener subscribed to a matching channel.
function Bayeux:_deliver(msg)
  local subs = self.subs
  local i = 1
  while true do
    local s = subs[i]
    if s == nil then break end
    i = i + 1
    -- sub_matches' remembered answer read here (the call only on a channel not seen yet)
    local hit = s.matches.map[msg.channel]
    if hit == nil then hit = sub_matches(s, msg.channel) end
    if hit then
      local fns, j = s.fns, 1
      while true do
        local fn = fns[j]
        if fn == nil then break end
        j = j + 1
        self.emitter:invoke(msg.channel, fn, nil, msg.data, msg)
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
    self:emit("gave_up", { attempts = self.attempt - 1, error = err })
    return false
  end
  local delay = protocol.backoff_delay(self.attempt, self.backoff_base, self.backoff_cap)
  local interval = self:_interval()
  if interval > delay then delay = interval end
  self:_log("warn", "bayeux: attempt %d failed (%s); retrying in %.2f s", self.attempt,
    tostring(err), delay)
  self:emit("reconnecting", { attempt = self.attempt, delay = delay, error = err })
  self.transport:sleep(delay)
  return not self.stop_requested
end

function Bayeux:_lost(err, reconnecting)
  local was = self.state
  if was == "connected" then
    -- Once per loss (not per failed attempt: those say "retrying"), for the default stderr log.
    self:_log("warn", "bayeux: connection lost: %s%s", tostring(err), reconnecting and "; reconnecting" or "")
    self:emit("disconnected", { reconnecting = reconnecting, error = err })
  end
  if self.state ~= "gave_up" then self.state = "unconnected" end
end

-- One round of the poller: a handshake when needed, then one long poll. Returns ok, err,
-- need_handshake; ok is "stop" when disconnect() interrupted it.
function Bayeux:_cycle(need_handshake)
  if need_handshake then
    local ok, err = self:_handshake()
    if not ok then return false, err, true end
    self:_connected()
  end
  self:_respect_backpressure()
  if self.stop_requested then return "stop" end
  local replies, err = self:_send({ protocol.connect_message() },
    protocol.poll_timeout(self.advice, self.poll_margin), true)
  if self.stop_requested then return "stop" end
  if not replies then return false, err, false end
  local c = find_reply(replies, "/meta/connect")
  if c then protocol.take_advice(self.advice, c.advice) end
  local polls = self.polls_since_handshake + 1
  self.polls_since_handshake = polls
  -- A long poll on a new connection, other than the first after a (re)handshake: libcurl may
  -- have re-sent it after the kept-alive connection died, and the server may have answered
  -- the first send with events nobody read. Treated as a possible loss, as after a failure.
  local fresh_connection = polls > 1 and (self.last_connects or 0) > 0 and self.attempt == 0
  self:_queue_events(replies)
  if not (c and c.successful == true) then
    return false, meta_error(c, "connect"),
      self.advice.reconnect == "handshake" or (c ~= nil and tostring(c.error):match("^402") ~= nil)
  end
  if self.attempt > 0 then
    self:_log("warn", "bayeux: reconnected after %d failed attempt(s)", self.attempt)
    self.attempt, self.first_failure = 0, nil
    self.state = "connected"
    -- Back after a failure with the same client id: the answer that failed may have carried
    -- events, so the owner hears of it (the GWS client checks its sessions).
    if self.intake then self.intake { channel = "/meta/connect", successful = true, reconnected = true } end
    self:emit("connected", { rehandshake = false })
  elseif fresh_connection and c and c.successful == true then
    self:_log("debug", "bayeux: long poll %d after the handshake opened a new connection", polls)
    if self.intake then self.intake { channel = "/meta/connect", successful = true, reconnected = true } end
  end
  local interval = self:_interval()
  if interval > 0 then self.transport:sleep(interval) end
  return true
end

--- advice.interval in seconds, capped like the backoff.
function Bayeux:_interval()
  local interval = protocol.interval(self.advice)
  if interval > self.backoff_cap then interval = self.backoff_cap end
  return interval
end

--- The poller task: handshake, then long-poll /meta/connect forever, recovering from
-- everything except reconnect advice "none", max_attempts/give_up_after, an owner that
-- refuses to go on, or stop. It cannot die: anything raised inside a round (a hostile reply,
-- an owner's intake) is a "bayeux" error, followed by a re-handshake like any other.
function Bayeux:_run()
  local need_handshake = true
  while not self.stop_requested do
    local called, ok, err, rehandshake = pcall(self._cycle, self, need_handshake)
    if not called then
      self:_log("error", "bayeux: the poller failed: %s", tostring(ok))
      err = errors.new("bayeux", "the notification poller failed: " .. tostring(ok))
      ok, rehandshake = false, true
    end
    if ok == "stop" or (not ok and self.stop_requested) then break end -- disconnect()
    if ok then
      need_handshake = false
    else
      if rehandshake then need_handshake = true end
      if self.advice.reconnect == "none" then
        self:_lost(err, false)
        self.state = "gave_up"
        self:emit("gave_up", { attempts = self.attempt, error = err, reason = "advice" })
        break
      end
      -- The owner hears of every failure first (it may renew credentials on a 403, the
      -- server having forgotten our HTTP session; it may refuse to go on by returning an
      -- error, e.g. credentials no longer accepted), and a 403 is also an event.
      local refused
      if self.intake then
        local fine, r = pcall(self.intake, { channel = "/meta/unsuccessful", error = err,
          http_status = err.http_status })
        if fine and type(r) == "table" then refused = r end
      end
      if refused then
        self:_lost(refused, false)
        self.state = "gave_up"
        self:_log("error", "bayeux: giving up: %s", tostring(refused))
        self:emit("gave_up", { attempts = self.attempt + 1, error = refused, reason = "refused" })
        break
      end
      if err.http_status == 403 then
        need_handshake = true
        self:emit("forbidden", { error = err })
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
  if self.attempt > 0 then
    self:_log("warn", "bayeux: reconnected (new handshake) after %d failed attempt(s)", self.attempt)
  end
  self.attempt, self.first_failure = 0, nil
  self.state = "connected"
  if self.intake then
    self.intake { channel = "/meta/handshake", successful = true, clientId = self.client_id,
                  count = self.handshakes }
  end
  self:emit("handshake", { first = first, count = self.handshakes })
  self:emit("connected", { rehandshake = not first })
end

--- With too many notifications waiting for dispatch, stop polling until the application
-- catches up: the server keeps the events, nothing is dropped.
function Bayeux:_respect_backpressure()
  if not self.emitter:full() then return end
  local n = self.emitter:pending()
  self:_log("warn", "bayeux: %d notifications pending; pausing the long poll", n)
  self:emit("backpressure", { paused = true, pending = n })
  -- Resumed by the first pump after dispatch drained the queue: no waking at intervals.
  self.transport:wait(function()
    return self.stop_requested or self.emitter:pending() < self.emitter.max_pending / 2
  end, math.huge)
  self:emit("backpressure", { paused = false, pending = self.emitter:pending() })
end

--- Copies the poller's methods into `class` (gws.bayeux's Bayeux).
function M.install(class)
  return args.install(class, Bayeux)
end

return M
