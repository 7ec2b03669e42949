--- Resync after a handshake: the session list (and the messages we lack) become the same
-- events a live connection would have delivered, queued in order with the live ones; the
-- model's per-index dedupe keeps each message once, and its receipt numbers keep a list that
-- was answered late from undoing newer news (see gws.sms.model).
--
-- On the first handshake, what the server already holds is history (adopted silently),
-- except sessions this client acted on before (news: a session offered and accepted while
-- the first list was on its way must not have its first messages swallowed).
local session_mod = require "gws.sms.session"

local M = {}

local FINAL = session_mod.FINAL

--- Runs in a task of its own. `model`: gws.sms.model; `http`: gws.sms.http.
function M.run(model, http, first)
  local log = model.log
  local sent = model.received -- notifications taken in after this are newer than the list
  local list, err = http:list_sessions()
  if not list then
    if log then log("warn", "resync failed: %s", tostring(err)) end
    model:emit("resync_failed", { error = err })
    return
  end
  local em = model.emitter
  local listed, changed = {}, 0
  for _, s in ipairs(list) do
    if type(s) == "table" and type(s.id) == "string" then
      listed[s.id] = true
      local known = model.sessions[s.id]
      local final = FINAL[s.state]
      -- A session that ended before we ever heard of it is history, not news: skipped.
      if final and not known then -- luacheck: ignore 542
      elseif first and not known and model.acted_on:get(s.id) == nil then
        local msgs = s.state ~= "Invited" and http:messages(s.id) or {}
        model:note_intake(s.id, msgs)
        em:push(function() model:adopt(s, msgs, sent) end)
      else
        local status = { messageType = "SMSsessionStateChangeMessage", notificationType = "StatusChange",
                         smssession = s, resynced = true }
        local state_differs = not known or known.state ~= s.state
        if state_differs and not final then em:push(model.on_snapshot, status, sent) end
        if s.state ~= "Invited" and s.state ~= "Revoked" and (not final or known) then
          local msgs = http:messages(s.id, (known and known.last_index or 0) + 1)
          if msgs and #msgs > 0 then
            model:note_intake(s.id, msgs)
            changed = changed + 1
            em:push(model.on_live, { messageType = "MessageLogUpdated", notificationType = "NewMessages",
              messages = msgs, smssessionUri = s.uri, resynced = true }, sent)
          end
        end
        if state_differs and final then em:push(model.on_snapshot, status, sent) end
        if state_differs then changed = changed + 1 end
      end
    end
  end
  for _, s in ipairs(model.order) do
    if not listed[s.id] and not s.ended then
      changed = changed + 1
      em:push(function() model:ended_away(s, sent) end)
    end
  end
  if first then
    model.resynced = true
    model.acted_on:clear()
  end
  if log then log("info", "resync: %d session(s) listed, %d changed", #list, changed) end
  model:emit("resynced", { sessions = #list, changed = changed })
end

return M
