--- The echo bot's behaviour, shared by the examples that differ only in how they are driven
-- (client:run(), luv, cqueues): accept every offer, greet, echo each customer text between
-- typing notices, and when the customer leaves set a disposition and complete.
local show = require "show"

local M = {}

--- Wires the behaviour onto `client`. opts.sessions: call opts.done() after that many sessions
-- ended (nil: run forever). opts.nickname (default "EchoBot"). opts.quiet: print nothing.
function M.install(client, opts)
  opts = opts or {}
  local nickname = opts.nickname or "EchoBot"
  local finished = 0
  local say = opts.quiet and function() end or print

  client:on("invited", function(s)
    say(("[bot] offer %s: accepting as %s"):format(s.id, nickname))
    local ok, err = s:accept { nickname = nickname }
    if not ok then say("[bot] accept failed: " .. tostring(err)) end
  end)

  client:on("message", function(m, s)
    say("[" .. s.id .. "] " .. show.message(m))
    if type(m.from) ~= "table" or m.from.type ~= "Customer" then return end
    if m.type == "ParticipantJoined" then
      s:send_message("Hello " .. tostring(m.from.nickname) .. ", you are talking to " .. nickname .. ".")
    elseif m.type == "Text" then
      s:start_typing()
      s:send_message("You said: " .. tostring(m.text))
      s:stop_typing()
    elseif m.type == "ParticipantLeft" then
      s:set_disposition("Echoed")
      s:complete()
    end
  end)

  client:on("ended", function(s)
    finished = finished + 1
    say(("[bot] session %s ended (%s); %d done"):format(s.id, s.state, finished))
    if opts.sessions and finished >= opts.sessions and opts.done then opts.done() end
  end)

  client:on("disconnected", function(info)
    say("[bot] notifications lost (" .. tostring(info.error) .. "); reconnecting")
  end)
  client:on("connected", function(info)
    if info.rehandshake then say("[bot] notifications back") end
  end)
end

--- Reads "--sessions N" from the command line.
function M.sessions_arg(args)
  for i = 1, #args do
    if args[i] == "--sessions" then return tonumber(args[i + 1]) end
  end
end

return M
