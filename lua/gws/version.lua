--- The one definition of this library's version: gws.sms.VERSION and the User-Agent the
-- client sends read it (the rockspec's version is kept equal to it).
local VERSION = "0.2.0"

return {
  VERSION = VERSION,
  user_agent = "gws-sms/" .. VERSION,
}
