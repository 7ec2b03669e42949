--- The Lua side of the per-operation profile: runs a benchmark program under a count hook that
-- fires before every Lua VM instruction (in every coroutine), and counts per source line and
-- per function: VM instructions, and bytes allocated (the growth of the Lua heap between two
-- instructions is charged to the first one, including what the C functions it called built:
-- a cjson.decode call is charged with the decoded tables). The collector is stopped so the
-- heap only grows. Run twice with N1 and N2 operations and pass both outputs to
-- bench/profile/vmprof_diff.lua; bench/profile/run.sh does both.
--
--   lua5.4 bench/profile/vmprof.lua OUT.lua SCRIPT [ARGS...]
-- OUT.lua is a Lua table: { lines = { ["src:line"] = { n, bytes } }, funcs = { ["src:def"] =
-- { n, bytes, calls } } }.
local out_path, script = arg[1], arg[2]
if not (out_path and script) then
  io.stderr:write("usage: lua5.4 bench/profile/vmprof.lua OUT.lua SCRIPT [ARGS...]\n")
  os.exit(2)
end

local getinfo, gcount = debug.getinfo, collectgarbage
local lines, funcs = {}, {}
local prev_line, prev_func
local mark = 0

local function hook(event)
  local now = gcount("count")
  if prev_line then
    local grown = (now - mark) * 1024
    if grown > 0 then
      prev_line[2] = prev_line[2] + grown
      prev_func[2] = prev_func[2] + grown
    end
  end
  local info = getinfo(2, "Sl")
  if info.what == "C" or info.source:sub(1, 1) ~= "@" then
    -- A call into C: what it allocates is charged to the Lua instruction that called it.
    mark = gcount("count")
    return
  end
  local src = info.short_src
  local fkey = src .. ":" .. info.linedefined
  local f = funcs[fkey]
  if not f then f = { 0, 0, 0 } funcs[fkey] = f end
  if event == "call" or event == "tail call" then
    f[3] = f[3] + 1
  else
    local lkey = src .. ":" .. info.currentline
    local l = lines[lkey]
    if not l then l = { 0, 0 } lines[lkey] = l end
    l[1] = l[1] + 1
    f[1] = f[1] + 1
    prev_line, prev_func = l, f
  end
  mark = gcount("count")
end

local function hooked(co)
  debug.sethook(co, hook, "c", 1)
  return co
end

-- Every coroutine the program makes gets the hook too (the transport's tasks, the poller).
-- luacheck: push ignore 122 (replacing coroutine.create and wrap is the point here)
local create = coroutine.create
coroutine.create = function(fn) return hooked(create(fn)) end
coroutine.wrap = function(fn)
  local co = coroutine.create(fn)
  return function(...)
    local res = table.pack(coroutine.resume(co, ...))
    if not res[1] then error(res[2], 0) end
    return table.unpack(res, 2, res.n)
  end
end
-- luacheck: pop

local chunk = assert(loadfile(script))
local script_arg = { [0] = script }
for i = 3, #arg do script_arg[i - 2] = arg[i] end
arg = script_arg -- luacheck: ignore (the program reads the global arg, as under lua5.4)

gcount("collect")
gcount("stop")
hooked(coroutine.running())
local ok, err = xpcall(chunk, debug.traceback, table.unpack(script_arg, 1, #script_arg))
debug.sethook()
gcount("restart")
if not ok then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end

local f = assert(io.open(out_path, "w"))
f:write("return { lines = {\n")
for k, v in pairs(lines) do f:write(("[%q]={%d,%.0f},\n"):format(k, v[1], v[2])) end
f:write("}, funcs = {\n")
for k, v in pairs(funcs) do f:write(("[%q]={%d,%.0f,%d},\n"):format(k, v[1], v[2], v[3])) end
f:write("} }\n")
f:close()
