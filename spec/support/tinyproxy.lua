--- A real forward proxy on loopback for the specs: Debian's tinyproxy, started in the
-- foreground on a free port with a config file of its own (Basic auth, a log the spec reads),
-- stopped by its pid.
local simctl = require "support.simctl"
local uv = require "luv"
local files = require "support.files"

local M = {}

local Proxy = {}
Proxy.__index = Proxy

-- A port nothing listens on right now (bound by the kernel's choice, then released).
local function free_port()
  local tcp = uv.new_tcp()
  assert(tcp:bind("127.0.0.1", 0))
  local port = tcp:getsockname().port
  tcp:close()
  uv.run("nowait")
  return port
end

--- Starts tinyproxy. opts.user and opts.password: Basic auth it demands (none if absent).
-- Returns a Proxy with .port, .url (without credentials), :log(), :stop().
function M.start(opts)
  opts = opts or {}
  local dir = files.scratch_dir()
  local port = free_port()
  local conf = dir .. "/tinyproxy.conf"
  local f = assert(io.open(conf, "w"))
  f:write(("Port %d\nListen 127.0.0.1\nTimeout 120\nMaxClients 50\nAllow 127.0.0.1\n"):format(port),
    ('LogFile "%s/tinyproxy.log"\nLogLevel Info\nDisableViaHeader Yes\n'):format(dir))
  if opts.user then f:write(("BasicAuth %s %s\n"):format(opts.user, opts.password)) end
  f:close()
  local pipe = assert(io.popen(("exec sh -c 'echo $$; exec tinyproxy -d -c %s >%s/stderr 2>&1'")
    :format(conf, dir), "r"))
  local pid = tonumber(pipe:read("l"))
  local self = setmetatable({ pid = pid, pipe = pipe, dir = dir, port = port,
    url = "http://127.0.0.1:" .. port }, Proxy)
  -- Ready when it accepts a connection.
  local deadline = simctl.now() + 5
  repeat
    local tcp = uv.new_tcp()
    local up
    tcp:connect("127.0.0.1", port, function(err) up = err == nil end)
    while up == nil do uv.run("once") end
    tcp:close()
    uv.run("nowait")
    if up then return self end
    simctl.sleep(0.02)
  until simctl.now() > deadline
  self:stop()
  error("tinyproxy did not start: " .. files.read(dir .. "/stderr", ""))
end

--- What tinyproxy logged so far (one line per connection and request it forwarded).
function Proxy:log()
  return files.read(self.dir .. "/tinyproxy.log", "")
end

--- The request lines it forwarded ("GET http://127.0.0.1:PORT/api/v2/me HTTP/1.1").
function Proxy:requests()
  local out = {}
  for line in self:log():gmatch("[^\n]+") do
    local req = line:match("Request %(file descriptor %d+%): (.*)$")
    if req then out[#out + 1] = req end
  end
  return out
end

function Proxy:stop()
  if not self.pid then return end
  os.execute("kill -TERM " .. self.pid .. " 2>/dev/null")
  self.pipe:close()
  os.execute("rm -rf " .. self.dir)
  self.pid = nil
end

return M
