--- The client's live model of one SMS session, kept up to date from notifications (and from
-- snapshots: the session list at resync) before any user callback sees them.
--
-- Fields (read them, don't write them):
--   id, uri, state, capabilities (array), participants (array), user_data (table),
--   messages (the transcript in index order, each index once, gaps allowed),
--   last_index (highest message index seen), ended (true once Completed or Revoked)
-- Methods: can(op), message(index), wait(pred_or_state, timeout), and every operation of
-- gws.sms.operations without the id: session:send_message("hi").
--
-- The state only moves forward: once a session was past its offer (Chatting, LeftChat, …) it
-- never goes back to an offer state, and "invited" and "ended" fire once per offer (a session
-- that ended and is offered again, e.g. transferred back, starts a new round).
-- @module gws.sms.session
local args = require "gws.args"
local names = require "gws.names"
local operations = require "gws.sms.operations"

-- Read on every notification: locals, not a lookup in _ENV (and math) each time.
local type, tointeger = type, math.tointeger

local M = {}

local Session = {}
Session.__index = Session
Session.is_session = true -- lets gws.args take a Session where an id is expected
M.Session = Session

M.FINAL = { Completed = true, Revoked = true }
M.OFFER = { Invited = true }
local FINAL, OFFER = M.FINAL, M.OFFER

--- One SMS session as the client sees it: get it from a callback, `Client:session(id)` or
-- `Client:sessions()`; never make one. Read its fields, don't write them. Every operation of
-- `Client` exists here without the id: `session:send_message("hi")`. A method that does not
-- exist raises naming the closest one.
-- @type Session
-- @field id the session id (string)
-- @field uri its URI, once a notification gave it (string or nil)
-- @field state "Invited", "Chatting", "LeftChat", "Completed", "Revoked" or whatever the
-- server sends (nil before the first notification)
-- @field capabilities the operationNames the server says are possible now (array)
-- @field participants PARTICIPANT tables (array; see "Data shapes")
-- @field user_data the attached user data (table key -> string or number)
-- @field messages the transcript: MESSAGE tables in index order, each index once, gaps allowed
-- @field last_index the highest message index seen (0: none)
-- @field ended true once Completed or Revoked (false again when offered anew)

--- `owner` carries the session's operations and waits: owner:perform(id, entry, body,
-- timeout) sends one operation, owner.transport:wait(pred, timeout, true) waits.
-- (Internal: the model makes sessions.)
-- @local
-- @tparam table owner the model
-- @tparam string id the session id
-- @treturn Session
function M.new(owner, id)
  return setmetatable({
    owner = owner,
    id = id,
    state = nil,
    capabilities = {},
    caps = false,       -- set view of capabilities, made by the first can() after a change
    participants = {},
    user_data = {},
    messages = {},
    by_index = {},      -- index -> message
    last_index = 0,
    ended = false,
    invited = false,    -- "invited" fired for the current offer
    applied_seq = 0,    -- receipt number of the last notification applied (see gws.sms.model)
  }, Session)
end

function Session:__tostring()
  return ("gws.sms.Session(%s, %s)"):format(self.id, tostring(self.state))
end

-- Capability lists do not always spell operation names: the vendor's lists say "InFocus" as
-- well as "SetInFocus", and "SendStopTypingToAgentsNotification" (plural) for the operation
-- whose page prints "SendStopTypingToAgentNotification" (vendor/INDEX.md §2.1, §2.8). Both a
-- list entry and the name asked about go through this, so either spelling matches the other.
local ALIASES = { InFocus = "SetInFocus" }

--- The one spelling of an operation or capability name that can() compares.
-- @local
-- @tparam string name an operationName or capability
-- @treturn string its one spelling
function M.capability_name(name)
  name = ALIASES[name] or name
  return (name:gsub("ToAgentNotification$", "ToAgentsNotification"))
end
local capability_name = M.capability_name

--- True when the latest capabilities name operation `op` (an operationName, e.g.
-- "SendMessage", in any of the vendor's spellings). Before any state is known it answers
-- true. Advisory: the vendor's lists are incomplete (operations that work are missing from
-- them), so unless check_capabilities is on the client sends regardless and the server decides.
-- @tparam string op an operationName, e.g. "SendMessage"
-- @treturn boolean
function Session:can(op)
  if self.state == nil then return true end
  local caps = self.caps
  if not caps then
    -- Made when asked for, not per update: most sessions are never asked (B7: memory per agent).
    caps = {}
    for _, c in ipairs(self.capabilities) do
      if type(c) == "string" then caps[capability_name(c)] = true end
    end
    self.caps = caps
  end
  return type(op) == "string" and caps[capability_name(op)] == true
end

--- The transcript message with that index, or nil.
-- @tparam integer index a message index
-- @treturn ?table the MESSAGE table
function Session:message(index)
  return self.by_index[index]
end

--- Applies a SESSION table from a notification or a snapshot. Returns the derived events as
-- a list of { name, ... }, in the order they should fire.
-- (Internal: the model calls it before any callback runs.)
-- @local
-- @tparam table s a SESSION table
-- @tparam[opt] string notification_type the notification's type
-- @treturn {table,...} the derived events
function Session:apply(s, notification_type)
  local events = {}
  local old, new = self.state, s.state
  local offer = self.owner.offer or OFFER -- the model's (option offer_state), if it has one
  -- Past the offer, an offer state is stale news (a snapshot taken before the accept): the
  -- whole view it came with (capabilities, participants) is as old, so none of it applies.
  if offer[new] and old ~= nil and not offer[old] and not FINAL[old] then return events end
  if type(s.uri) == "string" then self.uri = s.uri end
  if type(s.capabilities) == "table" then
    self.capabilities = s.capabilities
    self.caps = false -- can() makes the set anew
  end
  -- A StatusChange may carry an empty participant list (the vendor's own sample does); only a
  -- ParticipantsUpdated, or a non-empty list, replaces what we know.
  local p = s.participants
  if type(p) == "table" and (notification_type == "ParticipantsUpdated" or #p > 0) then
    self.participants = p
  end
  if type(s.userData) == "table" then self.user_data = s.userData end
  if type(new) == "string" and new ~= old then
    self.state = new
    if offer[new] then
      self.ended = false -- offered (again, e.g. transferred back): a new round
      if not self.invited then
        self.invited = true
        events[#events + 1] = { "invited", self }
      end
    end
    events[#events + 1] = { "state", self, old, new }
    if FINAL[new] and not self.ended then
      self.ended, self.invited = true, false
      events[#events + 1] = { "ended", self }
    elseif not FINAL[new] then
      self.ended = false -- unknown states pass through
    end
  end
  return events
end

local function by_index(a, b) return a.index < b.index end

-- Puts message `m` (index i, not in the transcript yet) where its index belongs.
local function place(self, m, i)
  local msgs = self.messages
  local n = #msgs
  if n == 0 or msgs[n].index < i then
    msgs[n + 1] = m
  else
    -- A late message (resync filling a gap): insert it where its index belongs.
    local pos = n
    while pos > 0 and msgs[pos].index > i do pos = pos - 1 end
    table.insert(msgs, pos + 1, m)
  end
  if i > self.last_index then self.last_index = i end
end

--- add_messages for one message, without a list: returns it when it is new, else nil.
-- (Internal: the model's path for the usual notification, which carries one message.)
-- @local
-- @tparam table m a MESSAGE table
-- @treturn ?table m, when new
function Session:add_message(m)
  local i = type(m) == "table" and type(m.index) == "number" and tointeger(m.index)
  if not i or self.by_index[i] then return nil end
  self.by_index[i] = m
  m.index = i -- JSON numbers may arrive as floats
  local msgs = self.messages
  local n = #msgs
  if n > 0 and msgs[n].index < i and i > self.last_index then
    msgs[n + 1] = m -- the usual case, place's first branch without its call
    self.last_index = i
  else
    place(self, m, i)
  end
  return m
end

--- Merges transcript messages; returns the ones not seen before, in index order.
-- (Internal: the model calls it before any callback runs.)
-- @local
-- @tparam {table,...} list MESSAGE tables
-- @treturn {table,...} the new ones
function Session:add_messages(list)
  local fresh, seen = {}, self.by_index
  for _, m in ipairs(list) do
    local i = type(m) == "table" and type(m.index) == "number" and tointeger(m.index)
    if i and not seen[i] then
      seen[i] = m
      m.index = i -- JSON numbers may arrive as floats
      fresh[#fresh + 1] = m
    end
  end
  if #fresh > 1 then table.sort(fresh, by_index) end
  for _, m in ipairs(fresh) do place(self, m, m.index) end
  return fresh
end

--- Waits until the session satisfies `what` (a state name, or a function(session) returning
-- true), dispatching notifications meanwhile (yielding inside a task). Returns the session,
-- or nil and a "timeout" error.
-- Dispatches notifications (their callbacks run) while it waits; inside a callback or a task
-- it yields instead (other sessions' callbacks go on; this session's later ones wait their turn).
-- @tparam string|function what a state name, or `function(session) -> bool`
-- @tparam[opt] number timeout seconds (default: the client's timeout)
-- @treturn Session the session
-- @return nil, err (kind "timeout")
function Session:wait(what, timeout)
  args.seconds(timeout, "timeout", 2)
  local pred, desc
  if type(what) == "string" then
    pred = function() return self.state == what end
    desc = function() return ("session %s did not reach state %s (it is %s)"):format(self.id, what,
      tostring(self.state)) end
  elseif type(what) == "function" then
    pred = function() return what(self) end
    desc = function() return ("session %s did not satisfy the condition"):format(self.id) end
  else
    args.fail("what", "expected a state name or a function(session)", 2)
  end
  return self.owner:wait(pred, timeout, desc, self)
end

-- Every operation of the table, without the id: session:send_message("hi").
for _, entry in ipairs(operations.list) do
  Session[entry.name] = function(self, arg, opts)
    local timeout = opts ~= nil and args.call_opts(opts, 2) or nil
    local body, name, why = operations.build(entry, arg, self.owner.max_string)
    if not body then args.fail(name, why, 2) end
    return self.owner:perform(self.id, entry, body, timeout)
  end
end

-- A method that does not exist raises naming the closest one; state and uri are the fields
-- that may be nil (before the first notification about the session).
names.strict(Session, "gws.sms session", { state = true, uri = true })

return M
