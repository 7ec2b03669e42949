--- The per-operation profile of bench/README.md: two callgrind runs of the same program, N1
-- and N2 operations, subtracted and divided by N2 - N1, so start-up and set-up cancel out.
-- Reads callgrind's own output files (no callgrind_annotate), by function and by object.
--
--   lua5.4 bench/profile/cgdiff.lua SMALL.out N1 LARGE.out N2 [TOP [REF_SMALL.out M1 REF_LARGE.out M2]]
--
-- Prints, per operation: the total instructions (Ir); the instructions by object (liblua,
-- libcurl, libc, gws/core.so, cjson.so, the kernel's vDSO...); the TOP functions (default 30)
-- by exclusive instructions, with how often each is called per operation; and the counts of
-- the Lua allocation functions (tables, closures, strings, userdata), which callgrind sees as
-- calls into liblua: luaH_new is one table made, luaF_newLclosure one Lua closure, and so on.
-- With a reference pair (e.g. raw_curl for send_loop), also the functions whose instructions
-- per operation differ most between subject and reference (same shared objects, so even
-- libcurl's unnamed internal functions line up by address).
local small, n1, large, n2, top = arg[1], tonumber(arg[2]), arg[3], tonumber(arg[4]), tonumber(arg[5]) or 30
local ref_small, m1, ref_large, m2 = arg[6], tonumber(arg[7]), arg[8], tonumber(arg[9])
if not (small and n1 and large and n2 and n2 > n1) then
  io.stderr:write("usage: lua5.4 bench/profile/cgdiff.lua SMALL.out N1 LARGE.out N2 [TOP]\n")
  os.exit(2)
end

--- Parses one callgrind output file: returns self[key] = exclusive Ir, calls[key] = times
-- called, total Ir; key is "object|function" with the object's file name only.
local function parse(path)
  local names = { ob = {}, fn = {}, fl = {} }
  local function name(kind, text)
    -- Name compression: "(7) name" defines id 7, "(7)" refers to it.
    local id, rest = text:match("^%((%d+)%)%s*(.*)$")
    if not id then return text end
    if rest ~= "" then names[kind][id] = rest return rest end
    return names[kind][id] or ("?" .. id)
  end
  local self_ir, calls, total = {}, {}, 0
  local ob, fn, cob, cfn = "?", "?", nil, nil
  local after_calls = false
  for line in io.lines(path) do
    local c = line:sub(1, 1)
    if c:match("[%d%+%-%*]") then
      -- A cost line: position then Ir (omitted when zero).
      local ir = tonumber(line:match("^%S+%s+(%d+)")) or 0
      if after_calls then
        after_calls = false
      else
        local key = ob .. "|" .. fn
        self_ir[key] = (self_ir[key] or 0) + ir
        total = total + ir
      end
    else
      local k, v = line:match("^(%a+)=(.*)$")
      if k == "ob" then ob = name("ob", v):match("[^/]*$")
      elseif k == "fn" then fn = name("fn", v); cob, cfn = nil, nil
      elseif k == "cob" then cob = name("ob", v):match("[^/]*$")
      elseif k == "cfn" then cfn = name("fn", v)
      elseif k == "fl" or k == "fi" or k == "fe" or k == "cfl" or k == "cfi" then name("fl", v)
      elseif k == "calls" then
        local count = tonumber(v:match("^(%d+)"))
        local key = (cob or ob) .. "|" .. (cfn or "?")
        calls[key] = (calls[key] or 0) + count
        after_calls = true
        cob = nil
      end
    end
  end
  return self_ir, calls, total
end

local s1, c1, t1 = parse(small)
local s2, c2, t2 = parse(large)
local ops = n2 - n1
local function per(a, b, key) return ((b[key] or 0) - (a[key] or 0)) / ops end

print(("instructions per operation: %.1fk  (%s: %d ops, %s: %d ops)"):format(
  (t2 - t1) / ops / 1000, small, n1, large, n2))

-- By object.
local by_ob = {}
for key in pairs(s2) do
  local ob = key:match("^(.-)|")
  by_ob[ob] = (by_ob[ob] or 0) + per(s1, s2, key)
end
local obs = {}
for ob, v in pairs(by_ob) do if math.abs(v) >= 50 then obs[#obs + 1] = { ob, v } end end
table.sort(obs, function(a, b) return a[2] > b[2] end)
print("\nby object (exclusive Ir per op)")
for _, o in ipairs(obs) do print(("  %-34s %9.0f"):format(o[1], o[2])) end

-- By function.
local fns = {}
for key in pairs(s2) do fns[#fns + 1] = { key, per(s1, s2, key), per(c1, c2, key) } end
table.sort(fns, function(a, b) return a[2] > b[2] end)
print(("\ntop %d functions (exclusive Ir per op, calls per op)"):format(top))
for i = 1, math.min(top, #fns) do
  local f = fns[i]
  print(("  %8.0f  %7.2f  %s"):format(f[2], f[3], f[1]))
end

-- What Lua allocates: the constructors in liblua.
local ALLOC = {
  luaH_new = "tables", luaF_newLclosure = "Lua closures", luaF_newCclosure = "C closures",
  luaS_newlstr = "strings (luaS_newlstr)", internshrstr = "short strings interned (new or found)",
  luaS_createlngstrobj = "long strings", luaS_newudata = "userdata",
  luaH_resize = "table resizes", luaE_extendCI = "call-info extensions",
  luaC_newobj = "GC objects in all", luaC_step = "GC steps", luaD_call = "calls into Lua or C (luaD_call)",
  luaD_precall = "calls (luaD_precall)", lua_pcallk = "protected calls from C",
  luaD_pcall = "protected calls (luaD_pcall)", luaD_rawrunprotected = "protected runs",
  malloc = "malloc", free = "free", realloc = "realloc",
}
local rows = {}
for key in pairs(c2) do
  local f = key:match("|(.*)$")
  if ALLOC[f] then rows[#rows + 1] = { ALLOC[f], key, per(c1, c2, key) } end
end
table.sort(rows, function(a, b) return a[2] < b[2] end)
print("\nallocations and calls per op (calls counted by callgrind)")
for _, r in ipairs(rows) do
  if math.abs(r[3]) >= 0.005 then print(("  %8.2f  %-38s %s"):format(r[3], r[1], r[2])) end
end

if ref_small and m1 and ref_large and m2 and m2 > m1 then
  local r1, _, rt1 = parse(ref_small)
  local r2, _, rt2 = parse(ref_large)
  local rops = m2 - m1
  print(("\nagainst the reference: %.1fk instructions per operation; subject - reference %+.1fk")
    :format((rt2 - rt1) / rops / 1000, ((t2 - t1) / ops - (rt2 - rt1) / rops) / 1000))
  local keys, seen = {}, {}
  for _, t in ipairs { s2, r2 } do
    for key in pairs(t) do
      if not seen[key] then seen[key] = true keys[#keys + 1] = key end
    end
  end
  local diffs = {}
  for _, key in ipairs(keys) do
    local a, b = per(s1, s2, key), ((r2[key] or 0) - (r1[key] or 0)) / rops
    diffs[#diffs + 1] = { key, a, b, a - b }
  end
  table.sort(diffs, function(x, y) return math.abs(x[4]) > math.abs(y[4]) end)
  print(("top %d differences (Ir per op: subject, reference, difference)"):format(top))
  for i = 1, math.min(top, #diffs) do
    local d = diffs[i]
    print(("  %8.0f %8.0f %+8.0f  %s"):format(d[2], d[3], d[4], d[1]))
  end
end
