--- `gws-sms`, the command line: parses argv (gws.cli.args), builds a client from the
-- connection settings and runs one subcommand (gws.cli.commands). The process-facing parts
-- live here: the password prompt, stdout/stderr, the exit status.
local args = require "gws.cli.args"
local commands = require "gws.cli.commands"

local M = {}

local EXIT_USAGE = 2
local EXIT_INTERRUPTED = 130 -- 128 + SIGINT

--- Asks for the password on the terminal, without echo. nil when stdin is not a terminal
-- (a script must use GWS_PASSWORD rather than hang on a prompt nobody sees).
local function ask_password(prompt)
  if not os.execute("test -t 0") then return nil end
  io.stderr:write(prompt)
  io.stderr:flush()
  os.execute("stty -echo 2>/dev/null")
  local ok, line = pcall(io.read, "l")
  os.execute("stty echo 2>/dev/null")
  io.stderr:write("\n")
  return ok and line or nil
end

local function usage_error(message)
  io.stderr:write("gws-sms: ", message, "\nTry 'gws-sms --help'.\n")
  return EXIT_USAGE
end

--- Runs the command line `argv` (an array of strings); returns the exit status.
-- opts.getenv and opts.ask replace os.getenv and the terminal prompt (for tests).
function M.main(argv, opts)
  opts = opts or {}
  local cmd, err = args.parse(argv)
  if not cmd then return usage_error(err) end
  if cmd.help then
    io.stdout:write(args.usage())
    return 0
  end
  local conn
  conn, err = args.connection(cmd.opts, opts.getenv or os.getenv, opts.ask or ask_password)
  if not conn then return usage_error(err) end

  -- Line-buffered: a watcher piped into grep or a file sees each event as it happens.
  io.stdout:setvbuf("line")
  local streams = {
    out = function(line) io.stdout:write(line, "\n") end,
    err = function(message) io.stderr:write("gws-sms: ", message, "\n") end,
  }
  local sms = require "gws.sms"
  local client <close> = sms.new(conn)
  local ok, status = xpcall(commands[cmd.command], debug.traceback, client, cmd, streams)
  if ok then return status end
  -- Ctrl-C (lua5.4 turns SIGINT into this error) is how watch and bot end: the client still
  -- closes (<close>), and the exit status says "interrupted" the way shells expect.
  if tostring(status):match("^[^\n]*interrupted!") then return EXIT_INTERRUPTED end
  streams.err("internal error: " .. tostring(status))
  return 1
end

return M
