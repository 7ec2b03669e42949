--- What gws-sms makes public, enumerated from the modules themselves, and LDoc's reading of
-- the doc comments: shared by spec/unit/docs_spec.lua (every public name has a reference
-- entry) and scripts/luals_meta.lua (every public name gets LuaLS annotations), so both walk
-- the same names. Loaded with dofile("scripts/api_names.lua") from the repository's root,
-- with ./lua on LUA_PATH and gws.core on LUA_CPATH.
local M = {}

-- The Client's methods are documented in gws.sms.client and the files it installs them from.
M.CLIENT_MODULES = { "gws.sms.client", "gws.sms.agent", "gws.sms.reads", "gws.sms.driving" }

--- The entry of Client method `name` in `ref` (module -> name -> entry), wherever it is.
function M.client_entry(ref, name)
  for _, mod in ipairs(M.CLIENT_MODULES) do
    local entry = ref[mod] and ref[mod]["Client:" .. name]
    if entry then return entry end
  end
end

--- The public method names of a class table (functions not starting with "_"), sorted.
function M.public_methods(class)
  local out = {}
  for name, v in pairs(class) do
    if type(name) == "string" and type(v) == "function" and not name:find("^_") then out[#out + 1] = name end
  end
  table.sort(out)
  return out
end

--- The names of the functions in a module table, sorted.
function M.module_functions(mod)
  local names = {}
  for k, v in pairs(mod) do if type(v) == "function" then names[#names + 1] = k end end
  table.sort(names)
  return names
end

local function shell(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

local function quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

--- Runs LDoc as `make docs` does (scripts/docs.lua prepares a copy of what config.ld names,
-- with the generated operation methods) and returns what LDoc filter `filter` ("module.fn",
-- found in directory `filter_dir`) printed. opts.all: LDoc's --all (local items too);
-- opts.extra_files: more sources (paths under the root) read besides config.ld's.
function M.ldoc(filter, filter_dir, opts)
  opts = opts or {}
  local dir = os.tmpname()
  os.remove(dir)
  local ok, out = shell(("LUA_PATH='./lua/?.lua;;' lua5.4 scripts/docs.lua %s"):format(quote(dir)))
  assert(ok, out)
  local config = "config.ld"
  if opts.extra_files then
    local conf = {}
    local f = assert(io.open("config.ld", "rb"))
    assert(load(f:read("a"), "config.ld", "t", conf))()
    f:close()
    local files = table.move(conf.file, 1, #conf.file, 1, {})
    for _, path in ipairs(opts.extra_files) do
      files[#files + 1] = path
      assert(os.execute(("mkdir -p %s && cp %s %s"):format(quote(dir .. "/" .. path:match("^(.*)/")),
        quote(path), quote(dir .. "/" .. path))))
    end
    config = "extra.ld"
    local lines = {}
    for _, path in ipairs(files) do lines[#lines + 1] = ("%q"):format(path) end
    f = assert(io.open(dir .. "/" .. config, "wb"))
    f:write("file = { ", table.concat(lines, ", "), " }\n")
    f:close()
  end
  local _, cwd = shell("pwd")
  -- LDoc's warnings (stderr) are kept apart from what the filter prints, and shown if it fails.
  local p = assert(io.popen(("cd %s && LUA_PATH=%s lua5.1 /usr/bin/ldoc -c %s %s--filter %s . 2>ldoc.err")
    :format(quote(dir), quote(cwd:gsub("%s+$", "") .. "/" .. filter_dir .. "/?.lua;;"), config,
      opts.all and "--all " or "", filter)))
  local ldoc_out = p:read("a")
  ok = p:close()
  local f = io.open(dir .. "/ldoc.err", "rb")
  local warnings = f and f:read("a") or ""
  if f then f:close() end
  os.execute("rm -rf " .. quote(dir))
  assert(ok, "ldoc failed: " .. warnings .. ldoc_out)
  return ldoc_out
end

return M
