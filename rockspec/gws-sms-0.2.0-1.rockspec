rockspec_format = "3.0"
package = "gws-sms"
version = "0.2.0-1"
source = {
  -- The release tarball that `make dist` writes (build/dist/gws-sms-0.2.0.tar.gz, with the
  -- .src.rock packed from it beside it). The URL is relative: luarocks reads it from the
  -- directory it runs in, so packing works offline. A rocks server serves the .src.rock.
  url = "gws-sms-0.2.0.tar.gz",
  dir = "gws-sms-0.2.0",
}
description = {
  summary = "Genesys Web Services v2 SMS Session API client for Lua 5.4",
  detailed = [[
    The agent side of the GWS v2 SMS Session API: every SMS operation, a live model of each
    session, and the server's CometD/Bayeux notifications as Lua callbacks, with reconnect,
    resubscribe and resync that lose nothing. C core on libcurl (curl multi) and lua-cjson.
  ]],
  -- No public home yet: the placeholder host is reserved and resolves nowhere.
  homepage = "https://example.invalid/gws-sms",
  license = "MIT",
  labels = { "genesys", "sms", "cometd", "bayeux", "contact-center" },
}
supported_platforms = { "linux" }  -- the core waits on one epoll fd
dependencies = {
  "lua >= 5.4",
  "lua-cjson >= 2.1",
}
external_dependencies = {
  -- The library only: on Debian curl/curl.h lives in the multiarch include dir, which the
  -- compiler searches but luarocks' header probe does not.
  LIBCURL = { library = "curl" },
}
build = {
  -- The Makefile compiles gws.core (every csrc/*.c, with the version the Lua side defines) in
  -- build/rock/ and installs it; that directory is removed again, so `luarocks make` leaves
  -- no object or library in the checkout. The Lua modules are listed below.
  type = "make",
  build_target = "luarocks-build",
  build_variables = {
    CC = "$(CC)",
    CFLAGS = "$(CFLAGS)",
    CORE_CPPFLAGS = "-I$(LUA_INCDIR) -I$(LIBCURL_INCDIR)",
    CORE_LIBS = "-L$(LIBCURL_LIBDIR) -lcurl",
  },
  install_target = "luarocks-install",
  install_variables = {
    LIBDIR = "$(LIBDIR)",
  },
  install = {
    lua = {
      ["gws.args"] = "lua/gws/args.lua",
      ["gws.bayeux"] = "lua/gws/bayeux.lua",
      ["gws.bayeux.poller"] = "lua/gws/bayeux/poller.lua",
      ["gws.bayeux.protocol"] = "lua/gws/bayeux/protocol.lua",
      ["gws.cli"] = "lua/gws/cli.lua",
      ["gws.cli.args"] = "lua/gws/cli/args.lua",
      ["gws.cli.commands"] = "lua/gws/cli/commands.lua",
      ["gws.cli.show"] = "lua/gws/cli/show.lua",
      ["gws.emitter"] = "lua/gws/emitter.lua",
      ["gws.errors"] = "lua/gws/errors.lua",
      ["gws.sms"] = "lua/gws/sms.lua",
      ["gws.sms.client"] = "lua/gws/sms/client.lua",
      ["gws.sms.agent"] = "lua/gws/sms/agent.lua",
      ["gws.sms.driving"] = "lua/gws/sms/driving.lua",
      ["gws.sms.events"] = "lua/gws/sms/events.lua",
      ["gws.sms.reads"] = "lua/gws/sms/reads.lua",
      ["gws.sms.config"] = "lua/gws/sms/config.lua",
      ["gws.sms.http"] = "lua/gws/sms/http.lua",
      ["gws.sms.model"] = "lua/gws/sms/model.lua",
      ["gws.sms.operations"] = "lua/gws/sms/operations.lua",
      ["gws.sms.resync"] = "lua/gws/sms/resync.lua",
      ["gws.sms.session"] = "lua/gws/sms/session.lua",
      ["gws.transport"] = "lua/gws/transport.lua",
      ["gws.transport.waits"] = "lua/gws/transport/waits.lua",
      ["gws.loop"] = "lua/gws/loop.lua",
      ["gws.version"] = "lua/gws/version.lua",
      ["gws.lua_version"] = "lua/gws/lua_version.lua",
      ["gws.names"] = "lua/gws/names.lua",
      ["gws.scrub"] = "lua/gws/scrub.lua",
    },
    bin = {
      ["gws-sms"] = "bin/gws-sms",
    },
  },
  -- types/: the LuaLS definition file (README, "Editor support").
  copy_directories = { "docs", "types" },
}
