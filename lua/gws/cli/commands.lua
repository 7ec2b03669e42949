--- The `gws-sms` subcommands. Each is function(client, cmd, io) -> exit status, where cmd is
-- what gws.cli.args parsed ({args, opts}) and io = {out = fn(line), err = fn(message)}.
-- They use the public gws.sms client API only.
local cjson = require "cjson"
local show = require "gws.cli.show"

local M = {}

local EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

-- Calls a client method. A run-time failure (nil, err) is exit 1; a raised argument error
-- (a malformed session id, say: the library raises and sends nothing) is a usage error.
local function call(io, what, method, client, ...)
  local ok, res, err = pcall(method, client, ...)
  if not ok then
    io.err(("%s: %s"):format(what, tostring(res):gsub("^.-:%d+: ", "")))
    return nil, EXIT_USAGE
  end
  if res == nil then
    io.err(("%s: %s"):format(what, tostring(err)))
    return nil, EXIT_FAIL
  end
  return res
end

-- Connection events worth a line in watch and bot output.
local CONNECTION_EVENTS = { "connected", "disconnected", "reconnecting", "gave_up", "resynced" }

local function show_connection_events(client, io, json)
  for _, name in ipairs(CONNECTION_EVENTS) do
    client:on(name, function(info)
      io.out(json and show.event_json(name, info) or show.event(name, info))
    end)
  end
end

function M.watch(client, cmd, io)
  local json = cmd.opts.json
  local status = EXIT_OK
  show_connection_events(client, io, json)
  client:on("*", function(data)
    io.out(json and show.notification_json(data) or show.notification(data))
  end)
  client:on("gave_up", function() status = EXIT_FAIL client:stop() end)
  client:run(function()
    -- Notifications only: watching changes nothing on the server (no contact-center
    -- session is started, the agent's state is left alone).
    local ok, err = client:connect()
    if not ok then
      io.err("watch: cannot connect: " .. tostring(err))
      status = EXIT_FAIL
      client:stop()
    end
  end)
  return status
end

function M.sessions(client, cmd, io)
  local list, code = call(io, "sessions", client.list_sessions, client)
  if not list then return code end
  for _, s in ipairs(list) do
    io.out(cmd.opts.json and cjson.encode(s) or show.session(s))
  end
  return EXIT_OK
end

function M.transcript(client, cmd, io)
  local id = cmd.args[1]
  local session, code = call(io, "transcript " .. id, client.get_session, client, id)
  if not session then return code end
  local messages
  messages, code = call(io, "transcript " .. id, client.messages, client, id)
  if not messages then return code end
  if cmd.opts.json then
    for _, m in ipairs(messages) do io.out(cjson.encode(m)) end
    return EXIT_OK
  end
  io.out(("session %s (%s), %d message(s)"):format(id, tostring(session.state), #messages))
  for _, m in ipairs(messages) do
    local when = tostring(m.timestamp or ""):match("T(%d%d:%d%d:%d%d)") or ""
    io.out(("  %-8s  %s"):format(when, show.message(m)))
  end
  return EXIT_OK
end

-- One SMS operation; prints "<verb> <id>" (and the referenceId the server gave it).
local function operation(verb, method_name, args_of)
  return function(client, cmd, io)
    local id = cmd.args[1]
    local res, code = call(io, verb .. " " .. id, client[method_name], client, id, args_of(cmd))
    if not res then return code end
    io.out(("%s %s%s"):format(verb, id,
      res.referenceId and (" (referenceId " .. tostring(res.referenceId) .. ")") or ""))
    return EXIT_OK
  end
end

M.accept = operation("accepted", "accept", function(cmd)
  return cmd.opts.nickname and { nickname = cmd.opts.nickname } or nil
end)
M.send = operation("sent to", "send_message", function(cmd)
  return table.concat(cmd.args, " ", 2)
end)
M.complete = operation("completed", "complete", function() return nil end)

-- Agent state on the sms channel. The channel can only change inside a contact-center
-- session: when the server says there is none (a status error), start one and retry.
local function channel_state(name, method_name)
  return function(client, _, io)
    local ok, err = pcall(client[method_name], client, "sms")
    local res = ok and err or nil
    if not res then
      local started, code = call(io, name, client.start_session, client)
      if not started then return code end
      res, code = call(io, name, client[method_name], client, "sms")
      if not res then return code end
    end
    io.out(("%s is %s on sms"):format(client.username, name == "ready" and "Ready" or "NotReady"))
    return EXIT_OK
  end
end

M.ready = channel_state("ready", "ready")
M["not-ready"] = channel_state("not-ready", "not_ready")

-- Loads FILE: it must return a function that receives the client.
local function load_bot(file)
  local chunk, err = loadfile(file, "t")
  if not chunk then return nil, err end
  local ok, bot = pcall(chunk)
  if not ok then return nil, ("%s: %s"):format(file, tostring(bot)) end
  if type(bot) ~= "function" then
    return nil, ("%s must return a function(client), it returned a %s"):format(file, type(bot))
  end
  return bot
end

function M.bot(client, cmd, io)
  local file = cmd.args[1]
  local bot, err = load_bot(file)
  if not bot then
    io.err("bot: " .. err)
    return EXIT_FAIL
  end
  local status, ended = EXIT_OK, 0
  show_connection_events(client, io, false)
  client:on("gave_up", function() status = EXIT_FAIL client:stop() end)
  if cmd.opts.sessions then
    client:on("ended", function()
      ended = ended + 1
      if ended >= cmd.opts.sessions then client:stop() end
    end)
  end
  local function fail(message)
    io.err("bot: " .. message)
    status = EXIT_FAIL
    client:stop()
  end
  client:run(function()
    -- The bot wires its handlers first, so nothing that comes once the agent is Ready can
    -- be missed; then the agent logs in and takes offers.
    local ok, bot_err = pcall(bot, client)
    if not ok then return fail(("%s failed: %s"):format(file, tostring(bot_err))) end
    local started, start_err = client:start_session()
    if not started then return fail("cannot start the agent session: " .. tostring(start_err)) end
    local ready, ready_err = client:ready("sms")
    if not ready then return fail("cannot go Ready: " .. tostring(ready_err)) end
    io.out(("-- bot %s ready as %s"):format(file, client.username))
  end)
  return status
end

return M
