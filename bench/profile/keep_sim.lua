--- The simulator the profile scripts (core.sh, run.sh) measure against, kept by this process:
--
--   lua5.4 bench/profile/keep_sim.lua ENV_FILE SECONDS USER:SESSIONS...
--
-- Starts gws-sim (--quiet) with every USER (password "password") and gives each USER that
-- many Chatting sessions (offered, and accepted by a client that never starts Bayeux). Then
-- writes "URL ID..." to ENV_FILE (the ids in the order of the arguments) and keeps the
-- simulator until ENV_FILE is removed or SECONDS have passed. LUA_PATH must find ./lua and
-- ./spec (spec/helper.lua starts the simulator), GWS_SIM names it.
local helper = require "helper"
local sms = require "gws.sms"

local env_file, seconds = arg[1], tonumber(arg[2])
local users, flags = {}, { "--quiet" }
for i = 3, #arg do
  local user, sessions = arg[i]:match("^([^:]+):(%d+)$")
  assert(user, "not USER:SESSIONS: " .. arg[i])
  users[#users + 1] = { user, tonumber(sessions) }
  flags[#flags + 1] = "--user"
  flags[#flags + 1] = user .. ":password"
end

local sim = helper.start_sim { flags = flags }
local ids = {}
for _, spec in ipairs(users) do
  local user = spec[1]
  local c = sms.new { url = sim.url, username = user, password = "password" }
  for _ = 1, spec[2] do
    local id = sim:offer(user, "Hello")
    assert(c:accept(id, "Bot"))
    ids[#ids + 1] = id
  end
  c:close()
end
local f = assert(io.open(env_file, "w"))
f:write(sim.url, " ", table.concat(ids, " "), "\n")
f:close()
local deadline = os.time() + seconds
while io.open(env_file) and os.time() < deadline do os.execute("sleep 1") end
sim:stop()
