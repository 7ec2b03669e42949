-- The reference cannot fall behind (issue 15, item 1): LDoc reads the sources as `make docs`
-- does (scripts/docs.lua, config.ld), and every public name must have an entry with a summary,
-- its parameters described and its returns: every function of the gws.sms module table, every
-- method of a client and of a session (the generated operation methods included), every option
-- of sms.new and every event name `on` takes; gws.bayeux's methods and options too. As luv
-- checks its docs.md against the module.
local sms = require "gws.sms"
local client_mod = require "gws.sms.client"
local config = require "gws.sms.config"
local session_mod = require "gws.sms.session"

-- The public names and LDoc's run are shared with scripts/luals_meta.lua (scripts/api_names.lua).
local api = dofile("scripts/api_names.lua")

-- module -> name -> { kind, summary, returns, params = {name -> described}, is_local }
local function reference()
  local out = api.ldoc("ldoc_names.dump", "spec/support", { all = true })
  local ref = {}
  for line in out:gmatch("[^\n]+") do
    local mod, name, kind, summary, returns, params, is_local =
      line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(%d)\t(%d)\t([^\t]*)\t(%d)$")
    if mod then
      local p = {}
      for pname, described in params:gmatch("([^,=]+)=(%d)") do p[pname] = described == "1" end
      ref[mod] = ref[mod] or {}
      ref[mod][name] = { kind = kind, summary = summary == "1", returns = returns == "1", params = p,
        is_local = is_local == "1" }
    end
  end
  return ref
end

local client_entry, public_methods = api.client_entry, api.public_methods

describe("the reference", function()
  local ref
  setup(function() ref = reference() end)

  -- Complaints about one entry: no summary, an undescribed parameter, no returns.
  local function problems(entry, want_returns)
    local out = {}
    if not entry.summary then out[#out + 1] = "no summary" end
    for p, described in pairs(entry.params) do
      if not described then out[#out + 1] = "parameter '" .. p .. "' undescribed" end
    end
    if want_returns and not entry.returns then out[#out + 1] = "no @return/@treturn" end
    return out
  end

  local function check(list, lookup, what)
    local missing = {}
    for _, name in ipairs(list) do
      local entry = lookup(name)
      if not entry then
        missing[#missing + 1] = name .. ": no entry"
      else
        for _, p in ipairs(problems(entry, entry.kind == "function")) do missing[#missing + 1] = name .. ": " .. p end
      end
    end
    assert.same({}, missing, what)
  end

  it("documents every function of the gws.sms module table (forwarders as the client's methods)", function()
    local names = api.module_functions(sms)
    assert.truthy(#names > 40)
    check(names, function(name)
      return ref["gws.sms"][name] or client_entry(ref, name)
    end, "gws.sms")
  end)

  it("documents every method of a client, the generated operations included", function()
    local names = public_methods(client_mod.Client)
    assert.truthy(#names > 40)
    check(names, function(name) return client_entry(ref, name) end, "Client")
  end)

  it("documents every method of a session, the generated operations included", function()
    local names = public_methods(session_mod.Session)
    assert.truthy(#names > 20)
    check(names, function(name) return ref["gws.sms.session"]["Session:" .. name] end, "Session")
  end)

  it("documents every option of sms.new, with what it holds", function()
    local new = assert(ref["gws.sms.client"].new, "gws.sms.client.new has no entry")
    local missing = {}
    for option in pairs(config.OPTIONS) do
      local described = new.params["opts." .. option]
      if not described then missing[#missing + 1] = option end
    end
    table.sort(missing)
    assert.same({}, missing)
  end)

  it("documents every event name on() takes", function()
    local events = assert(ref["gws.sms.events"].events, "no 'events' table in the reference")
    local missing = {}
    for name in pairs(client_mod.EVENTS) do
      -- LDoc takes no "*" for a field name: the reference lists it as "all".
      if not events.params[name == "*" and "all" or name] then missing[#missing + 1] = name end
    end
    table.sort(missing)
    assert.same({}, missing)
  end)

  it("documents gws.bayeux: every public method and every option of bayeux.new", function()
    local bayeux = require "gws.bayeux"
    check(public_methods(bayeux.Bayeux), function(name) return ref["gws.bayeux"]["Bayeux:" .. name] end,
      "Bayeux")
    local new = assert(ref["gws.bayeux"].new, "gws.bayeux.new has no entry")
    local missing = {}
    for option in pairs(bayeux.OPTIONS) do
      if not new.params["opts." .. option] then missing[#missing + 1] = option end
    end
    table.sort(missing)
    assert.same({}, missing)
  end)

  it("would notice a method without an entry", function()
    local Client = client_mod.Client
    Client.undocumented_probe = function() end
    finally(function() Client.undocumented_probe = nil end)
    local found = false
    for _, name in ipairs(public_methods(Client)) do
      if name == "undocumented_probe" then found = client_entry(ref, name) == nil end
    end
    assert.is_true(found)
  end)
end)
