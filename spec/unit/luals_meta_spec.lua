-- The LuaLS definition file (issue 15, item 1: "editors complete the API") cannot fall behind
-- the doc comments: types/gws-sms.lua is what scripts/luals_meta.lua writes now, it is valid
-- Lua 5.4, and every public name spec/unit/docs_spec.lua checks (scripts/api_names.lua) is
-- annotated in it: every function of gws.sms, every method of a client, a session, a Bayeux
-- client and a loop, every option of sms.new, sms.loop and bayeux.new, every event name.
local api = dofile("scripts/api_names.lua")
local sms = require "gws.sms"
local bayeux = require "gws.bayeux"
local client_mod = require "gws.sms.client"
local config = require "gws.sms.config"
local session_mod = require "gws.sms.session"
local read = require("support.files").read

local COMMITTED = "types/gws-sms.lua"

-- The lines of the file that declare `function OWNER<sep>NAME(`, as a set of "OWNER<sep>NAME".
local function declared_functions(text)
  local set = {}
  for owner, sep, name in text:gmatch("\nfunction ([%w_]+)([.:])([%w_]+)%(") do set[owner .. sep .. name] = true end
  return set
end

-- The ---@field names of ---@class CLASS.
local function class_fields(text, class)
  local body = text:match("\n%-%-%-@class " .. class:gsub("%.", "%%.") .. "\n(.-)\n[^-]")
  assert(body, "no ---@class " .. class)
  local set = {}
  for name in body:gmatch("%-%-%-@field ([%w_]+)") do set[name] = true end
  return set
end

local function missing(names, have, prefix)
  local out = {}
  for _, name in ipairs(names) do
    if not have[(prefix or "") .. name] then out[#out + 1] = name end
  end
  return out
end

local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

describe("types/gws-sms.lua (LuaLS)", function()
  local text, fns
  setup(function()
    text = read(COMMITTED)
    fns = declared_functions(text)
  end)

  it("is what scripts/luals_meta.lua writes from the doc comments now (else: make types)", function()
    local tmp = os.tmpname()
    finally(function() os.remove(tmp) end)
    local p = assert(io.popen(("lua5.4 scripts/luals_meta.lua %s 2>&1"):format(tmp)))
    local log = p:read("a")
    assert(p:close(), log)
    local fresh = read(tmp)
    if fresh ~= text then
      -- The first differing line says what changed.
      local n = 1
      local old_lines, new_lines = {}, {}
      for l in text:gmatch("[^\n]*") do old_lines[#old_lines + 1] = l end
      for l in fresh:gmatch("[^\n]*") do new_lines[#new_lines + 1] = l end
      while old_lines[n] == new_lines[n] do n = n + 1 end
      error(("%s is stale (run `make types`): line %d is\n  %s\nand would be\n  %s"):format(COMMITTED, n,
        tostring(old_lines[n]), tostring(new_lines[n])))
    end
  end)

  it("is a ---@meta file Lua 5.4 loads", function()
    assert.truthy(text:find("^%-%-%-@meta gws%.sms\n"))
    assert(loadfile(COMMITTED, "t"))
  end)

  it("annotates every function of the gws.sms module table", function()
    local names = api.module_functions(sms)
    assert.truthy(#names > 40)
    assert.same({}, missing(names, fns, "sms."))
  end)

  it("annotates every method of a client and of a session, the generated operations included", function()
    local names = api.public_methods(client_mod.Client)
    assert.truthy(#names > 40)
    assert.same({}, missing(names, fns, "Client:"))
    -- A method the reference marks @local (the model's, e.g. Session:apply) is left out.
    local model = assert(load(api.ldoc("ldoc_model.dump", "scripts", { all = true }), "model", "t", {}))()
    local is_local = {}
    for _, mod in ipairs(model) do
      for _, item in ipairs(mod.items) do
        if item.is_local or item.kind == "lfunction" then is_local[item.name] = true end
      end
    end
    assert.truthy(is_local["Session:apply"])
    local public = {}
    for _, name in ipairs(api.public_methods(session_mod.Session)) do
      if not is_local["Session:" .. name] then public[#public + 1] = name end
    end
    assert.truthy(#public > 20)
    assert.same({}, missing(public, fns, "Session:"))
    assert.is_nil(fns["Session:apply"])
  end)

  it("annotates gws.bayeux's client and a loop, and every error kind", function()
    assert.same({}, missing(api.public_methods(bayeux.Bayeux), fns, "Bayeux:"))
    assert.truthy(fns["bayeux.new"])
    local loop = sms.loop()
    local methods = api.public_methods(getmetatable(loop))
    loop:close()
    assert.truthy(#methods > 5)
    assert.same({}, missing(methods, fns, "Loop:"))
    assert.truthy(fns["errors.is"] and fns["errors.new"])
    for _, kind in ipairs { "transport", "timeout", "http", "status", "closed" } do
      assert.truthy(text:find('\n%-%-%-@alias gws%.ErrorKind [^\n]*"' .. kind .. '"'), kind)
    end
  end)

  it("has every option of sms.new, sms.loop and bayeux.new as a field of its options class", function()
    assert.same({}, missing(sorted_keys(config.OPTIONS), class_fields(text, "gws.sms.Options")))
    assert.same({}, missing(sorted_keys(bayeux.OPTIONS), class_fields(text, "gws.bayeux.Options")))
    local loop_fields = class_fields(text, "gws.sms.LoopOptions")
    assert.truthy(loop_fields.max_requests and loop_fields.ca_file)
    assert.truthy(text:find("\n%-%-%-@param opts gws%.sms%.Options "), "sms.new's opts are not typed")
  end)

  it("names every event `on` takes, and the data shapes", function()
    local line = assert(text:match("\n%-%-%-@alias gws%.sms%.Event ([^\n]+)"))
    local have = {}
    for name in line:gmatch('"([^"]+)"') do have[name] = true end
    assert.same({}, missing(sorted_keys(client_mod.EVENTS), have))
    assert.truthy(text:find("\n%-%-%-@param event gws%.sms%.Event "), "on's event is not typed")
    -- client:on has an overload per event, typing its listener's arguments.
    local overloaded = {}
    for name in text:gmatch('\n%-%-%-@overload fun%(self: gws%.sms%.Client, event: "([^"]+)", fn: fun%(') do
      overloaded[name] = true
    end
    assert.same({}, missing(sorted_keys(client_mod.EVENTS), overloaded))
    assert.truthy(text:find('event: "message", fn: fun%(message: gws%.sms%.MESSAGE, session: gws%.sms%.Session%)'))
    for _, shape in ipairs { "SESSION", "MESSAGE", "PARTICIPANT" } do
      assert.truthy(next(class_fields(text, "gws.sms." .. shape)), shape)
    end
    assert.truthy(class_fields(text, "gws.Error").kind)
    assert.truthy(class_fields(text, "gws.sms.Session").participants)
  end)
end)
