-- Prints one SMS session's transcript, readably.
--
--   GWS_URL=http://127.0.0.1:8090 lua5.4 examples/transcript.lua SESSION_ID
package.path = "./examples/?.lua;" .. package.path
local sms = require "gws.sms"
local show = require "show"

local id = arg[1]
if not id then
  io.stderr:write("usage: lua5.4 examples/transcript.lua SESSION_ID\n")
  os.exit(2)
end
local client <close> = sms.new { url = os.getenv("GWS_URL") or "http://127.0.0.1:8090",
  username = os.getenv("GWS_USER") or "agent1", password = os.getenv("GWS_PASSWORD") or "password" }

local session, err = client:get_session(id)
if not session then
  io.stderr:write("transcript: ", tostring(err), "\n")
  os.exit(1)
end
local messages = assert(client:messages(id))
print(("Session %s (%s), %d message(s)"):format(id, session.state, #messages))
for _, m in ipairs(messages) do
  local when = tostring(m.timestamp or ""):match("T(%d%d:%d%d:%d%d)") or ""
  print(("  %s  %s"):format(when, show.message(m)))
end
