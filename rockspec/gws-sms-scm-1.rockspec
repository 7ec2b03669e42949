rockspec_format = "3.0"
package = "gws-sms"
version = "scm-1"
source = {
  url = "git+https://example.invalid/gws-sms.git",
}
description = {
  summary = "Genesys Web Services v2 SMS Session API client for Lua 5.4",
  detailed = [[
    The agent side of the GWS v2 SMS Session API: every SMS operation, a live model of each
    session, and the server's CometD/Bayeux notifications as Lua callbacks, with reconnect,
    resubscribe and resync that lose nothing. C core on libcurl (curl multi) and lua-cjson.
  ]],
  license = "MIT",
  labels = { "genesys", "sms", "cometd", "bayeux", "contact-center" },
}
dependencies = {
  "lua >= 5.4",
  "lua-cjson",
}
external_dependencies = {
  -- The library only: on Debian curl/curl.h lives in the multiarch include dir, which the
  -- compiler searches but luarocks' header probe does not.
  LIBCURL = { library = "curl" },
}
build = {
  type = "builtin",
  modules = {
    ["gws.core"] = {
      sources = { "csrc/core.c", "csrc/engine.c", "csrc/engine_lua.c", "csrc/headers.c",
                  "csrc/json.c",
                  "csrc/request.c", "csrc/transfer.c" },
      libraries = { "curl", "m" },
      incdirs = { "$(LIBCURL_INCDIR)" },
      libdirs = { "$(LIBCURL_LIBDIR)" },
    },
    ["gws.sms"] = "lua/gws/sms.lua",
    ["gws.sms.client"] = "lua/gws/sms/client.lua",
    ["gws.sms.operations"] = "lua/gws/sms/operations.lua",
    ["gws.sms.session"] = "lua/gws/sms/session.lua",
    ["gws.bayeux"] = "lua/gws/bayeux.lua",
    ["gws.transport"] = "lua/gws/transport.lua",
    ["gws.emitter"] = "lua/gws/emitter.lua",
    ["gws.errors"] = "lua/gws/errors.lua",
  },
}
