--- An LDoc filter (run by LDoc, i.e. Lua 5.1): prints what LDoc read from the doc comments as
-- one Lua chunk, `return { MODULE, ... }`, for scripts/luals_meta.lua (Lua 5.4) to turn into
-- LuaLS annotations. LDoc stays the one parser of the comments, so the editor's view and the
-- HTML reference cannot read them differently.
--   MODULE = { name, kind, summary, description, items = { ITEM, ... }, sections = { SECTION, ... } }
--   ITEM   = { name, kind, summary, description, is_local, params = { PARAM, ... },
--              returns = { { { type, text }, ... }, ... } (groups, error groups last), raise }
--   PARAM  = { name ("opts" or "opts.url"), type, opt (true or the default, as text), text }
--   SECTION = { name ("Session"), kind ("type"), summary, description, fields = { "id the id", ... } }
--   (a @type's @field tags stay raw: LDoc does not split a section's fields)
local M = {}

local function str(s)
  if type(s) ~= "string" then return "nil" end
  return ("%q"):format(s):gsub("\\\n", "\\n")
end

local function text_of(s)
  if type(s) == "table" then s = table.concat(s, "\n") end
  return str(s)
end

local function dump_item(item, out)
  out[#out + 1] = ("    { name = %s, kind = %s, summary = %s, description = %s, is_local = %s,")
    :format(str(item.name), str(item.type), str(item.summary), text_of(item.description),
      tostring(item.tags and item.tags["local"] ~= nil))
  out[#out + 1] = "      params = {"
  local map = item.params and item.params.map or {}
  local function param(p)
    local m = item.modifiers and item.modifiers[item.parameter or "param"]
    m = m and rawget(m, p) or {}
    local opt = m.optchain or m.opt
    out[#out + 1] = ("        { name = %s, type = %s, opt = %s, text = %s },"):format(str(p), str(m.type),
      opt == true and "true" or str(opt), text_of(map[p]))
  end
  for _, p in ipairs(item.params or {}) do
    param(p)
    for _, sub in ipairs(item.subparams and item.subparams[p] or {}) do param(sub) end
  end
  out[#out + 1] = "      },"
  out[#out + 1] = "      returns = {"
  for _, group in ipairs(item.retgroups or {}) do
    local rets = {}
    for _, r in ipairs(group) do
      rets[#rets + 1] = ("{ type = %s, text = %s }"):format(str(r.type), text_of(r.text))
    end
    out[#out + 1] = "        { " .. table.concat(rets, ", ") .. " },"
  end
  out[#out + 1] = "      },"
  out[#out + 1] = ("      raise = %s },"):format(text_of(item.raise))
end

function M.dump(module_list)
  local out = { "return {" }
  for mod in module_list:iter() do
    out[#out + 1] = ("  { name = %s, kind = %s, summary = %s, description = %s, items = {")
      :format(str(mod.name), str(mod.type), str(mod.summary), text_of(mod.description))
    for item in mod.items:iter() do dump_item(item, out) end
    out[#out + 1] = "  }, sections = {"
    for section in mod.sections:iter() do
      local fields = {}
      local raw = section.tags and section.tags.field
      if type(raw) == "string" then raw = { raw } end
      for _, f in ipairs(raw or {}) do fields[#fields + 1] = text_of(f) end
      out[#out + 1] = ("    { name = %s, kind = %s, summary = %s, description = %s, fields = { %s } },")
        :format(str(section.name), str(section.type), str(section.summary), text_of(section.description),
          table.concat(fields, ", "))
    end
    out[#out + 1] = "  } },"
  end
  out[#out + 1] = "}"
  io.write(table.concat(out, "\n"), "\n")
end

return M
