--- The file-dependency drawing of csrc/, sim/ and lua/gws, with its two checks: no circle of
-- units, and no unit depending on a layer above its own (data flows one way, top to bottom).
--
--   lua5.4 scripts/structure.lua [--dot] [TREE...]      TREE: csrc, sim, lua (default: all)
--
-- C: a unit is a .c and its .h (or a lone .c or .h); its dependencies are the `#include "..."`
-- lines of both files that name another unit of the same directory. Lua: a unit is a module
-- of lua/gws (lua/gws/sms/client.lua is gws.sms.client); its dependencies are the gws.*
-- modules it requires (gws.core, a C module, is a unit too). Comments are not read.
-- A circle is always an error. An upward dependency, or a unit no layer names, is an error
-- or a warning as the tree's `layers_enforced` says. Exit 0 when there is no error, 1 when
-- there is one, 2 on a usage error. --dot prints Graphviz instead of the drawing.
-- No dependency beyond Lua 5.4 and a POSIX `ls`; also loads as a module (spec/unit/).

--- Layers of each tree, top first: a unit may depend on units of its own layer and any layer
-- below it. A name may end in `*` to match a prefix (an exact name anywhere wins over it).
-- Each entry: { "what the layer is", unit, unit, ... }.

--- sim/: the simulator's layer order (edit as sim/ is reshaped; `make structure` reports).
local SIM_LAYERS = {
  { "entry",           "main" },
  { "http server",     "http", "http_listen" },
  { "endpoints",       "http_api", "control", "ui", "traffic" },
  { "bayeux protocol", "bayeux" },
  { "protocol state",  "bayeux_clients", "http_session", "http_log" },
  { "faults",          "faults", "badanswer" },
  { "held requests",   "hold" },
  { "simulator",       "sim" },
  { "domain API",      "store_ctl", "store_me", "store_ops", "store_read", "store_persist",
                       "store_ui", "store_*" },
  { "domain transfers", "store_ops_xfer" },
  { "domain routing",  "store_route" },
  { "domain notify",   "store_notify" },
  { "domain lifecycle", "store" },
  { "domain messages", "store_message" },
  { "domain records",  "store_agent", "store_session", "store_op_ctx" },
  { "domain base",     "store_base" },
  { "domain types",    "store_types" },
  { "http parsing",    "http_reply", "http_request", "ui_assets" },
}
local SIM_LAYERS_ENFORCED = true

--- csrc/: the module entry, the Lua face (the only files that know lua_State), then plain C.
local CSRC_LAYERS = {
  { "module entry",    "core" },
  { "Lua face",        "engine_lua" },
  { "Lua helpers",     "request_lua", "result_lua", "json", "jar_lua", "auth_lua", "options_lua" },
  { "engine",          "engine" },
  { "transfer",        "transfer_list", "transfer", "sockets" },
  { "plain data",      "request", "headers", "jar", "json_scan" },
  { "clock, text",     "clock", "text" },
}

--- lua/gws: API -> client -> model / bayeux -> transport -> support -> gws.core.
local LUA_LAYERS = {
  { "API",             "gws.sms", "gws.cli", "gws.cli.*" },
  { "client",          "gws.sms.client", "gws.sms.config" },
  { "client methods",  "gws.sms.agent", "gws.sms.reads", "gws.sms.driving", "gws.sms.events" },
  { "model / bayeux",  "gws.sms.model", "gws.sms.resync", "gws.sms.session", "gws.sms.http",
                       "gws.bayeux" },
  { "bayeux poller",   "gws.bayeux.poller" },
  { "transport",       "gws.transport", "gws.loop" },
  { "transport waits", "gws.transport.waits" },
  { "support",         "gws.emitter", "gws.errors", "gws.args", "gws.scrub", "gws.sms.operations",
                       "gws.version", "gws.bayeux.protocol", "gws.lua_version",
                       "gws.names" },
  { "core",            "gws.core" },
}
local LUA_LAYERS_ENFORCED = true

local TREES = {
  { name = "csrc", dir = "csrc", kind = "c", layers = CSRC_LAYERS, layers_enforced = true },
  { name = "sim", dir = "sim", kind = "c", layers = SIM_LAYERS,
    layers_enforced = SIM_LAYERS_ENFORCED },
  { name = "lua", dir = "lua/gws", kind = "lua", prefix = "gws", layers = LUA_LAYERS,
    layers_enforced = LUA_LAYERS_ENFORCED },
}

local M = { TREES = TREES }

---------------------------------------------------------------------------------------------
-- Reading the files

local fileio = dofile("scripts/fileio.lua")
local read, list = fileio.read, fileio.list

--- C: unit name -> set of unit names it includes (its own header excluded).
function M.scan_c(dir)
  local deps = {}
  for _, file in ipairs(list(dir)) do
    local unit = file:match("^([%w_%-]+)%.[ch]$")
    if unit then
      deps[unit] = deps[unit] or {}
      for line in read(dir .. "/" .. file):gmatch("[^\n]+") do
        local inc = line:match('^%s*#%s*include%s*"([^"]+)"')
        local target = inc and inc:match("^([%w_%-]+)%.[ch]$")
        if target and target ~= unit then deps[unit][target] = true end
      end
    end
  end
  -- Only units of this directory count (an include of ../csrc/x.h from elsewhere is not ours).
  for _, targets in pairs(deps) do
    for t in pairs(targets) do
      if not deps[t] then targets[t] = nil end
    end
  end
  return deps
end

--- Lua: names and strings of a chunk, comments and everything else dropped. Just enough of
-- a lexer that a `require` in a comment or inside a string is never taken for a real one.
local function tokens(src)
  local out, i, n = {}, 1, #src
  local function long_bracket(at)
    local eq = src:match("^%[(=*)%[", at)
    if not eq then return nil end
    local close = "]" .. eq .. "]"
    local stop = select(2, src:find(close, at, true)) or n
    return src:sub(at + #eq + 2, stop - #close), stop + 1
  end
  while i <= n do
    local c = src:sub(i, i)
    if src:sub(i, i + 1) == "--" then
      local _, after = long_bracket(i + 2)
      i = after or ((src:find("\n", i, true) or n) + 1)
    elseif c == '"' or c == "'" then
      local j, buf = i + 1, {}
      while j <= n and src:sub(j, j) ~= c do
        if src:sub(j, j) == "\\" then j = j + 1 end
        buf[#buf + 1] = src:sub(j, j)
        j = j + 1
      end
      out[#out + 1] = { "string", table.concat(buf) }
      i = j + 1
    elseif c == "[" and src:match("^%[=*%[", i) then
      local s, after = long_bracket(i)
      out[#out + 1] = { "string", s }
      i = after
    elseif c:match("[%a_]") then
      local word = src:match("^[%w_]+", i)
      out[#out + 1] = { "name", word }
      i = i + #word
    else
      if not c:match("%s") then out[#out + 1] = { "punct", c } end
      i = i + 1
    end
  end
  return out
end

--- Module names a chunk requires: require "m", require("m"), pcall(require, "m").
function M.requires(src)
  local found, t = {}, tokens(src)
  for k = 1, #t do
    if t[k][1] == "name" and t[k][2] == "require" then
      local nxt = t[k + 1]
      if nxt and nxt[1] == "punct" and (nxt[2] == "(" or nxt[2] == ",") then nxt = t[k + 2] end
      if nxt and nxt[1] == "string" then found[#found + 1] = nxt[2] end
    end
  end
  return found
end

--- Lua: module name -> set of modules (under `prefix`) it requires.
function M.scan_lua(dir, prefix)
  local deps = {}
  local function add(unit) deps[unit] = deps[unit] or {} end
  for _, file in ipairs(list(dir, true)) do
    local path = file:match("^(.*)%.lua$")
    if path then
      local unit = (prefix .. "/" .. path):gsub("/init$", ""):gsub("/", ".")
      add(unit)
      for _, m in ipairs(M.requires(read(dir .. "/" .. file))) do
        if (m == prefix or m:sub(1, #prefix + 1) == prefix .. ".") and m ~= unit then
          deps[unit][m] = true
          add(m) -- gws.core, a C module, has no file here but is a unit all the same
        end
      end
    end
  end
  return deps
end

---------------------------------------------------------------------------------------------
-- The checks

--- unit -> layer index (1 = top), from the layer table; nil for a unit no layer names.
local function placer(layers)
  local exact, prefixes = {}, {}
  for i, layer in ipairs(layers) do
    for k = 2, #layer do
      local name = layer[k]
      if name:sub(-1) == "*" then
        prefixes[#prefixes + 1] = { name:sub(1, -2), i }
      else
        exact[name] = i
      end
    end
  end
  return function(unit)
    if exact[unit] then return exact[unit] end
    for _, p in ipairs(prefixes) do
      if unit:sub(1, #p[1]) == p[1] then return p[2] end
    end
  end
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

--- Circles: the strongly connected components of more than one unit (Tarjan), each sorted.
function M.circles(deps)
  local index, low, on_stack, stack, next_index, found = {}, {}, {}, {}, 0, {}
  local function visit(v)
    index[v], low[v] = next_index, next_index
    next_index = next_index + 1
    stack[#stack + 1] = v
    on_stack[v] = true
    for _, w in ipairs(sorted_keys(deps[v] or {})) do
      if not index[w] then
        visit(w)
        low[v] = math.min(low[v], low[w])
      elseif on_stack[w] then
        low[v] = math.min(low[v], index[w])
      end
    end
    if low[v] == index[v] then
      local component = {}
      repeat
        local w = table.remove(stack)
        on_stack[w] = nil
        component[#component + 1] = w
      until w == v
      if #component > 1 then
        table.sort(component)
        found[#found + 1] = component
      end
    end
  end
  for _, v in ipairs(sorted_keys(deps)) do
    if not index[v] then visit(v) end
  end
  table.sort(found, function(a, b) return a[1] < b[1] end)
  return found
end

--- Everything about one dependency graph against its layers:
-- { circles = {{unit…}…}, upward = {{from, to}…}, unplaced = {unit…}, layer_of = fn }.
function M.check(deps, layers)
  local layer_of = placer(layers)
  local report = { circles = M.circles(deps), upward = {}, unplaced = {}, layer_of = layer_of }
  for _, unit in ipairs(sorted_keys(deps)) do
    local here = layer_of(unit)
    if not here then report.unplaced[#report.unplaced + 1] = unit end
    for _, target in ipairs(sorted_keys(deps[unit])) do
      local there = layer_of(target)
      if here and there and there < here then
        report.upward[#report.upward + 1] = { unit, target }
      end
    end
  end
  return report
end

---------------------------------------------------------------------------------------------
-- Output

local function scan(tree)
  if tree.kind == "c" then return M.scan_c(tree.dir) end
  return M.scan_lua(tree.dir, tree.prefix)
end

--- The drawing: layers top to bottom, each unit with its arrows; an arrow up is marked
-- `^name`, a unit on a circle `@`. Returns the number of errors and of warnings.
function M.draw(tree, deps, report, write)
  local in_circle = {}
  for _, c in ipairs(report.circles) do
    for _, u in ipairs(c) do in_circle[u] = true end
  end
  local by_layer, width = {}, 0
  for _, unit in ipairs(sorted_keys(deps)) do
    local l = report.layer_of(unit) or #tree.layers + 1
    by_layer[l] = by_layer[l] or {}
    table.insert(by_layer[l], unit)
    width = math.max(width, #unit + 1)
  end
  write(("== %s (%s/): %d units on %d layers; arrows: %s\n"):format(tree.name, tree.dir,
    #sorted_keys(deps), #tree.layers,
    tree.kind == "c" and '#include "..." (a .c and its .h are one unit)' or "require"))
  for l = 1, #tree.layers + 1 do
    local units = by_layer[l]
    if units then
      local title = tree.layers[l] and tree.layers[l][1] or "(in no layer)"
      write(("  %d %s\n"):format(l, title))
      for _, unit in ipairs(units) do
        local arrows = {}
        for _, target in ipairs(sorted_keys(deps[unit])) do
          local here, there = report.layer_of(unit), report.layer_of(target)
          arrows[#arrows + 1] = (here and there and there < here and "^" or "") .. target
        end
        local mark = in_circle[unit] and "@" or " "
        write(("     %s%-" .. width .. "s%s\n"):format(mark, unit,
          #arrows > 0 and ("-> " .. table.concat(arrows, " ")) or ""))
      end
    end
  end
  local errors, warnings = 0, 0
  local function finding(is_error, text)
    if is_error then errors = errors + 1 else warnings = warnings + 1 end
    write(("  %s: %s\n"):format(is_error and "ERROR" or "warning", text))
  end
  for _, c in ipairs(report.circles) do
    finding(true, "circle of " .. table.concat(c, ", "))
  end
  for _, u in ipairs(report.upward) do
    finding(tree.layers_enforced, ("upward dependency %s (layer %d) -> %s (layer %d)"):format(
      u[1], report.layer_of(u[1]), u[2], report.layer_of(u[2])))
  end
  for _, u in ipairs(report.unplaced) do
    finding(tree.layers_enforced, u .. " is in no layer (scripts/structure.lua, top)")
  end
  write(("  %s: %d circles, %d upward dependencies, %d units in no layer%s: %s\n"):format(
    tree.name, #report.circles, #report.upward, #report.unplaced,
    tree.layers_enforced and "" or " (layers: warnings only)",
    errors == 0 and "OK" or "FAILED"))
  return errors, warnings
end

function M.dot(tree, deps, report, write)
  write(("digraph %q {\n  rankdir=TB; node [shape=box];\n"):format(tree.name))
  for _, unit in ipairs(sorted_keys(deps)) do
    for _, target in ipairs(sorted_keys(deps[unit])) do
      local here, there = report.layer_of(unit), report.layer_of(target)
      write(("  %q -> %q%s;\n"):format(unit, target,
        (here and there and there < here) and " [color=red]" or ""))
    end
  end
  write("}\n")
end

function M.main(args)
  local dot, wanted = false, {}
  for _, a in ipairs(args) do
    if a == "--dot" then
      dot = true
    else
      wanted[#wanted + 1] = a
    end
  end
  local chosen = {}
  for _, name in ipairs(wanted) do
    local found
    for _, t in ipairs(TREES) do
      if t.name == name then found = t end
    end
    if not found then
      io.stderr:write("usage: lua5.4 scripts/structure.lua [--dot] [csrc|sim|lua]...\n")
      return 2
    end
    chosen[#chosen + 1] = found
  end
  if #chosen == 0 then chosen = TREES end
  local errors = 0
  for _, tree in ipairs(chosen) do
    local deps = scan(tree)
    local report = M.check(deps, tree.layers)
    if dot then
      M.dot(tree, deps, report, io.write)
    else
      errors = errors + M.draw(tree, deps, report, io.write)
    end
  end
  return errors == 0 and 0 or 1
end

-- Run as a script (not loaded by require, whose first argument is the module name).
if arg and arg[0] and arg[0]:match("structure%.lua$") and select("#", ...) == #arg then
  os.exit(M.main(arg))
end

return M
