--- An LDoc filter (run by LDoc, i.e. Lua 5.1 or 5.2): prints what the reference documents, one
-- line per item, for spec/unit/docs_spec.lua:
--   module TAB name TAB kind TAB summary? TAB returns? TAB param=described,... TAB local?
-- `summary?`, `returns?`, `described` and `local?` are 1 or 0; a parameter's sub-parameters
-- ("opts.url") are listed like parameters.
local M = {}

local function has_text(s) return type(s) == "string" and s:find("%S") ~= nil and 1 or 0 end

function M.dump(module_list)
  for mod in module_list:iter() do
    for item in mod.items:iter() do
      local params = {}
      local map = item.params and item.params.map or {}
      for _, p in ipairs(item.params or {}) do
        params[#params + 1] = p .. "=" .. has_text(map[p])
        for _, sub in ipairs(item.subparams and item.subparams[p] or {}) do
          params[#params + 1] = sub .. "=" .. has_text(map[sub])
        end
      end
      local is_local = item.tags and item.tags["local"] and 1 or 0
      io.write(table.concat({ mod.name, item.name, item.type, has_text(item.summary),
        (item.retgroups and #item.retgroups > 0) and 1 or 0, table.concat(params, ","), is_local }, "\t"), "\n")
    end
  end
end

return M
