--- A server the specs run as a child process (gws-sim, spec/support/answer_server.lua): its
-- first line of stdout is "listening on URL", its stderr goes to a log file, and it is stopped
-- by its pid.
local simctl = require "support.simctl"
local files = require "support.files"

local child = {}

--- Runs `command` (shell words, already quoted). Returns { pid, pipe, url, log }; raises with
-- what it wrote to stderr when it does not say where it listens. `what` names it in that error.
function child.start(command, what)
  local log = os.tmpname()
  -- `exec` keeps one pid from the shell to the server, so we can signal it.
  local cmd = ("exec sh -c 'echo $$; exec \"$0\" \"$@\" 2>>%s' %s"):format(log, command)
  local pipe = assert(io.popen(cmd, "r"))
  local pid = tonumber(pipe:read("l"))
  local line = pipe:read("l")
  if not pid or not line then
    pipe:close()
    local err = files.read(log, "")
    os.remove(log)
    error(what .. " did not start: " .. err)
  end
  local url = assert(line:match("^listening on (%S+)$"), "unexpected first line: " .. line)
  return { pid = pid, pipe = pipe, url = url, log = log }
end

--- Stops what child.start started (SIGTERM, then SIGKILL after 5 s), reaps it and removes its
-- log; a second call does nothing. Returns its exit status.
function child.stop(proc)
  if not proc.pid then return end
  os.execute("kill -TERM " .. proc.pid .. " 2>/dev/null")
  -- Running until it exits; then it is a zombie (state Z) until pipe:close() reaps it.
  local function running()
    local f = io.open("/proc/" .. proc.pid .. "/stat")
    if not f then return false end
    local stat = f:read("a")
    f:close()
    return stat:match("^%d+ %b() (%a)") ~= "Z"
  end
  local deadline = simctl.now() + 5
  while running() and simctl.now() < deadline do simctl.sleep(0.01) end
  os.execute("kill -KILL " .. proc.pid .. " 2>/dev/null")
  local _, _, code = proc.pipe:close()
  os.remove(proc.log)
  proc.pid = nil
  return code
end

return child
