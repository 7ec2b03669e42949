--- The client's model of the agent's SMS sessions: the registry of Session objects, intake
-- of notifications (in the poller, in order), their application at dispatch (model first,
-- then callbacks), snapshots from resync, the referenceId memory, and the operations path.
--
-- A notification goes: Bayeux poller -> intake (gap check, receipt number) -> emitter queue
-- -> dispatch -> Session:apply / add_messages -> callbacks.
--
-- Order: every notification gets a receipt number when the poller takes it in (`received`),
-- and a session remembers the number of the last one applied to it (`applied_seq`). A
-- snapshot (the session list read by resync) carries the number current when its request was
-- sent; it never overrides a session that a notification received after that point updated.
local args = require "gws.args"
local errors = require "gws.errors"
local session_mod = require "gws.sms.session"

-- Read on every notification: locals, not a lookup in _ENV (and math) each time.
local type, tointeger = type, math.tointeger

local M = {}

local Model = {}
Model.__index = Model

local REFS_PER_ID = 8 -- notifications kept per referenceId (numbers are reused)


--- opts: http (gws.sms.http), emitter, transport, check_capabilities, max_string, timeout
-- (the default for waits), keep_ended (ended sessions kept, default 100), log(level, fmt, ...)
-- or nil.
function M.new(opts)
  local self = setmetatable({
    http = opts.http,
    emitter = opts.emitter,
    transport = opts.transport,
    check_capabilities = opts.check_capabilities,
    -- The state an offer is in (inferred: configurable, option offer_state), as a set.
    offer = { [opts.offer_state or "Invited"] = true },
    max_string = opts.max_string,
    timeout = opts.timeout,
    log = opts.log,
    sessions = {},          -- id -> Session
    order = {},             -- Sessions in the order first heard of
    -- referenceId -> the latest few notifications that carried it ({ seq, sid, data }): the
    -- vendor reuses small numbers (17 for Accept's StatusChange and again for Leave's).
    refs = args.cache(1000),
    issued = args.cache(1000), -- referenceId -> { after, sid } of the operation that returned it
    -- session id -> highest message index queued for dispatch. The marker never moves past a
    -- message that was not queued: a gap parks the session (`blocked`) until it is repaired.
    intake_last = {},
    forgotten = args.cache(1024), -- intake_last of sessions dropped from the registry
    blocked = {},           -- session id -> what arrived for it while its gap is repaired
    holding = false,        -- the first resync runs: notifications wait in `held`
    held = {},              -- data, seq, data, seq, ... taken in while holding
    wake_repair = nil,      -- function(): starts the repairer (set by the owner)
    acted_on = args.cache(1024), -- sessions operated on before the first resync
    resynced = false,       -- the first resync is done
    received = 0,           -- receipt number of the last notification taken in
    keep_ended = opts.keep_ended or 100,
    ended_list = {},        -- ended sessions in the order they ended (forgotten oldest first)
  }, Model)
  -- Queue handlers, made once so a push allocates nothing.
  self.on_live = function(data, seq) self:_apply(data, seq, false) end
  self.on_snapshot = function(data, sent) self:_apply(data, sent, true) end
  return self
end

-- Bounded: emptied when full (a plain table lookup is what makes the cache worth having).
local ID_CACHE_MAX = 1024
local id_of_uri, id_of_uri_count = {}, 0
-- The last uri looked up and its id: a uri is longer than Lua's short strings (40 bytes), so
-- each notification's is a new string whose first use as a table key hashes every byte; an
-- equality test with the previous one (the same session, usually) is a length and memcmp.
local last_uri, last_id = nil, nil

local function session_id_of(data)
  local s = data.smssession or data.smsession
  -- (`~= nil` first: a NewMessages has no session table, and type() is a C call.)
  if s ~= nil and type(s) == "table" and type(s.id) == "string" then return s.id, s end
  local uri = data.smssessionUri or data.smsessionUri or data.smssessionPath or data.smsessionPath
  if uri == nil then return nil end
  if uri == last_uri then return last_id, nil end
  -- uri -> id cache: every notification of a session carries the same uri, and the pattern's
  -- `.*` backtracks character by character (7.7k instructions per event when run twice).
  -- Only strings are ever stored, so a hit needs no type check.
  local id = id_of_uri[uri]
  if id == nil then
    if type(uri) ~= "string" then return nil end
    -- Anchored patterns: an unanchored "([^/]+)/*$" retries from every position (3.7 us a call).
    id = uri:match("^.*/([^/]+)/*$") or uri:match("^([^/]+)/*$") or false
    if id_of_uri_count >= ID_CACHE_MAX then id_of_uri, id_of_uri_count = {}, 0 end
    id_of_uri[uri] = id
    id_of_uri_count = id_of_uri_count + 1
  end
  last_uri, last_id = uri, id or nil
  return id or nil, nil
end
M.session_id_of = session_id_of

--- The Session for an id, made on first use.
function Model:session_for(id)
  local s = self.sessions[id]
  if not s then
    s = session_mod.new(self, id)
    self.sessions[id] = s
    self.order[#self.order + 1] = s
  end
  return s
end

--- Queues an event for dispatch (in order with the notifications).
function Model:emit(name, info)
  self.emitter:emit(name, info)
end

--- Drops a session from the registry now (its Session object stays valid for whoever holds
-- it). Returns true if it was known.
function Model:forget(id)
  local s = self.sessions[id]
  if not s then return false end
  self.sessions[id] = nil
  local order = self.order
  for i = #order, 1, -1 do
    if order[i] == s then
      table.remove(order, i)
      break
    end
  end
  local last = self.intake_last[id]
  if last then self.forgotten:put(id, last) end
  self.intake_last[id] = nil
  return true
end

-- Runs at dispatch after a session's "ended" was fired: keeps at most keep_ended of them.
function Model:_ended(sess)
  local list = self.ended_list
  list[#list + 1] = sess
  while #list > self.keep_ended do
    local old = table.remove(list, 1)
    if old.ended and self.sessions[old.id] == old then self:forget(old.id) end
  end
end

---------------------------------------------------------------------------------------------
-- Intake: in the poller, before the notification is queued

local function highest_index(messages, hi)
  for _, m in ipairs(messages) do
    local i = type(m) == "table" and type(m.index) == "number" and tointeger(m.index)
    if i and i > hi then hi = i end
  end
  return hi
end

--- Records that messages up to their highest index are queued for session `id`.
function Model:note_intake(id, messages)
  self.intake_last[id] = highest_index(messages, self.intake_last[id] or 0)
end

--- Takes one notification in (called in the poller for each). Returns true: it is queued
-- (or held until the first resync is done, or parked while its session is repaired).
function Model:intake(data)
  if type(data) ~= "table" then return false end
  local seq = self.received + 1
  self.received = seq
  if self.holding then
    local held = self.held
    held[#held + 1] = data
    held[#held + 1] = seq
    return true
  end
  self:_take(data, seq)
  return true
end

-- The lowest and highest message index in one pass (nil, nil when none has an index).
local function index_bounds(messages)
  local lo, hi
  local k = 1
  while true do -- as ipairs walks (to the first nil), without its call per element
    local m = messages[k]
    if m == nil then break end
    k = k + 1
    local i = type(m) == "table" and type(m.index) == "number" and tointeger(m.index)
    if i then
      if lo == nil then
        lo, hi = i, i
      elseif i < lo then
        lo = i
      elseif i > hi then
        hi = i
      end
    end
  end
  return lo, hi
end

-- A NewMessages whose first index skips past the last one queued means events were lost in
-- transit (or the server skips numbers): the session is parked, and the repairer fetches the
-- gap and then releases what arrived meanwhile, so the transcript stays whole and in order.
function Model:_take(data, seq)
  local id = session_id_of(data)
  if id then
    local parked = self.blocked[id]
    if parked then
      parked[#parked + 1] = { self.on_live, data, seq }
      return
    end
    local messages = data.messages
    if type(messages) == "table" then
      local lo, hi
      if #messages == 1 then -- the usual notification: no loop (and no call) for one message
        local m = messages[1]
        local i = type(m) == "table" and type(m.index) == "number" and tointeger(m.index)
        if i then lo, hi = i, i end
      else
        lo, hi = index_bounds(messages)
      end
      local last = self.intake_last[id]
      local seen = last or self.forgotten:get(id) or 0
      if lo and lo > seen + 1 and not args.id_problem(id) then
        if self.log then
          self.log("info", "session %s: messages %d..%d missing; fetching them", id, seen + 1, lo - 1)
        end
        self:block(id)
        parked = self.blocked[id]
        parked[#parked + 1] = { self.on_live, data, seq }
        return
      end
      -- note_intake, from the pass above
      last = last or 0
      if hi and hi > last then last = hi end
      self.intake_last[id] = last
    end
  end
  self.emitter:push(self.on_live, data, seq, id)
end

--- Marks session `id` as needing repair: what arrives for it waits until the repairer has
-- fetched its messages after the marker.
function Model:block(id)
  if not self.blocked[id] then
    self.blocked[id] = {}
    if self.wake_repair then self.wake_repair() end
  end
end

--- Queues handler(data, seq) for session `id`, behind what is parked for it.
function Model:queue(id, handler, data, seq)
  local parked = id and self.blocked[id]
  if parked then
    parked[#parked + 1] = { handler, data, seq }
  else
    self.emitter:push(handler, data, seq, id)
  end
end

-- What a failed fetch that will not succeed by retrying looks like: the server answered, and
-- said the session or its messages are not there.
local function permanent(err)
  return err.kind == "status" or err.http_status == 404 or err.http_status == 400
end

--- Repairs a parked session: fetches its messages after the marker, queues them, then
-- releases what was parked. Returns true, or nil and the error (the repairer retries).
-- `read(id, from)` -> messages or nil, err: how to fetch (default one GetMessages request;
-- the repairer passes one that pages a gap larger than max_body).
function Model:repair(id, read)
  local from = (self.intake_last[id] or self.forgotten:get(id) or 0) + 1
  local msgs, err
  if read then msgs, err = read(id, from) else msgs, err = self.http:messages(id, from) end
  if not msgs and not permanent(err) then return nil, err end
  if not msgs and self.log then
    self.log("warn", "session %s: messages from %d cannot be fetched: %s", id, from, tostring(err))
  end
  local parked = self.blocked[id]
  self.blocked[id] = nil
  if msgs and #msgs > 0 then
    self:note_intake(id, msgs)
    self.emitter:push(self.on_live, { messageType = "MessageLogUpdated", notificationType = "NewMessages",
      messages = msgs, smssessionUri = id, resynced = true }, self.received, id)
  end
  -- The server's transcript now covers what was parked: queued as it came, the model's
  -- per-index dedupe keeps each message once.
  for _, p in ipairs(parked or {}) do
    local data = p[2]
    if p[1] == self.on_live and type(data.messages) == "table" then self:note_intake(id, data.messages) end
    self.emitter:push(p[1], data, p[3], id)
  end
  return true
end

--- Ends the hold of the first resync: what arrived meanwhile is taken in, in order.
function Model:release_held()
  self.holding = false
  local held = self.held
  self.held = {}
  for i = 1, #held, 2 do self:_take(held[i], held[i + 1]) end
end

---------------------------------------------------------------------------------------------
-- Dispatch: the model first, then callbacks

-- `seq`: a live notification's receipt number, or for a snapshot the number current when its
-- request was sent.
function Model:_apply(data, seq, snapshot)
  local id, ss = session_id_of(data)
  local sess, derived, fresh, one = nil, nil, nil, nil
  if id then
    sess = self.sessions[id] or self:session_for(id)
    if ss then
      if not snapshot then
        sess.applied_seq = seq
        derived = sess:apply(ss, data.notificationType)
      elseif sess.applied_seq <= seq then
        derived = sess:apply(ss, data.notificationType)
      else
        return -- newer news than this snapshot already applied: it says nothing new
      end
    end
    local messages = data.messages
    if type(messages) == "table" then
      -- The usual notification carries one message: no list of the new ones is made for it.
      if #messages == 1 then one = sess:add_message(messages[1]) else fresh = sess:add_messages(messages) end
    end
  end
  local ref = data.referenceId
  if ref ~= nil then
    local list = self.refs:get(ref) or self.refs:put(ref, {})
    if #list >= REFS_PER_ID then table.remove(list, 1) end
    list[#list + 1] = { seq = seq, sid = id, data = data }
  end
  -- fire, not fire_in: the lane is the dispatched item's already (fire_in only forwards).
  -- A name nobody listens to (the emitter's `listeners` holds name -> array) costs no call.
  local em = self.emitter
  local listeners = em.listeners
  local kind = data.notificationType
  if listeners[kind] ~= nil and type(kind) == "string" then em:fire(kind, data, sess or id) end
  if listeners["*"] ~= nil then em:fire("*", data, sess or id) end
  if derived then
    for _, ev in ipairs(derived) do
      em:fire(ev[1], ev[2], ev[3], ev[4])
      if ev[1] == "ended" then self:_ended(ev[2]) end
    end
  end
  -- "message" after the session's own events, without a { "message", m, sess } per message
  if one then
    em:fire("message", one, sess)
  elseif fresh then
    for i = 1, #fresh do em:fire("message", fresh[i], sess) end
  end
end

--- Runs a notification through the model and the callbacks now, as dispatch would.
function Model:dispatch(data)
  if type(data) ~= "table" then return end
  self.received = self.received + 1
  self:_apply(data, self.received, false)
end

--- On the first handshake, what the server already holds is history, not news: the session
-- and its transcript go into the model without "message" or "state" events (a pending offer
-- still says "invited": it is waiting for an answer). Runs at dispatch; `sent` as for
-- snapshots.
function Model:adopt(s, msgs, sent)
  local sess = self:session_for(s.id)
  if sess.applied_seq > sent then
    sess:add_messages(msgs) -- the live news already told the rest
    return
  end
  local derived = sess:apply(s, "ParticipantsUpdated")
  sess:add_messages(msgs)
  for _, ev in ipairs(derived) do
    if ev[1] == "invited" then self.emitter:fire_in(sess.id, "invited", sess) end
  end
end

--- A session the server no longer lists ended while we were away. Runs at dispatch.
function Model:ended_away(sess, sent)
  if sess.ended or sess.applied_seq > sent then return end
  sess.ended = true
  self.emitter:fire_in(sess.id, "ended", sess)
  self:_ended(sess)
end

---------------------------------------------------------------------------------------------
-- Operations and waits (for the client and for Session objects)

--- Sends one operation on session `id` (body built and checked by the caller): remembers
-- that we acted on it (for the first resync), refuses locally what the session's
-- capabilities do not allow (check_capabilities), then POSTs.
function Model:perform(id, entry, body, timeout)
  local sess = self.sessions[id]
  if not sess and not self.resynced and self.acted_on.map[id] == nil then
    self.acted_on:put(id, true) -- only the first resync reads it
  end
  if self.check_capabilities and sess and not sess:can(entry.op) then
    return nil, errors.new("capability", ("%s is not allowed for session %s in state %s (allowed: %s);"
      .. " the request was not sent (check_capabilities = false sends it anyway)"):format(
      entry.op, id, tostring(sess.state), table.concat(sess.capabilities, ", ")),
      { operation = entry.op, state = sess.state })
  end
  return self:post(id, body, timeout)
end

--- POSTs an operation body on session `id`. An answer's referenceId is remembered with the
-- session and the receipt number before sending, so wait_reference looks at what came after
-- this call only (a reused number never finds an older notification).
function Model:post(id, body, timeout)
  local after = self.received
  local res, err = self.http:call("POST", "/me/smssessions/" .. id, body, timeout)
  local ref = res and res.referenceId
  if ref ~= nil then self.issued:put(ref, { after = after, sid = id }) end
  return res, err
end

--- Waits (dispatching, or yielding in a task) until pred() is true: returns `result`, or nil
-- and a "timeout" error whose message is desc().
function Model:wait(pred, timeout, desc, result)
  timeout = timeout or self.timeout
  if self.transport:wait(pred, timeout, true) then return result end
  if self.transport.closed then return nil, errors.new("closed", "the client was closed while waiting") end
  return nil, errors.new("timeout", ("%s within %g s"):format(desc(), timeout))
end

--- The first notification carrying referenceId `ref` received after receipt number `after`
-- and, with `sid`, about that session (or about none: an Error names no session), or nil.
function Model:reference(ref, after, sid)
  local list = self.refs:get(ref)
  if not list then return nil end
  after = after or 0
  for _, e in ipairs(list) do
    if e.seq > after and (sid == nil or e.sid == nil or e.sid == sid) then return e.data end
  end
end

--- Where a wait for `ref` looks: after the operation that returned it and on its session;
-- for a number no operation of ours returned, from now on.
function Model:reference_scope(ref)
  local issued = self.issued:get(ref)
  if issued then return issued.after, issued.sid end
  return self.received, nil
end

return M
