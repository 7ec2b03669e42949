--- What `gws-sms` prints: one readable line (or a few) per notification, transcript message,
-- connection event and session, and the JSON-lines form of the same things. Strings only;
-- the caller decides where they go.
local cjson = require "cjson"

local M = {}

local function who(p)
  if type(p) ~= "table" then return "?" end
  return tostring(p.nickname or p.participantId or "?")
end

--- One transcript message: "#5 PersonP: Hello World".
function M.message(m)
  local t, i, from = m.type, tostring(m.index or "?"), who(m.from)
  if t == "Text" then
    local to = m.visibility == "Agents" and " (to agents)" or ""
    return ("#%s %s%s: %s"):format(i, from, to, tostring(m.text))
  elseif t == "ParticipantJoined" then return ("#%s %s joined"):format(i, from)
  elseif t == "ParticipantLeft" then return ("#%s %s left"):format(i, from)
  elseif t == "TypingStarted" then return ("#%s %s is typing"):format(i, from)
  elseif t == "TypingStopped" then return ("#%s %s stopped typing"):format(i, from)
  elseif t == "PushUrl" then return ("#%s %s sent a link: %s"):format(i, from, tostring(m.url))
  elseif t == "CustomNotice" or t == "Notice" then
    return ("#%s notice from %s: %s"):format(i, from, tostring(m.noticeText or m.text))
  end
  return ("#%s %s from %s"):format(i, tostring(t), from)
end

local function participants(list)
  local ps = {}
  for _, p in ipairs(list or {}) do ps[#ps + 1] = tostring(p.type) .. " " .. who(p) end
  return table.concat(ps, ", ")
end

--- One notification as readable text (one line per message for NewMessages).
function M.notification(data)
  local kind = tostring(data.notificationType)
  local s = data.smssession or data.smsession
  local id = s and s.id or (tostring(data.smssessionUri or ""):match("([^/]+)$")) or "?"
  local head = ("<- %-19s %s"):format(kind, id)
  if data.resynced then head = head .. " (resync)" end
  if kind == "NewMessages" then
    local lines = {}
    for n, m in ipairs(data.messages or {}) do
      lines[n] = (n == 1 and head or (" "):rep(#head)) .. "  " .. M.message(m)
    end
    return #lines > 0 and table.concat(lines, "\n") or head .. "  (no messages)"
  elseif kind == "ParticipantsUpdated" and s then
    return head .. ": " .. participants(s.participants)
  elseif kind == "PropertiesUpdated" and s then
    local kv = {}
    for k, v in pairs(s.userData or {}) do kv[#kv + 1] = k .. "=" .. tostring(v) end
    table.sort(kv)
    return head .. ": user data {" .. table.concat(kv, ", ") .. "}"
  elseif kind == "Error" then
    return head .. ": " .. tostring(data.errorMessage)
  elseif s then
    local caps = s.capabilities or {}
    local shown = table.concat(caps, ", ", 1, math.min(#caps, 5))
    if #caps > 5 then shown = shown .. (", +%d more"):format(#caps - 5) end
    return ("%s: state %s, can %s"):format(head, tostring(s.state),
      #caps > 0 and shown or "nothing")
  end
  return head
end

--- A connection event (the client's "connected", "disconnected", … events) as one line.
function M.event(name, info)
  info = info or {}
  if name == "connected" then
    return info.rehandshake and "-- connected again (new handshake)" or "-- connected"
  elseif name == "disconnected" then
    return ("-- disconnected: %s%s"):format(tostring(info.error),
      info.reconnecting and "; reconnecting" or "")
  elseif name == "reconnecting" then
    return ("-- reconnecting: attempt %d in %.1f s"):format(info.attempt or 0, info.delay or 0)
  elseif name == "gave_up" then
    return ("-- gave up after %d attempts: %s"):format(info.attempts or 0, tostring(info.error))
  elseif name == "resynced" then
    return ("-- resynced: %d session(s), %d changed"):format(info.sessions or 0, info.changed or 0)
  end
  return "-- " .. name
end

--- The JSON-lines form of an event: {"event": name, ...} with errors as strings.
function M.event_json(name, info)
  local out = { event = name }
  for k, v in pairs(info or {}) do
    out[k] = type(v) == "table" and tostring(v) or v
  end
  return cjson.encode(out)
end

--- The JSON-lines form of a notification: {"event":"notification","data": as sent}.
function M.notification_json(data)
  return cjson.encode { event = "notification", data = data }
end

--- One session of a list: "ID  State  Customer X, Agent Y".
function M.session(s)
  return ("%-18s %-10s %s"):format(tostring(s.id), tostring(s.state), participants(s.participants))
end

return M
