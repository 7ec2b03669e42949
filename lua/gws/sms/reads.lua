--- The client's reads: what the server holds (list_sessions, get_session, messages) and
-- what the client's model holds (session, sessions, forget). gws.sms.client installs them
-- into its Client class.
-- @module gws.sms.reads
local args = require "gws.args"
local names = require "gws.names"

local seconds, call_opts = args.seconds, args.call_opts

-- The methods, copied into the Client class by `install` (at load time: a call costs what a
-- method defined on the class costs, no __index chain).
local Client = {}

-- Set by install: the client's own argument check ("bad self", "closed").
local check_client

local M = {}

--- The agent's SMS sessions as the server holds them (`GET /me/smssessions?fields=*`).
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn {table,...} SESSION tables (see "Data shapes")
-- @return nil, err
function Client:list_sessions(opts)
  check_client(self, "list_sessions")
  return self.http:list_sessions(call_opts(opts, 2))
end

--- One SMS session as the server holds it.
-- @tparam string|Session id the session
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table a SESSION table
-- @return nil, err (kind "status", code 6 for an unknown id)
function Client:get_session(id, opts)
  check_client(self, "get_session")
  id = args.id(id, 2)
  local res, err = self.http:call("GET", "/me/smssessions/" .. id, nil, call_opts(opts, 2))
  if not res then return nil, err end
  return res.smssession or res.smsession
end

local MESSAGES_OPTS = { start_index = true, count = true, timeout = true }

--- A session's transcript as the server holds it.
-- @tparam string|Session id the session
-- @tparam[opt] table opts the options below
-- @tparam[opt] integer opts.start_index the first index wanted
-- @tparam[opt] integer opts.count how many (0: all)
-- @tparam[opt] number opts.timeout seconds
-- @treturn {table,...} MESSAGE tables (see "Data shapes")
-- @return nil, err
function Client:messages(id, opts)
  check_client(self, "messages")
  id = args.id(id, 2)
  opts = args.opt_table(opts, "opts", 2) or {}
  names.check_keys(opts, MESSAGES_OPTS, 2, "messages")
  args.integer(opts.start_index, "start_index", 2, 0)
  args.integer(opts.count, "count", 2, 0)
  return self.http:messages(id, opts.start_index, opts.count, seconds(opts.timeout, "timeout", 2))
end

--- The live Session object for an id (nil if the client never heard of it).
-- @tparam string id a session id
-- @treturn ?Session the live Session
function Client:session(id)
  check_client(self, "session")
  return self.model.sessions[args.id(id, 2)]
end

--- Every Session the client knows, in the order it first heard of them.
-- @treturn {Session,...} a new array
function Client:sessions()
  check_client(self, "sessions")
  local order = self.model.order
  return table.move(order, 1, #order, 1, {})
end

--- Drops a session from the client's memory now (the model keeps the last keep_ended ended
-- sessions by itself). Returns true if it was known.
-- @tparam string|Session id the session
-- @treturn boolean whether it was known
function Client:forget(id)
  check_client(self, "forget")
  return self.model:forget(args.id(id, 2))
end

--- Copies these methods into `class`; `check` is the class's check of self
-- (`check(self, method_name)`, raising at the caller's caller).
-- @local
function M.install(class, check)
  check_client = check
  return args.install(class, Client)
end

return M
