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
-- A failure of either is retried with backoff; a failed list, and each session whose
-- messages it could not read, also say "resync_failed" (with `session` for the latter).
--
-- On the first handshake, what the server already holds is history (adopted silently),
-- except sessions this client acted on before (news: a session offered and accepted while
-- the first list was on its way must not have its first messages swallowed). Meanwhile live
-- notifications are held (model.holding), so that the first connect is atomic: every message
-- before the adoption is history, every one after it is news, each exactly once.
-- One session whose transcript cannot be read does not keep the others out (nor the bot from
-- starting): it is adopted from the list without its messages and parked; the repairer reads
-- its transcript later, and what precedes the first notification parked for it is history.
local session_mod = require "gws.sms.session"

local M = {}

local Repairer = {}
Repairer.__index = Repairer

local FINAL = session_mod.FINAL

-- Messages a page when a transcript is larger than max_body (halved while still too large).
local PAGE = 256
-- Messages larger than max_body skipped in a row before the read is given up (a server that
-- ignores startIndex/count would otherwise be asked forever).
local MAX_SKIPPED = 16

local function index_of(m)
  return type(m) == "table" and type(m.index) == "number" and math.tointeger(m.index) or nil
end

-- What a failed read that will not succeed by retrying looks like: the server answered, and
-- said the session or its messages are not there (the same reading as gws.sms.model's repair).
local function permanent(err)
  return err.kind == "status" or err.http_status == 404 or err.http_status == 400
end

--- The messages of session `id` from index `from` (nil: all) on: one request, or, when that
-- answer is larger than max_body, pages of startIndex/count (a single message larger than
-- max_body can never be read: it is skipped, with a warn line). Returns the list, or nil and
-- an error.
function M.read_messages(http, log, id, from)
  local msgs, err = http:messages(id, from)
  if msgs or err.kind ~= "too_large" then return msgs, err end
  local all, start, count, skipped = {}, from or 1, PAGE, 0
  while true do
    local page
    page, err = http:messages(id, start, count)
    if page then
      for _, m in ipairs(page) do all[#all + 1] = m end
      if #page < count then return all end
      -- From after the last index read (indexes may skip numbers), not start + #page.
      local last = index_of(page[#page])
      start, skipped = (last and last >= start) and last + 1 or start + #page, 0
      count = math.min(PAGE, count * 2)
    elseif err.kind ~= "too_large" then
      return nil, err
    elseif count > 1 then
      count = count // 2
    elseif skipped < MAX_SKIPPED then
      if log then log("warn", "session %s: message %d is larger than max_body and cannot be read;"
        .. " skipped", id, start) end
      start, skipped = start + 1, skipped + 1
    else
      return nil, err
    end
  end
end

--- model: gws.sms.model; http: gws.sms.http; backoff(attempt) -> seconds before retry
-- number `attempt`; polls() -> the number of long polls answered so far (optional; see
-- _histories).
function M.new(model, http, backoff, polls)
  local self = setmetatable({
    model = model, http = http, backoff = backoff, polls = polls,
    list_wanted = false, first = false, running = false, attempt = 0, closed = false,
    last_error = nil, -- the last failure, for a caller waiting for the first resync
    -- session id -> true: adopted by the first resync without its transcript (it could not
    -- be read then); parked in model.blocked until _histories reads it.
    history_due = {},
  }, Repairer)
  -- How a repair reads a gap: in pages when it is larger than max_body.
  self.read = function(id, from) return M.read_messages(http, model.log, id, from) end
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
      local ok, err = M.list(model, self.http, self.first, self.history_due)
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
      -- Histories first, all of them, then one wait for a poll after the reads (_histories):
      -- twenty unreadable sessions at start cost one wait, not twenty.
      local histories = self:_histories(ids)
      for _, id in ipairs(ids) do
        if model.blocked[id] and not self.closed then
          local ok, err = true, nil
          local history = histories[id]
          if history and history.err then ok, err = nil, history.err
          elseif history then ok, err = self:_adopt_history(id, history)
          elseif not self.history_due[id] then ok, err = model:repair(id, self.read) end
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

-- Reads the transcript of every session in `ids` the first resync took in without it, then
-- waits once: a message a read shows may have its notification still on the way (published
-- before the read answered), and a long poll that started after the reads brings it (two
-- answered from now), parked, so it counts as news. Nothing on the way: the wait ends at the
-- timeout. Returns id -> the messages, or { err = … } for a read to retry.
function Repairer:_histories(ids)
  local model, out, any = self.model, {}, false
  for _, id in ipairs(ids) do
    if self.history_due[id] and model.blocked[id] and not self.closed then
      local msgs, err = M.read_messages(self.http, model.log, id, nil)
      if not msgs and permanent(err) then
        if model.log then model.log("warn", "session %s: its history cannot be fetched: %s", id,
          tostring(err)) end
        msgs = {}
      end
      out[id] = msgs or { err = err }
      any = any or msgs ~= nil
    end
  end
  local polls = self.polls
  if any and polls and not self.closed then
    local mark = polls()
    model.transport:wait(function() return self.closed or polls() >= mark + 2 end, model.timeout or 10)
  end
  return out
end

-- Adopts the transcript `msgs` of a session the first resync took in without it: what
-- precedes the first message a notification parked for it carried is history (added
-- silently), the rest news; then model:repair queues what came after the history and
-- releases the parked.
function Repairer:_adopt_history(id, msgs)
  local model = self.model
  if self.closed then return true end
  local boundary = math.huge
  for _, p in ipairs(model.blocked[id] or {}) do
    local data = p[2]
    if p[1] == model.on_live and type(data) == "table" and type(data.messages) == "table" then
      for _, m in ipairs(data.messages) do
        local i = index_of(m)
        if i and i < boundary then boundary = i end
      end
    end
  end
  local past = {}
  for _, m in ipairs(msgs) do
    local i = index_of(m)
    if i and i < boundary then past[#past + 1] = m end
  end
  self.history_due[id] = nil
  model:note_intake(id, past)
  model.emitter:push(function()
    local sess = model.sessions[id]
    if sess then sess:add_messages(past) end
  end, nil, nil, id)
  return model:repair(id, self.read)
end

--- One list resync. Returns true, or nil and an error (nothing was queued then, for the
-- first; sessions whose messages could not be read are parked for repair, and for the first
-- noted in `history_due`, a table id -> true, when given).
function M.list(model, http, first, history_due)
  local log = model.log
  local sent = model.received -- notifications taken in after this are newer than the list
  local list, err = http:list_sessions()
  if not list then return nil, err end
  -- The first resync reads every session's history before it adopts any: a failed list
  -- leaves nothing half adopted (it is retried whole). A session whose history could not be
  -- read is adopted without it (`unread`), parked, and read by the repairer later.
  local history, unread = {}, {}
  if first then
    for _, s in ipairs(list) do
      if type(s) == "table" and type(s.id) == "string" and not model.sessions[s.id]
         and not FINAL[s.state] and model.acted_on:get(s.id) == nil and not model.offer[s.state] then
        local msgs, merr = M.read_messages(http, log, s.id, nil)
        if msgs then
          history[s.id] = msgs
        else
          unread[s.id] = true
          if log then log("warn", "resync: session %s: history not read (%s); adopted from the list,"
            .. " its messages fetched later", s.id, tostring(merr)) end
          model:emit("resync_failed", { error = merr, session = s.id })
        end
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
        if not unread[id] then model:note_intake(id, msgs) end
        em:push(function() model:adopt(s, msgs, sent) end, nil, nil, id)
        if unread[id] then
          if history_due then history_due[id] = true end
          model:block(id)
        end
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
            model:emit("resync_failed", { error = merr, session = id })
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
