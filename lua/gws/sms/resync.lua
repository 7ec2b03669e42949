--- Repair: the one mechanism that brings the model back in line with the server whenever
-- notifications may have been lost, with retries until it succeeds.
--
-- Two kinds of work, done by one task (the repairer) that runs while there is any:
--   * a list resync, after every handshake and after any failure of the long poll (even one
--     the Bayeux client id survived: the lost answer may have carried events): the session
--     list (and the messages we lack) become the same events a live connection would have
--     delivered, queued in order with the live ones; the model's per-index dedupe keeps each
--     message once, and its receipt numbers keep a list that was answered late from undoing
--     newer news (see gws.sms.model);
--   * the repair of each parked session (a gap by index, or a fetch that failed): its
--     messages after the marker are fetched, then what was parked is released.
-- A failure of either is retried with backoff; a failed list also says "resync_failed".
--
-- On the first handshake, what the server already holds is history (adopted silently),
-- except sessions this client acted on before (news: a session offered and accepted while
-- the first list was on its way must not have its first messages swallowed). Meanwhile live
-- notifications are held (model.holding), so that the first connect is atomic: every message
-- before the adoption is history, every one after it is news, each exactly once.
local session_mod = require "gws.sms.session"

local M = {}

local Repairer = {}
Repairer.__index = Repairer

local FINAL = session_mod.FINAL

--- model: gws.sms.model; http: gws.sms.http; backoff(attempt) -> seconds before retry
-- number `attempt`.
function M.new(model, http, backoff)
  local self = setmetatable({
    model = model, http = http, backoff = backoff,
    list_wanted = false, first = false, running = false, attempt = 0, closed = false,
    last_error = nil, -- the last failure, for a caller waiting for the first resync
  }, Repairer)
  model.wake_repair = function() self:wake() end
  return self
end

--- Asks for a list resync (`first`: the first handshake's, which adopts history). For the
-- first, notifications are held from now until the adoption is queued.
function Repairer:want_list(first)
  self.list_wanted = true
  if first then
    self.first = true
    self.model.holding = true
  end
  self:wake()
end

--- Starts the repairer task unless it runs already.
function Repairer:wake()
  if self.running or self.closed then return end
  self.running = true
  self.model.transport:spawn("repair", self._run, self)
end

function Repairer:close()
  self.closed = true
end

function Repairer:_run()
  local model, log = self.model, self.model.log
  while not self.closed do
    local failed
    if self.list_wanted then
      self.list_wanted = false
      local ok, err = M.list(model, self.http, self.first)
      if ok then
        if self.first then
          self.first = false
          model.resynced = true
          model.acted_on:clear()
          model:release_held()
        end
      else
        self.list_wanted = true
        failed = err
        if log then log("warn", "resync failed: %s", tostring(err)) end
        model:emit("resync_failed", { error = err })
      end
    end
    if not failed then
      local ids = {}
      for id in pairs(model.blocked) do ids[#ids + 1] = id end
      for _, id in ipairs(ids) do
        if model.blocked[id] and not self.closed then
          local ok, err = model:repair(id)
          if not ok then
            failed = err
            if log then log("warn", "session %s: could not fetch missing messages (will retry): %s", id,
              tostring(err)) end
          end
        end
      end
    end
    if failed then
      self.last_error = failed
      self.attempt = self.attempt + 1
      model.transport:sleep(self.backoff(self.attempt))
    else
      self.attempt, self.last_error = 0, nil
      -- Checked and left without yielding in between: a request made meanwhile is not lost.
      if not self.list_wanted and next(model.blocked) == nil then break end
    end
  end
  self.running = false
end

--- One list resync. Returns true, or nil and an error (nothing was queued then, for the
-- first; for a later one, sessions whose messages could not be read are parked for repair).
function M.list(model, http, first)
  local log = model.log
  local sent = model.received -- notifications taken in after this are newer than the list
  local list, err = http:list_sessions()
  if not list then return nil, err end
  -- The first resync adopts all or nothing: history fetched for every session first, so a
  -- failure leaves nothing half adopted (it is retried whole).
  local history = {}
  if first then
    for _, s in ipairs(list) do
      if type(s) == "table" and type(s.id) == "string" and not model.sessions[s.id]
         and not FINAL[s.state] and model.acted_on:get(s.id) == nil and not model.offer[s.state] then
        local msgs
        msgs, err = http:messages(s.id)
        if not msgs then return nil, err end
        history[s.id] = msgs
      end
    end
  end
  local em = model.emitter
  local listed, changed = {}, 0
  for _, s in ipairs(list) do
    if type(s) == "table" and type(s.id) == "string" then
      listed[s.id] = true
      local id = s.id
      local known = model.sessions[id]
      local final = FINAL[s.state]
      -- A session that ended before we ever heard of it is history, not news: skipped.
      if final and not known then -- luacheck: ignore 542
      elseif first and not known and model.acted_on:get(id) == nil then
        local msgs = history[id] or {}
        model:note_intake(id, msgs)
        em:push(function() model:adopt(s, msgs, sent) end, nil, nil, id)
      else
        local status = { messageType = "SMSsessionStateChangeMessage", notificationType = "StatusChange",
                         smssession = s, resynced = true }
        local state_differs = not known or known.state ~= s.state
        if state_differs and not final then model:queue(id, model.on_snapshot, status, sent) end
        if not model.offer[s.state] and s.state ~= "Revoked" and (not final or known)
           and not model.blocked[id] then
          local msgs, merr = http:messages(id, (model.intake_last[id] or 0) + 1)
          if not msgs then
            if log then log("warn", "resync: session %s: messages not read (%s); repairing", id,
              tostring(merr)) end
            model:block(id)
          elseif #msgs > 0 then
            changed = changed + 1
            -- Parked, the marker moves when it is released.
            if not model.blocked[id] then model:note_intake(id, msgs) end
            model:queue(id, model.on_live, { messageType = "MessageLogUpdated",
              notificationType = "NewMessages", messages = msgs, smssessionUri = s.uri or id,
              resynced = true }, sent)
          end
        end
        if state_differs and final then model:queue(id, model.on_snapshot, status, sent) end
        if state_differs then changed = changed + 1 end
      end
    end
  end
  for _, s in ipairs(model.order) do
    if not listed[s.id] and not s.ended then
      changed = changed + 1
      model:queue(s.id, function() model:ended_away(s, sent) end)
    end
  end
  if log then log("info", "resync: %d session(s) listed, %d changed", #list, changed) end
  model:emit("resynced", { sessions = #list, changed = changed, first = first })
  return true
end

return M
