--- gws.sms: the agent side of the Genesys Web Services v2 SMS Session API.
--
--   local sms = require "gws.sms"
--   local client = sms.new{ url = "http://127.0.0.1:8090", username = "agent1", password = "…" }
--
-- or, for scripts that need one connection, the module-level functions act on a default
-- client made by sms.configure{…}:
--
--   sms.configure{ url = …, username = …, password = … }
--   sms.start_session(); sms.on("invited", function(s) sms.accept(s.id, "Bot") end)
--   while true do sms.poll(1) end
--
-- Every function is documented in README.md.
-- @module gws.sms
require "gws.lua_version" -- first: a clear error under any Lua but 5.4
local client = require "gws.sms.client"
local config = require "gws.sms.config"
local errors = require "gws.errors"
local loop_mod = require "gws.loop"
local version = require "gws.version"
local names = require "gws.names"
local operations = require "gws.sms.operations"

local sms = {
  VERSION = require("gws.version").VERSION,
  new = client.new,
  errors = errors,
  operations = operations.list,
}

local default

--- The library's version, e.g. "0.2.0".
-- @field VERSION

-- The receive buffer of each transfer on a shared loop (see sms.loop).
local SHARED_BUFFER_SIZE = 1024

--- Makes a loop that many clients share (`sms.new{ …, loop = loop }`): one engine, one epoll
-- fd (`loop:pollfd()`), one connection pool. Each client keeps its own credentials, cookies,
-- CSRF token, notifications and sessions. Drive it like a client: `loop:pollfd()`,
-- `loop:events()`, `loop:timeout()`, `loop:step(timeout)`, or `loop:run()` / `loop:stop()`;
-- `loop:close()` closes its clients and then the engine.
-- @tparam[opt] table opts the engine options every client of the loop uses
-- @tparam[opt] string opts.ca_file PEM file of CA certificates for https
-- @tparam[opt=false] boolean opts.insecure `true` turns certificate checks off
-- @tparam[opt=16777216] integer opts.max_body bytes; larger answers fail with err.kind "too_large"
-- @tparam[opt=10] number opts.connect_timeout seconds to establish a connection
-- @tparam[opt] string opts.proxy proxy URL, or `""` for none (as for `new`)
-- @tparam[opt] string opts.noproxy hosts reached directly
-- @tparam[opt=16] integer opts.max_requests the shared connection pool: at most that many
-- requests other than long polls in flight at once over all the loop's clients (more wait
-- their turn), so the loop holds its long polls plus at most that many connections
-- @treturn Loop the loop
-- @raise for an unknown or wrong option
function sms.loop(opts)
  config.check_loop(opts)
  opts = opts or {}
  -- A shared loop is for many agents, each with a long poll in flight nearly all the time,
  -- whose answers are small: a 1 KiB receive buffer per transfer (libcurl's smallest) rather
  -- than its 16 KiB saves ~7 KiB of RSS per idle agent at 1 000 agents (bench B7; 4 KiB saved
  -- ~2.5); a larger answer takes more reads (64 for a 64 KiB resync page).
  return loop_mod.new { ca_file = opts.ca_file, insecure = opts.insecure and true or false,
    max_body = opts.max_body, connect_timeout = opts.connect_timeout,
    user_agent = version.user_agent, proxy = opts.proxy, noproxy = opts.noproxy,
    max_requests = opts.max_requests, buffer_size = SHARED_BUFFER_SIZE }
end

--- Creates a client: `gws.sms.client.new`, every option documented there.
-- @function new
-- @tparam table opts the options
-- @treturn Client

--- `gws.errors`: the error values (`errors.is(v)`, `errors.status_text[code]`).
-- @field errors

--- The operations table (name, operationName, parameters) every operation method is made from.
-- @field operations

--- Every `Client` method that makes sense at module level, as `sms.NAME(...)` without the
-- client (`sms.accept(id, "Bot")`, `sms.poll(1)`), acting on the client `configure` made:
-- `start_session`, `end_session`, `connect`, `ready`, `not_ready`, `on`, `off`, `on_error`,
-- `poll`, `step`, `run`, `stop`, `pollfd`, `events`, `timeout`, `session`, `sessions`,
-- `list_sessions`, `get_session`, `messages`, `operation`, `wait_reference`, `user_uri`,
-- `sleep`, `pending` and every operation. Each raises like `default` when `configure` was not
-- called. A name that does not exist raises naming the closest one.
-- @table forwarded

--- Creates the default client used by the module-level functions (closing any earlier one)
-- and returns it.
-- @tparam table opts the options of `gws.sms.client.new`
-- @treturn Client the default client
-- @raise like `new`
function sms.configure(opts)
  if default then default:close() end
  default = nil
  default = client.new(opts)
  return default
end

--- The default client; raises if sms.configure has not been called.
-- @treturn Client the default client
-- @raise "no default gws.sms client: call sms.configure{…} first"
function sms.default()
  if not default or default.closed then
    error("no default gws.sms client: call sms.configure{ url = …, username = …, password = … } first", 3)
  end
  return default
end

-- Client methods that make sense at module level; each forwards to the default client.
local forwarded = {
  "start_session", "end_session", "connect", "ready", "not_ready", "on", "off", "on_error",
  "poll", "step", "run", "stop", "pollfd", "events", "timeout", "session", "sessions",
  "list_sessions", "get_session", "messages", "operation", "wait_reference", "user_uri", "sleep",
  "pending",
}
for _, e in ipairs(operations.list) do forwarded[#forwarded + 1] = e.name end

for _, name in ipairs(forwarded) do
  sms[name] = function(...)
    local c = sms.default()
    return c[name](c, ...)
  end
end

--- Closes the default client (if any).
-- @return nothing
function sms.close()
  if default then default:close() end
  default = nil
end

-- sms.send_mesage(…) raises naming sms.send_message, not "attempt to call a nil value".
names.strict(sms, "gws.sms", {}, "function")

return sms
