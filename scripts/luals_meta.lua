--- Writes the LuaLS definition file (`---@meta`) of gws-sms from its doc comments, so editors
-- complete and check the API (issue 15, item 1): `make types` writes types/gws-sms.lua.
--
--   lua5.4 scripts/luals_meta.lua [OUT]     (from the repository's root; gws.core built and
--                                            on LUA_CPATH; OUT defaults to types/gws-sms.lua)
--
-- The sources keep LDoc's syntax (`@tparam`, `@treturn`, `@field`): LuaLS reads `---@param`
-- differently, so annotations in the sources would clash with the reference. Instead LDoc
-- parses them (scripts/ldoc_model.lua dumps its model, gws.loop included) and this script
-- renders that model as LuaLS annotations. Which names are public comes from the modules
-- themselves, as spec/unit/docs_spec.lua enumerates them (scripts/api_names.lua); the data
-- shapes come from docs/shapes.md's tables. spec/unit/luals_meta_spec.lua fails when the
-- committed file differs from what this script writes.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path

local api = dofile("scripts/api_names.lua")
local fileio = dofile("scripts/fileio.lua")
local sms = require "gws.sms"
local client_mod = require "gws.sms.client"
local session_mod = require "gws.sms.session"
local bayeux_mod = require "gws.bayeux"
local errors_mod = require "gws.errors"

local out_path = arg[1] or "types/gws-sms.lua"

-- LDoc's model: module name -> { module, items = name -> item }, in source order too.
-- (--all: an item marked @local has an entry, and is left out as internal, like Session:apply.)
local model_chunk = api.ldoc("ldoc_model.dump", "scripts",
  { all = true, extra_files = { "lua/gws/loop.lua" } })
local model = assert(load(model_chunk, "ldoc model", "t", {}))()
local ref = {}
for _, mod in ipairs(model) do
  local items = {}
  for _, item in ipairs(mod.items) do items[item.name] = item end
  local sections = {}
  for _, section in ipairs(mod.sections) do sections[section.name] = section end
  ref[mod.name] = { module = mod, items = items, sections = sections }
end
-- name -> entry views, as api.client_entry reads them
local entries = {}
for name, r in pairs(ref) do entries[name] = r.items end

---------------------------------------------------------------------------------------------
-- Types: LDoc's spelling to LuaLS's.

-- The classes this file declares, by the names the doc comments use.
local CLASS = {
  Client = "gws.sms.Client", Session = "gws.sms.Session", Loop = "gws.Loop",
  Bayeux = "gws.bayeux.Bayeux",
}
local SHAPE_NS = "gws.sms." -- SESSION, MESSAGE, PARTICIPANT (docs/shapes.md)
local SHAPES = { SESSION = true, MESSAGE = true, PARTICIPANT = true }
local BUILTIN = {
  string = "string", number = "number", integer = "integer", boolean = "boolean", table = "table",
  ["function"] = "function", ["nil"] = "nil", any = "any", userdata = "userdata", thread = "thread",
  int = "integer", bool = "boolean", func = "function", tab = "table", str = "string",
}

local unknown_types = {}

-- One alternative: "string", "{string,...}", "Session".
local function one_type(t)
  t = t:gsub("^%s+", ""):gsub("%s+$", "")
  local elem = t:match("^{(.-),%s*%.%.%.}$")
  if elem then return one_type(elem) .. "[]" end
  if BUILTIN[t] then return BUILTIN[t] end
  if CLASS[t] then return CLASS[t] end
  if SHAPES[t] then return SHAPE_NS .. t end
  unknown_types[t] = true
  return "any"
end

-- A table documented as a shape ("a SESSION table", "MESSAGE tables") is that shape.
local function shape_in(text)
  for word in (text or ""):gmatch("%u+") do
    if SHAPES[word] then return SHAPE_NS .. word end
  end
end

-- An LDoc type ("string|Session", "?number", "{table,...}"), with the text that describes it.
local function luals_type(t, text)
  if t == nil or t == "" then return "any" end
  local optional = false
  if t:sub(1, 1) == "?" then optional, t = true, t:sub(2) end
  local alts, seen = {}, {}
  for alt in t:gmatch("[^|]+") do
    local lt = one_type(alt)
    local shape = shape_in(text)
    if shape and lt == "table" then lt = shape elseif shape and lt == "table[]" then lt = shape .. "[]" end
    if not seen[lt] then seen[lt], alts[#alts + 1] = true, lt end
  end
  -- "the options of `gws.sms.client.new`" (sms.configure) are sms.new's.
  if t == "table" and (text or ""):find("options of `gws%.sms%.client%.new`") then
    alts = { "gws.sms.Options" }
  end
  local s = table.concat(alts, "|")
  if optional then s = #alts > 1 and ("(" .. s .. ")?") or (s .. "?") end
  return s
end

-- A field documented in prose only (a @type's @field): its type where the words say it.
local function prose_type(text)
  local shape = shape_in(text)
  if shape then return text:find("tables") and shape .. "[]" or shape end
  local paren = text:match("%((%l+)[%s%);]") or text:match("%((%l+)%)$")
  local nilable = text:find("or nil") or text:find("%(nil ") ~= nil
  if text:find('^"') then return nilable and "string?" or "string" end
  if paren == "array" then return "any[]" end
  if paren and BUILTIN[paren] and paren ~= "nil" then return BUILTIN[paren] .. (nilable and "?" or "") end
  if text:find("^true ") or text:find("^whether ") then return "boolean" end
  if text:find("index") then return "integer" end
  return "any"
end

---------------------------------------------------------------------------------------------
-- Rendering

local out = {}
local function emit(s) out[#out + 1] = s end

-- Doc text as `---` lines (LuaLS shows them as markdown); a line LuaLS would read as a tag
-- ("@...") is indented by one space.
local function doc_lines(...)
  local text = {}
  for i = 1, select("#", ...) do
    local s = select(i, ...)
    if s and s:find("%S") then text[#text + 1] = s end
  end
  local lines = {}
  for line in (table.concat(text, "\n") .. "\n"):gmatch("(.-)\n") do
    line = line:gsub("^ ", ""):gsub("%s+$", "")
    if line:find("^@") then line = " " .. line end
    local l = "---" .. (line == "" and "" or " " .. line)
    if not (l == "---" and (lines[#lines] == "---" or #lines == 0)) then lines[#lines + 1] = l end
  end
  while lines[#lines] == "---" do lines[#lines] = nil end
  for _, l in ipairs(lines) do emit(l) end
end

-- One line of description after a tag: newlines folded.
local function one_line(text)
  return ((text or ""):gsub("%s*\n%s*", " "):gsub("^%s+", ""):gsub("%s+$", ""))
end

local function tag_text(text)
  local t = one_line(text)
  return t == "" and "" or " # " .. t
end

local function camel(name)
  return (name:gsub("^%l", string.upper):gsub("_(%l)", string.upper))
end

-- Option classes declared by the functions, emitted after them: { name, fields }.
local option_classes = {}

-- The name of the class of sub-parameters `param` of function `fname` (in namespace ns).
local function options_class(ns, fname, param)
  local base = fname:match("[:.]?([%w_]+)$")
  local suffix = param == "opts" and "Options" or camel(param)
  return ns .. "." .. (base == "new" and "" or camel(base)) .. suffix
end

-- The error alternative "nil, err" a doc comment writes as an untyped @return.
local function is_err_return(r)
  return (r.type == nil or r.type == "") and one_line(r.text):find("^nil,%s*err") ~= nil
end

-- ---@param and ---@return lines of LDoc item `item`; `ns` names its option classes.
-- Returns the parameter list for the function line.
local function signature(item, ns, overrides)
  overrides = overrides or {}
  local params, subs = {}, {}
  for _, p in ipairs(item.params) do
    local top, field = p.name:match("^([%w_]+)%.([%w_%.]+)$")
    if top then
      subs[top] = subs[top] or {}
      table.insert(subs[top], { name = field, type = luals_type(p.type, p.text), opt = p.opt, text = p.text })
    else
      params[#params + 1] = p
    end
  end
  local names = {}
  for _, p in ipairs(params) do
    local t = overrides[p.name] or luals_type(p.type, p.text)
    if subs[p.name] then
      local class = options_class(ns, item.name, p.name)
      if not option_classes[class] then
        option_classes[class] = true
        option_classes[#option_classes + 1] = { name = class, fields = subs[p.name],
          summary = one_line(p.text) }
      end
      t = class
    end
    local name = p.name == "..." and "..." or p.name .. (p.opt and "?" or "")
    emit(("---@param %s %s%s"):format(name, t, tag_text(p.text)))
    names[#names + 1] = p.name
  end
  local rets, fails = {}, false
  for _, group in ipairs(item.returns) do
    for _, r in ipairs(group) do
      if is_err_return(r) then fails = true else rets[#rets + 1] = r end
    end
  end
  if #rets == 0 then
    -- (fails: only "nil, err" is written; none at all: gws.loop's undocumented returns)
    emit(fails and "---@return nil" or "---@return any")
  end
  for i, r in ipairs(rets) do
    local t
    if (r.type == nil or r.type == "") and one_line(r.text):find("^nothing") then
      t = "nil"
    else
      t = overrides["return"] or luals_type(r.type, r.text)
    end
    if fails and i == 1 and t ~= "nil" and not t:find("%?$") then
      t = t:find("|") and "(" .. t .. ")?" or t .. "?"
    end
    emit(("---@return %s%s"):format(t, tag_text(r.text)))
  end
  if fails then emit("---@return gws.Error? err # on failure (the first value is then nil)") end
  return names
end

-- A function or method: doc, annotations, `function owner.name(...) end`; nothing for one
-- the doc comments mark @local.
local function emit_function(owner, sep, name, item, ns, overrides)
  if not item then
    error(("no doc entry for %s%s%s: spec/unit/docs_spec.lua should have failed"):format(owner, sep, name))
  end
  if item.is_local or item.kind == "lfunction" then return end
  emit("")
  doc_lines((item.summary or "") .. (item.description or ""))
  if item.raise then emit("---") doc_lines("Raises " .. one_line(item.raise)) end
  for _, overload in ipairs(overrides and overrides.overloads and overrides.overloads[name] or {}) do
    emit(("---@overload fun(%s%s)%s"):format(sep == ":" and ("self: %s, "):format(overrides.self) or "",
      overload.args, overload.returns))
  end
  local names = signature(item, ns, overrides)
  emit(("function %s%s%s(%s) end"):format(owner, sep, name, table.concat(names, ", ")))
end

-- A function without a doc entry (gws.loop's few): its parameter names from the function.
local function emit_undocumented(owner, sep, name, fn)
  emit("")
  local names = {}
  local info = debug.getinfo(fn, "u")
  for i = 1, info.nparams do
    local pname = debug.getlocal(fn, i)
    if not (sep == ":" and i == 1 and pname == "self") then
      names[#names + 1] = pname
      emit(("---@param %s any"):format(pname))
    end
  end
  if info.isvararg then names[#names + 1] = "..."; emit("---@param ... any") end
  emit("---@return any")
  emit(("function %s%s%s(%s) end"):format(owner, sep, name, table.concat(names, ", ")))
end

-- The type of a module's field, from its value.
local MODULE_CLASS = { [errors_mod] = "gws.errors", [bayeux_mod] = "gws.bayeux",
  [bayeux_mod.Bayeux] = "gws.bayeux.Bayeux", [client_mod.Client] = "gws.sms.Client" }
local function value_type(v)
  if MODULE_CLASS[v] then return MODULE_CLASS[v] end
  local t = type(v)
  if t == "number" then return math.type(v) end
  if t ~= "table" then return t end
  -- A table: its keys' and values' types when each is one type.
  local kt, vt, n = nil, nil, 0
  for k, x in pairs(v) do
    n = n + 1
    local a, b = value_type(k), type(x) == "table" and "table" or value_type(x)
    kt = (kt == nil or kt == a) and a or "any"
    vt = (vt == nil or vt == b) and b or "any"
  end
  if not kt then return "table" end
  if kt == "integer" and #v == n then return vt .. "[]" end
  return ("table<%s, %s>"):format(kt, vt)
end

local function emit_class(name, parent_doc)
  emit("")
  if parent_doc then doc_lines((parent_doc.summary or "") .. (parent_doc.description or "")) end
  emit("---@class " .. name)
end

-- The fields of a module table that are not functions (VERSION, EVENTS, …), sorted.
local function emit_value_fields(mod, doc_items)
  local names = {}
  for k, v in pairs(mod) do
    if type(k) == "string" and type(v) ~= "function" and not k:find("^_") then names[#names + 1] = k end
  end
  table.sort(names)
  for _, k in ipairs(names) do
    local item = doc_items[k]
    local text = item and one_line((item.summary or "") .. (item.description or "")) or ""
    emit(("---@field %s %s%s"):format(k, value_type(mod[k]), text ~= "" and " " .. text or ""))
  end
end

---------------------------------------------------------------------------------------------
-- docs/shapes.md: its tables become classes and aliases.

-- section title -> list of tables, each { header = {...}, rows = { {cells}, ... } }
local function markdown_tables(text)
  local sections, current, tbl = {}, nil, nil
  for line in text:gmatch("[^\n]*") do
    local title = line:match("^##%s+(.-)%s*$")
    if title then
      current = {}
      sections[title] = current
      tbl = nil
    elseif current and line:find("^|") then
      local cells = {}
      for cell in line:gsub("\\|", "\1"):gmatch("|([^|]*)") do
        cells[#cells + 1] = cell:gsub("\1", "|"):gsub("^%s+", ""):gsub("%s+$", "")
      end
      if cells[#cells] == "" then cells[#cells] = nil end
      if not tbl then
        tbl = { header = cells, rows = {} }
        current[#current + 1] = tbl
      elseif not cells[1]:find("^%-%-%-") then
        tbl.rows[#tbl.rows + 1] = cells
      end
    else
      tbl = nil
    end
  end
  return sections
end

local function unquote(s) return (s:gsub("`", "")) end

-- A shapes.md type cell: "string, *always*", "array of strings", "array of PARTICIPANT".
local function shape_type(cell)
  local always = cell:find("%*always%*") ~= nil
  local t = cell:gsub(",?%s*%*always%*", ""):gsub("^%s+", ""):gsub("%s+$", "")
  local elem = t:match("^array of (.+)$")
  local lt
  if elem then
    elem = elem:gsub("s$", "")
    lt = (SHAPES[elem] and SHAPE_NS .. elem or BUILTIN[elem] or "any") .. "[]"
  else
    lt = SHAPES[t] and SHAPE_NS .. t or BUILTIN[t] or "any"
  end
  return lt, always
end

-- The literal names of a table's first column ("`Notice`, `CustomNotice`" gives two).
local function literals(rows)
  local names = {}
  for _, row in ipairs(rows) do
    for name in row[1]:gmatch("`([^`]+)`") do names[#names + 1] = name:match('^"(.*)"$') or name end
  end
  return names
end

local function alias(name, values, doc)
  emit("")
  if doc then doc_lines(doc) end
  local quoted = {}
  for _, v in ipairs(values) do quoted[#quoted + 1] = ("%q"):format(v) end
  emit(("---@alias %s %s|string"):format(name, table.concat(quoted, "|")))
end

-- The err table has no type column in shapes.md: its fields' types, as gws.errors makes them.
local ERR_TYPES = { message = "string", code = "integer?", http_status = "integer?" }

-- A connection event's table, `{attempt = n, delay = seconds, error = err}`: its fields.
local EVENT_FIELD_TYPES = { bool = "boolean", n = "integer", seconds = "number", s = "number",
  err = "gws.Error", id = "string" }
local function event_fields(cell)
  local fields, by_name, blocks = {}, {}, 0
  for body in cell:gmatch("`{(.-)}`") do
    blocks = blocks + 1
    for part in body:gmatch("[^,]+") do
    local name, value = part:match("^%s*([%w_]+)%s*=%s*(.-)%s*$")
    if name then
      local alts, nilable = {}, false
      for v in value:gmatch("[^|]+") do
        v = v:gsub("^%s+", ""):gsub("%s+$", "")
        if v == "nil" then nilable = true
        elseif v:find('^"') then alts[#alts + 1] = v
        else alts[#alts + 1] = EVENT_FIELD_TYPES[v] or "any" end
      end
      local t = table.concat(alts, "|")
      if nilable then t = #alts > 1 and "(" .. t .. ")?" or t .. "?" end
      if by_name[name] then
        by_name[name].count = by_name[name].count + 1
      else
        by_name[name] = { name = name, type = t, count = 1 }
        fields[#fields + 1] = by_name[name]
      end
    end
    end
  end
  if blocks == 0 then return nil end
  for _, f in ipairs(fields) do
    if f.count < blocks and not f.type:find("%?$") then f.type = f.type .. "?" end
  end
  return fields
end

local event_classes = {} -- connection event -> true: gws.event.<name> is declared

local function emit_shapes()
  local sections = markdown_tables(fileio.read("docs/shapes.md"))
  for _, name in ipairs { "SESSION", "PARTICIPANT", "MESSAGE" } do
    local tables = assert(sections[name], "docs/shapes.md has no section " .. name)
    local fields = tables[1]
    -- A further table keyed by one of the fields' names lists that field's values.
    local value_alias = {}
    for i = 2, #tables do
      local key = tables[i].header[1]
      local aname = SHAPE_NS .. camel(name:lower()) .. camel(key)
      alias(aname, literals(tables[i].rows),
        ("The `%s` of a %s (docs/shapes.md; an unknown one passes through)"):format(key, name))
      value_alias[key] = aname
    end
    emit_class(SHAPE_NS .. name)
    for _, row in ipairs(fields.rows) do
      local field = unquote(row[1])
      local t, always = shape_type(row[2])
      if value_alias[field] then t = value_alias[field] end
      emit(("---@field %s%s %s %s"):format(field, always and "" or "?", t, one_line(row[3])))
    end
  end

  local err = assert(sections.err, "docs/shapes.md has no section err")
  alias("gws.ErrorKind", literals(err[2].rows), "What went wrong: `err.kind` (docs/shapes.md, \"err\")")
  emit("")
  doc_lines("A failure at run time, returned as `nil, err` (docs/shapes.md, \"err\"); `tostring(err)`"
    .. " gives it on one line and `gws.errors.is(err)` tells it from other values.")
  emit("---@class gws.Error")
  for _, row in ipairs(err[1].rows) do
    local field = unquote(row[1])
    local t = field == "kind" and "gws.ErrorKind" or assert(ERR_TYPES[field], "err field " .. field)
    emit(("---@field %s %s %s"):format(field, t, one_line(row[2])))
  end

  local events = assert(sections["Connection events"], "docs/shapes.md has no section 'Connection events'")
  for _, row in ipairs(events[1].rows) do
    local event = unquote(row[1])
    local fields = event_fields(row[2])
    if fields then
      emit("")
      doc_lines(("The table of the `%s` event: %s"):format(event, one_line(row[2])))
      emit(("---@class gws.event.%s"):format(event))
      event_classes[event] = true
      for _, f in ipairs(fields) do emit(("---@field %s %s"):format(f.name, f.type)) end
    end
  end
end

---------------------------------------------------------------------------------------------
-- The file

emit("---@meta gws.sms")
emit("-- Generated by scripts/luals_meta.lua (`make types`) from the doc comments of lua/gws and from")
emit("-- docs/shapes.md: do not edit. LuaLS annotations for editors (README, \"Editor support\").")

emit_shapes()

-- Events: the names `on` takes (gws.sms.events' reference: "all" there is "*").
local event_names = {}
for name in pairs(client_mod.EVENTS) do event_names[#event_names + 1] = name end
table.sort(event_names)
emit("")
doc_lines("An event name `client:on` takes; any other upper-case name is a notificationType a server"
  .. " may add.")
do
  local quoted = {}
  for _, name in ipairs(event_names) do quoted[#quoted + 1] = ("%q"):format(name) end
  emit(("---@alias gws.sms.Event %s|string"):format(table.concat(quoted, "|")))
end
-- `on`'s and `off`'s event parameter (and their forwarders') take the names above, and `on`
-- has an overload per event whose listener's arguments the events table names, so an editor
-- knows that `function(msg, session)` of "message" gets a MESSAGE and a Session.
local LISTENER_ARGS = { data = "table", session = "gws.sms.Session", message = "gws.sms.MESSAGE",
  old_state = "string?", new_state = "string" }
local function listener_type(event, text)
  local args = text:match("`%((.-)%)`")
  if not args then return nil end
  if args:find("^{") then
    return event_classes[event] and ("fun(info: gws.event.%s)"):format(event) or "fun(info: table)"
  end
  local parts = {}
  for a in args:gmatch("[^,%s]+") do
    if a ~= "nil" then
      if not LISTENER_ARGS[a] then return nil end
      parts[#parts + 1] = a .. ": " .. LISTENER_ARGS[a]
    end
  end
  return "fun(" .. table.concat(parts, ", ") .. ")"
end
local on_overloads = {}
for _, p in ipairs(assert(ref["gws.sms.events"].items.events, "no events table in gws.sms.events").params) do
  local event = p.name == "all" and "*" or p.name -- LDoc takes no "*" for a field name
  local listener = listener_type(p.name, p.text)
  if listener then
    on_overloads[#on_overloads + 1] = { args = ("event: %q, fn: %s"):format(event, listener),
      returns = ": function" }
  end
end
local EVENT_OVERRIDES = { event = "gws.sms.Event", overloads = { on = on_overloads },
  self = "gws.sms.Client" }

-- gws.errors
emit_class("gws.errors", ref["gws.errors"].module)
emit_value_fields(errors_mod, ref["gws.errors"].items)
emit("local errors = {}")
for _, name in ipairs(api.module_functions(errors_mod)) do
  emit_function("errors", ".", name, ref["gws.errors"].items[name], "gws.errors",
    { ["return"] = name == "new" and "gws.Error" or nil })
end

-- gws.bayeux and its client
emit_class("gws.bayeux", ref["gws.bayeux"].module)
emit_value_fields(bayeux_mod, ref["gws.bayeux"].items)
emit("local bayeux = {}")
-- (its other module functions, backoff_delay and the like, are the GWS client's, undocumented)
for _, name in ipairs(api.module_functions(bayeux_mod)) do
  local item = ref["gws.bayeux"].items[name]
  if item then emit_function("bayeux", ".", name, item, "gws.bayeux") end
end
emit_class("gws.bayeux.Bayeux", ref["gws.bayeux"].sections.Bayeux)
emit("local Bayeux = {}")
for _, name in ipairs(api.public_methods(bayeux_mod.Bayeux)) do
  emit_function("Bayeux", ":", name, ref["gws.bayeux"].items["Bayeux:" .. name], "gws.bayeux")
end

-- gws.loop: the loop sms.loop makes (its class is not exported; one instance shows it).
do
  local loop = sms.loop()
  local Loop = getmetatable(loop)
  emit_class("gws.Loop", ref["gws.loop"].module)
  emit("local Loop = {}")
  for _, name in ipairs(api.public_methods(Loop)) do
    local item = ref["gws.loop"].items["Loop:" .. name]
    -- gws.loop's comments give no types; a loop is driven like a client (sms.loop's doc), so a
    -- method the client has too takes the types of the client's: its parameters of the same
    -- name and its returns.
    local as_client = item and #item.returns == 0 and api.client_entry(entries, name)
    if as_client then
      local typed = {}
      for _, p in ipairs(as_client.params) do typed[p.name] = p end
      local params = {}
      for _, p in ipairs(item.params) do
        local t = typed[p.name]
        params[#params + 1] = { name = p.name, type = t and t.type or p.type, opt = t and t.opt or p.opt,
          text = t and t.text or p.text }
      end
      local returns = {}
      for _, group in ipairs(as_client.returns) do
        local g = {}
        for _, r in ipairs(group) do
          local untyped = r.type == nil or r.type == "" -- "nothing", "nil, err": kept as written
          g[#g + 1] = { type = r.type, text = untyped and r.text or "as `client:" .. name .. "()`" }
        end
        returns[#returns + 1] = g
      end
      item = setmetatable({ params = params, returns = returns }, { __index = item })
    end
    if item then emit_function("Loop", ":", name, item, "gws.loop")
    else emit_undocumented("Loop", ":", name, Loop[name]) end
  end
  loop:close()
end

-- The session
local session_doc = ref["gws.sms.session"].sections.Session
emit_class("gws.sms.Session", session_doc)
for _, f in ipairs(session_doc.fields) do
  local name, text = f:match("^([%w_]+)%s+(.*)$")
  emit(("---@field %s %s %s"):format(name, prose_type(text), one_line(text)))
end
emit("local Session = {}")
for _, name in ipairs(api.public_methods(session_mod.Session)) do
  emit_function("Session", ":", name, ref["gws.sms.session"].items["Session:" .. name], "gws.sms")
end

-- The client
emit_class("gws.sms.Client", ref["gws.sms.client"].sections.Client)
emit("local Client = {}")
for _, name in ipairs(api.public_methods(client_mod.Client)) do
  emit_function("Client", ":", name, api.client_entry(entries, name), "gws.sms", EVENT_OVERRIDES)
end

-- gws.sms: its own functions, gws.sms.client's it re-exports (new), and the forwarders to the
-- default client, documented as the client's methods (as docs_spec looks them up).
emit_class("gws.sms", ref["gws.sms"].module)
emit_value_fields(sms, ref["gws.sms"].items)
emit("local sms = {}")
for _, name in ipairs(api.module_functions(sms)) do
  local defined_in = debug.getinfo(sms[name], "S").source:match("lua/(gws/.-)%.lua$")
  defined_in = defined_in and defined_in:gsub("/", ".")
  local item = defined_in and ref[defined_in] and ref[defined_in].items[name] or ref["gws.sms"].items[name]
    or api.client_entry(entries, name)
  emit_function("sms", ".", name, item, "gws.sms", EVENT_OVERRIDES)
end

-- The option tables the functions above take.
for _, class in ipairs(option_classes) do
  emit("")
  doc_lines(class.summary)
  emit("---@class " .. class.name)
  for _, f in ipairs(class.fields) do
    emit(("---@field %s%s %s%s"):format(f.name, f.opt and "?" or "", f.type,
      f.text and one_line(f.text) ~= "" and " " .. one_line(f.text) or ""))
  end
end

emit("")
emit("return sms")

local names = {}
for t in pairs(unknown_types) do names[#names + 1] = t end
table.sort(names)
if #names > 0 then
  io.stderr:write("luals_meta: types the doc comments name that no class declares (written as any): ",
    table.concat(names, ", "), "\n")
end

fileio.write(out_path, table.concat(out, "\n") .. "\n")
