--- The client's live model of one SMS session, kept up to date from notifications (and from
-- resync after an outage) before any user callback sees them.
--
-- Fields (read them, don't write them):
--   id, uri, state, capabilities (array), participants (array), user_data (table),
--   messages (the transcript in index order, each index once, gaps allowed),
--   last_index (highest message index seen), ended (true once Completed or Revoked)
-- Methods: can(op), message(index), wait(pred_or_state, timeout), and every operation of
-- gws.sms.operations without the id: session:send_message("hi").
local M = {}

local Session = {}
Session.__index = Session
M.Session = Session

M.FINAL = { Completed = true, Revoked = true }

function M.new(client, id)
  return setmetatable({
    client = client,
    id = id,
    state = nil,
    capabilities = {},
    caps = {},          -- set view of capabilities
    participants = {},
    user_data = {},
    messages = {},
    seen = {},          -- index -> true
    last_index = 0,
    ended = false,
  }, Session)
end

function Session:__tostring()
  return ("gws.sms.Session(%s, %s)"):format(self.id, tostring(self.state))
end

--- True when the latest capabilities allow operation `op` (an operationName, e.g.
-- "SendMessage"). Before any state is known it answers true: the server decides.
function Session:can(op)
  if self.state == nil then return true end
  return self.caps[op] == true
end

--- The transcript message with that index, or nil.
function Session:message(index)
  if not self.seen[index] then return nil end
  for i = #self.messages, 1, -1 do
    if self.messages[i].index == index then return self.messages[i] end
  end
end

--- Applies a SESSION table from a notification or a read. Returns the derived events as a
-- list of { name, ... }, in the order they should fire.
function Session:apply(s, notification_type)
  local events = {}
  if type(s.uri) == "string" then self.uri = s.uri end
  if type(s.capabilities) == "table" then
    self.capabilities = s.capabilities
    local set = {}
    for _, c in ipairs(s.capabilities) do set[c] = true end
    self.caps = set
  end
  -- A StatusChange may carry an empty participant list (the vendor's own sample does); only a
  -- ParticipantsUpdated, or a non-empty list, replaces what we know.
  local p = s.participants
  if type(p) == "table" and (notification_type == "ParticipantsUpdated" or #p > 0) then
    self.participants = p
  end
  if type(s.userData) == "table" then self.user_data = s.userData end
  local old, new = self.state, s.state
  if type(new) == "string" and new ~= old then
    self.state = new
    if new == "Invited" then events[#events + 1] = { "invited", self } end
    events[#events + 1] = { "state", self, old, new }
    if M.FINAL[new] and not self.ended then
      self.ended = true
      events[#events + 1] = { "ended", self }
    elseif not M.FINAL[new] and self.ended then
      self.ended = false -- offered again (e.g. transferred back): unknown states pass through
    end
  end
  return events
end

--- Merges transcript messages; returns the ones not seen before, in index order.
function Session:add_messages(list)
  local fresh = {}
  for _, m in ipairs(list) do
    local i = type(m) == "table" and type(m.index) == "number" and math.tointeger(m.index)
    if i and not self.seen[i] then
      self.seen[i] = true
      m.index = i -- JSON numbers may arrive as floats
      fresh[#fresh + 1] = m
    end
  end
  table.sort(fresh, function(a, b) return a.index < b.index end)
  for _, m in ipairs(fresh) do
    local msgs = self.messages
    if #msgs == 0 or msgs[#msgs].index < m.index then
      msgs[#msgs + 1] = m
    else
      -- A late message (resync filling a gap): insert it where its index belongs.
      local pos = #msgs
      while pos > 0 and msgs[pos].index > m.index do pos = pos - 1 end
      table.insert(msgs, pos + 1, m)
    end
    if m.index > self.last_index then self.last_index = m.index end
  end
  return fresh
end

--- Waits until the session satisfies `what` (a state name, or a function(session) returning
-- true), dispatching notifications meanwhile. Returns the session, or nil and a "timeout" error.
function Session:wait(what, timeout)
  return self.client:_wait_session(self, what, timeout)
end

return M
