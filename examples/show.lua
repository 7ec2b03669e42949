--- Readable one-line renderings of GWS notifications and transcript messages, for examples.
local M = {}

local function who(p)
  if type(p) ~= "table" then return "?" end
  return tostring(p.nickname or p.participantId or "?")
end

--- One transcript message: "#5 PersonP: Hello World".
function M.message(m)
  local t = m.type
  if t == "Text" then
    local to = m.visibility == "Agents" and " (to agents)" or ""
    return ("#%d %s%s: %s"):format(m.index, who(m.from), to, tostring(m.text))
  elseif t == "ParticipantJoined" then return ("#%d %s joined"):format(m.index, who(m.from))
  elseif t == "ParticipantLeft" then return ("#%d %s left"):format(m.index, who(m.from))
  elseif t == "TypingStarted" then return ("#%d %s is typing…"):format(m.index, who(m.from))
  elseif t == "TypingStopped" then return ("#%d %s stopped typing"):format(m.index, who(m.from))
  elseif t == "PushUrl" then return ("#%d %s sent a link: %s"):format(m.index, who(m.from), tostring(m.url))
  elseif t == "CustomNotice" or t == "Notice" then
    return ("#%d notice from %s: %s"):format(m.index, who(m.from), tostring(m.noticeText or m.text))
  end
  return ("#%d %s from %s"):format(m.index, tostring(t), who(m.from))
end

--- One notification, possibly over several lines.
function M.notification(data)
  local kind = tostring(data.notificationType)
  local s = data.smssession or data.smsession
  local head = ("<- %-19s"):format(kind)
  if kind == "NewMessages" then
    local lines = {}
    for i, m in ipairs(data.messages or {}) do
      lines[i] = (i == 1 and head or (" "):rep(#head)) .. " " .. M.message(m)
    end
    return table.concat(lines, "\n")
  elseif kind == "ParticipantsUpdated" and s then
    local ps = {}
    for _, p in ipairs(s.participants or {}) do ps[#ps + 1] = p.type .. " " .. who(p) end
    return head .. " " .. s.id .. ": " .. table.concat(ps, ", ")
  elseif kind == "PropertiesUpdated" and s then
    local kv = {}
    for k, v in pairs(s.userData or {}) do kv[#kv + 1] = k .. "=" .. tostring(v) end
    table.sort(kv)
    return head .. " " .. s.id .. ": user data {" .. table.concat(kv, ", ") .. "}"
  elseif kind == "Error" then
    return head .. " " .. (s and s.id or "?") .. ": " .. tostring(data.errorMessage)
  elseif s then
    local caps = s.capabilities or {}
    local shown = table.concat(caps, ", ", 1, math.min(#caps, 5))
    if #caps > 5 then shown = shown .. (", +%d more"):format(#caps - 5) end
    return ("%s %s: state %s, can %s"):format(head, s.id, tostring(s.state),
      #caps > 0 and shown or "nothing")
  end
  return head
end

return M
