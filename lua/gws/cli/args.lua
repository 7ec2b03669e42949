--- The `gws-sms` command line: the table of commands, parsing argv against it, and where the
-- connection settings come from (flags, then GWS_URL/GWS_USER/GWS_PASSWORD, then a prompt).
-- Pure functions of their inputs (argv, an env lookup, a prompt function), so every rule is
-- visible here and nothing touches the network.
local M = {}

-- Options every command takes, with a value.
local CONNECTION = { url = true, user = true, password = true, timeout = true }

--- command name -> { args = fixed count (or min = least count), opts = { name = "value"|"flag" },
-- usage = one line }.
M.COMMANDS = {
  watch = { args = 0, opts = { json = "flag" },
    usage = "watch [--json]             print every notification and connection event" },
  sessions = { args = 0, opts = { json = "flag" },
    usage = "sessions [--json]          list the agent's SMS sessions" },
  transcript = { args = 1, opts = { json = "flag" },
    usage = "transcript ID [--json]     print one session's transcript" },
  accept = { args = 1, opts = { nickname = "value" },
    usage = "accept ID [--nickname N]   accept an offered session" },
  send = { min = 2, opts = {},
    usage = "send ID TEXT...            send a text to the customer" },
  complete = { args = 1, opts = {},
    usage = "complete ID                complete (close) a session" },
  ready = { args = 0, opts = {},
    usage = "ready                      make the agent Ready on the sms channel" },
  ["not-ready"] = { args = 0, opts = {},
    usage = "not-ready                  make the agent NotReady on the sms channel" },
  bot = { args = 1, opts = { sessions = "value" },
    usage = "bot FILE.lua [--sessions N]\n"
         .. "                             run a bot: FILE returns a function(client)" },
}
M.ORDER = { "watch", "sessions", "transcript", "accept", "send", "complete", "ready",
            "not-ready", "bot" }

function M.usage()
  local lines = {
    "usage: gws-sms [--url URL] [--user NAME] [--timeout S] COMMAND [ARGS]",
    "",
    "commands:",
  }
  for _, name in ipairs(M.ORDER) do lines[#lines + 1] = "  " .. M.COMMANDS[name].usage end
  for _, l in ipairs {
    "",
    "connection: --url (or GWS_URL), --user (or GWS_USER), password from GWS_PASSWORD,",
    "  or asked for when stdin is a terminal (--password P works but leaves it in your",
    "  shell history and in the process list). --timeout: seconds per request (default 10).",
    "exit status: 0 done, 1 failed (message on stderr), 2 usage error.",
  } do lines[#lines + 1] = l end
  return table.concat(lines, "\n") .. "\n"
end

-- Every option's kind, whatever the command: a name means the same everywhere, so argv can
-- be split into options and words in one pass, before the command is known.
local KIND = {}
for name in pairs(CONNECTION) do KIND[name] = "value" end
for _, spec in pairs(M.COMMANDS) do
  for name, kind in pairs(spec.opts) do KIND[name] = kind end
end

--- Parses argv. Returns { command = name, args = {...}, opts = {...}, help = bool } or
-- nil, message (a usage error). Options may come before or after the command;
-- "--name=value" and "--name value" both work; "--" ends the options.
function M.parse(argv)
  local words, opts, only_words = {}, {}, false
  local i = 1
  while i <= #argv do
    local w = argv[i]
    if only_words or w:sub(1, 1) ~= "-" or w == "-" then
      words[#words + 1] = w
    elseif w == "--" then
      only_words = true
    elseif w == "--help" or w == "-h" then
      return { help = true }
    else
      local name, value = w:match("^%-%-([%w-]+)=(.*)$")
      name = name or w:match("^%-%-([%w-]+)$")
      local kind = name and KIND[name]
      if not kind then return nil, ("unknown option %s"):format(w) end
      if kind == "flag" then
        if value ~= nil then return nil, ("--%s takes no value"):format(name) end
        value = true
      elseif value == nil then
        i = i + 1
        value = argv[i]
        if value == nil then return nil, ("--%s needs a value"):format(name) end
      end
      opts[name] = value
    end
    i = i + 1
  end
  local command = table.remove(words, 1)
  if command == "help" then return { help = true } end
  if not command then return nil, "no command given" end
  local spec = M.COMMANDS[command]
  if not spec then return nil, ("unknown command '%s'"):format(command) end
  for name in pairs(opts) do
    if not CONNECTION[name] and not spec.opts[name] then
      return nil, ("%s does not take --%s"):format(command, name)
    end
  end

  local n = #words
  if spec.args and n ~= spec.args then
    return nil, ("%s takes %d argument%s, got %d"):format(command, spec.args,
      spec.args == 1 and "" or "s", n)
  elseif spec.min and n < spec.min then
    return nil, ("%s takes at least %d arguments, got %d"):format(command, spec.min, n)
  end
  if opts.timeout ~= nil then
    local t = tonumber(opts.timeout)
    if not t or t <= 0 then return nil, "--timeout must be a positive number of seconds" end
    opts.timeout = t
  end
  if opts.sessions ~= nil then
    local s = math.tointeger(tonumber(opts.sessions))
    if not s or s < 1 then return nil, "--sessions must be a positive whole number" end
    opts.sessions = s
  end
  return { command = command, args = words, opts = opts }
end

--- The connection settings: flags first, then the environment (getenv), then, for the
-- password only, ask() (nil when there is no terminal to ask on). Returns a table for
-- sms.new or nil, message (a usage error).
function M.connection(opts, getenv, ask)
  local url = opts.url or getenv("GWS_URL")
  if not url or url == "" then return nil, "no server: give --url URL or set GWS_URL" end
  if not url:match("^https?://") then
    return nil, ("--url/GWS_URL must start with http:// or https://, got '%s'"):format(url)
  end
  local user = opts.user or getenv("GWS_USER")
  if not user or user == "" then return nil, "no user: give --user NAME or set GWS_USER" end
  local password = opts.password or getenv("GWS_PASSWORD")
  if password == nil then password = ask and ask(("Password for %s at %s: "):format(user, url)) end
  if password == nil then
    return nil, "no password: set GWS_PASSWORD (or run from a terminal to be asked)"
  end
  return { url = url, username = user, password = password, timeout = opts.timeout }
end

return M
