--- Refuses to load gws-sms under any Lua but 5.4, with a message that names both versions.
-- The entry modules (gws.sms, gws.bayeux) require this first: under Lua 5.1 (which Debian's
-- lua-busted makes /usr/bin/lua) the next module would otherwise fail to compile with an error
-- that points at a line of ours ("'=' expected near 'continue'") instead of at the cause.
-- This file must stay valid Lua 5.1 to 5.4.
local wanted = "Lua 5.4"
if _VERSION ~= wanted then
  error(("gws-sms needs %s, but this is %s: run it with lua5.4"):format(wanted, tostring(_VERSION)), 0)
end
return wanted
