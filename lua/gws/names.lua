--- Strict names: an unknown option, event or method raises naming the closest known one, so a
-- typo (`timout`, `"mesage"`, `send_mesage`) fails at once instead of being ignored.
--
-- Every check here raises (it is only ever reached by a caller's mistake); `level` counts as
-- error() does, from the function that calls the check (1 = that function, 2 = its caller).
local M = {}

-- Optimal string alignment distance (Levenshtein plus adjacent transpositions: "ulr" is one
-- step from "url"), on lower-cased names so "Message" is close to "message". Names are short
-- and this only runs on the way to an error.
local function distance(a, b)
  a, b = a:lower(), b:lower()
  local la, lb = #a, #b
  local d = {}
  for i = 0, la do d[i] = { [0] = i } end
  for j = 0, lb do d[0][j] = j end
  for i = 1, la do
    for j = 1, lb do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[la][lb]
end
M.distance = distance

-- How far a typo may be from what was meant: one edit for short names, up to three for long.
local function tolerance(name)
  if #name <= 3 then return 1 end
  if #name <= 6 then return 2 end
  return 3
end

local function sorted_names(known)
  local list = {}
  if known[1] ~= nil then
    for _, k in ipairs(known) do list[#list + 1] = k end
  else
    for k in pairs(known) do
      if type(k) == "string" then list[#list + 1] = k end
    end
  end
  table.sort(list)
  return list
end

--- The known name closest to `name` (within the tolerance), or nil. `known` is an array of
-- names or a set (name -> true).
function M.closest(name, known)
  if type(name) ~= "string" or name == "" then return nil end
  local best, best_d
  local lower = name:lower()
  for _, k in ipairs(sorted_names(known)) do
    if k ~= name then
      local d = distance(name, k)
      -- A cut-short name ("nick", "start") means the longer one, unless an edit is closer.
      local kl = k:lower()
      if #lower >= 3 and kl:sub(1, #lower) == lower then d = math.min(d, tolerance(name)) end
      if d <= tolerance(name) and (best_d == nil or d < best_d) then best, best_d = k, d end
    end
  end
  return best
end

--- "unknown <what> 'name' (did you mean 'x'?)", or with the known names listed when there
-- are few and none is close.
function M.unknown_message(what, name, known)
  local shown = type(name) == "string" and name or tostring(name)
  if #shown > 40 then shown = shown:sub(1, 40) .. "..." end
  local msg = ("unknown %s '%s'"):format(what, shown)
  local near = M.closest(name, known)
  if near then return msg .. (" (did you mean '%s'?)"):format(near) end
  local list = sorted_names(known)
  if #list > 0 and #list <= 8 then msg = msg .. " (known: " .. table.concat(list, ", ") .. ")" end
  return msg
end

--- Raises unknown_message(what, name, known) at `level`.
function M.unknown(what, name, known, level)
  error(M.unknown_message(what, name, known), (level or 1) + 1)
end

--- Raises for the first key of table `t` that is not in the set `known` ("unknown option").
-- `context`, when given, prefixes the message ("sms.new: unknown option 'timout' …").
function M.check_keys(t, known, level, context)
  for k in pairs(t) do
    if not known[k] then
      local msg = M.unknown_message("option", k, known)
      error(context and (context .. ": " .. msg) or msg, (level or 1) + 1)
    end
  end
  return t
end

--- Makes reading an unknown name from objects of `class` raise "no method 'x' (did you mean
-- 'y'?)" instead of yielding nil (so a typo'd method call says what was meant, not "attempt to
-- call a nil value"). Objects look up `class` first (a plain table: a method costs nothing
-- more); only a miss there reaches the raising function. Names in `fields` (data an object may
-- hold as nil, e.g. a session's state before any notification) and private names (a leading
-- '_') read as nil. `what` names the objects in the message ("gws.sms client"), `noun` what
-- is missing (default "method").
function M.strict(class, what, fields, noun)
  noun = noun or "method"
  local methods
  setmetatable(class, { __index = function(_, k)
    if type(k) ~= "string" or fields[k] or k:sub(1, 1) == "_" then return nil end
    if not methods then
      methods = {}
      for name, v in pairs(class) do
        if type(name) == "string" and type(v) == "function" and name:sub(1, 1) ~= "_" then
          methods[#methods + 1] = name
        end
      end
    end
    local msg = M.unknown_message(noun, k, methods):gsub("^unknown ", "no ")
    error(what .. ": " .. msg, 2)
  end })
  return class
end

return M
