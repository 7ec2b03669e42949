--- The agent's session: connecting notifications (connect, and the first resync it waits
-- for), the contact-center session (start_session, end_session), the agent's readiness on a
-- channel (ready, not_ready) and user_uri. gws.sms.client installs these methods into its
-- Client class.
-- @module gws.sms.agent
local args = require "gws.args"
local errors = require "gws.errors"
local names = require "gws.names"
local transport = require "gws.transport"

local fail, seconds, call_opts = args.fail, args.seconds, args.call_opts

-- The methods, copied into the Client class by `install` (at load time: a call costs what a
-- method defined on the class costs, no __index chain).
local Client = {}

-- Set by install: the client's own argument check ("bad self", "closed").
local check_client

local M = {}

local START_OPTS = { channels = true, place = true, timeout = true }

--- Connects notifications (handshake + subscribe) and then starts the contact-center session.
-- In the vendor's order: `GET /me` (credentials, CSRF token), Bayeux handshake and
-- subscribe, the first resync, then `StartContactCenterSession`. No event after it returns
-- is missed.
-- @tparam[opt] table opts the options below
-- @tparam[opt] {string,...} opts.channels default: the client's `channels`
-- @tparam[opt] string opts.place the agent's place
-- @tparam[opt] number opts.timeout seconds (default: the client's timeout)
-- @treturn table the decoded answer (`statusCode` 0)
-- @return nil, err: kind "http" with http_status 401 (code 20) for bad credentials, "status"
-- code 7 when a channel failed (the message names it), "transport", "timeout", …
function Client:start_session(opts)
  check_client(self, "start_session")
  opts = args.opt_table(opts, "opts", 2) or {}
  names.check_keys(opts, START_OPTS, 2, "start_session")
  local timeout = seconds(opts.timeout, "timeout", 2)
  local channels = opts.channels or self.channels
  if type(channels) ~= "table" or #channels == 0 then
    fail("channels", "expected a non-empty array of channel names", 2)
  end
  for i, c in ipairs(channels) do args.name(c, "channels[" .. i .. "]", 2) end
  if opts.place ~= nil and type(opts.place) ~= "string" then fail("place", "expected a string", 2) end
  local ok, err = self:connect(timeout)
  if not ok then return nil, err end
  return self.http:call("POST", "/me", { operationName = "StartContactCenterSession",
    channels = channels, place = opts.place }, timeout)
end

--- Connects the notification channel only (GET /me for the CSRF token, then handshake and
-- subscribe to every topic). start_session calls it; call it alone to listen without
-- starting a contact-center session.
-- Also restarts notifications after "gave_up".
-- @tparam[opt] number timeout seconds (default: the client's timeout)
-- @treturn boolean true once connected and the first resync has adopted what the server holds
-- @return nil, err
function Client:connect(timeout)
  check_client(self, "connect")
  timeout = seconds(timeout, "timeout", 2) or self.request_timeout
  if self.bayeux.state == "connected" then return self:_adopted(timeout) end
  local deadline = transport.now() + timeout
  -- GET /me first: it checks the credentials (a clear error now rather than a Bayeux 401
  -- later) and brings the CSRF token the Bayeux POSTs need.
  local _, err = self.http:refresh_csrf(timeout, false)
  if err then return nil, err end
  if not self._subscribed then
    -- No listener: intake takes our notifications into the model.
    for _, topic in ipairs(self.topics) do self.bayeux:subscribe(topic, nil, { timeout = timeout }) end
    self._subscribed = true
  end
  local ok
  ok, err = self.bayeux:connect(timeout)
  if not ok then return nil, err end
  return self:_adopted(deadline - transport.now())
end

-- Waits until the first resync has adopted what the server holds (so the first connect is
-- atomic: every message after it is news, every one before it history, each once).
function Client:_adopted(timeout)
  local model, repairer = self.model, self.repairer
  if not self.resync or model.resynced then return true end
  if timeout > 0 then
    self.transport:wait(function()
      return model.resynced or self.closed or self.bayeux.state == "gave_up"
    end, timeout)
  end
  if model.resynced then return true end
  return nil, errors.new("timeout", ("the first resync (adopting the sessions the server holds) did not"
    .. " complete in time%s"):format(repairer.last_error and (": " .. tostring(repairer.last_error)) or ""))
end

--- Disconnects notifications, then sends `EndContactCenterSession` (which also ends the
-- HTTP session).
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table the decoded answer
-- @return nil, err
function Client:end_session(opts)
  check_client(self, "end_session")
  local timeout = call_opts(opts, 2)
  self.bayeux:disconnect(timeout)
  local res, err = self.http:call("POST", "/me", { operationName = "EndContactCenterSession" }, timeout)
  self.http:forget_token() -- the server drops the HTTP session with it
  return res, err
end

local function channel_op(name, op)
  Client[name] = function(self, channel, opts)
    check_client(self, name)
    channel = channel == nil and "sms" or args.name(channel, "channel", 2)
    local timeout = call_opts(opts, 2)
    return self.http:call("POST", "/me/channels/" .. channel, { operationName = op }, timeout)
  end
end
--- Makes the agent Ready on a channel: offers are routed to Ready agents.
-- @function Client:ready
-- @tparam[opt="sms"] string channel the channel name
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table the decoded answer
-- @return nil, err

--- Makes the agent Not Ready on a channel: no new offers.
-- @function Client:not_ready
-- @tparam[opt="sms"] string channel the channel name
-- @tparam[opt] table opts `{timeout = s}`
-- @treturn table the decoded answer
-- @return nil, err

channel_op("ready", "Ready")
channel_op("not_ready", "NotReady")

--- The URI of a user, as Transfer/Invite/Consult want it: client:user_uri("agent2").
-- @tparam string user_id a user name (letters, digits, '-', '_')
-- @treturn string the URI
function Client:user_uri(user_id)
  check_client(self, "user_uri")
  args.name(user_id, "user_id", 2)
  return self.api .. "/users/" .. user_id
end

--- Copies these methods into `class`; `check` is the class's check of self
-- (`check(self, method_name)`, raising at the caller's caller).
-- @local
function M.install(class, check)
  check_client = check
  return args.install(class, Client)
end

return M
