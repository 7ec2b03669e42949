--- Subtracts two bench/profile/vmprof.lua outputs (N1 and N2 operations) and prints, per
-- operation: the Lua VM instructions and bytes allocated by function (with calls per
-- operation and the source line that defines it, which names it), and the TOP lines.
--
--   lua5.4 bench/profile/vmprof_diff.lua SMALL.lua N1 LARGE.lua N2 [TOP]
local small, n1, large, n2, top = arg[1], tonumber(arg[2]), arg[3], tonumber(arg[4]), tonumber(arg[5]) or 25
if not (small and n1 and large and n2 and n2 > n1) then
  io.stderr:write("usage: lua5.4 bench/profile/vmprof_diff.lua SMALL.lua N1 LARGE.lua N2 [TOP]\n")
  os.exit(2)
end
local a, b = dofile(small), dofile(large)
local ops = n2 - n1

local source_lines = {}
local function source_line(key)
  local file, line = key:match("^(.*):(%d+)$")
  if not source_lines[file] then
    local t = {}
    local f = io.open(file)
    if f then
      for l in f:lines() do t[#t + 1] = l end
      f:close()
    end
    source_lines[file] = t
  end
  local text = source_lines[file][tonumber(line)] or ""
  return (text:gsub("^%s+", ""):sub(1, 70))
end

local function diff(part, width)
  local rows, total = {}, {}
  for k, v in pairs(b[part]) do
    local w = a[part][k] or {}
    local row = { k }
    for i = 1, width do
      row[i + 1] = (v[i] - (w[i] or 0)) / ops
      total[i] = (total[i] or 0) + row[i + 1]
    end
    rows[#rows + 1] = row
  end
  table.sort(rows, function(x, y) return x[2] > y[2] end)
  return rows, total
end

local fr, ft = diff("funcs", 3)
print(("Lua VM instructions per operation: %.0f; bytes allocated by Lua code (and the C it"
  .. " called) per operation: %.0f"):format(ft[1], ft[2]))
print(("\nby function (per operation: VM instructions, bytes allocated, calls)"))
for i = 1, math.min(top, #fr) do
  local r = fr[i]
  if r[2] < 0.5 then break end
  print(("  %6.1f %7.0f %5.2f  %-34s %s"):format(r[2], r[3], r[4], r[1]:gsub("^%./", ""), source_line(r[1])))
end
local lr = diff("lines", 2)
table.sort(lr, function(x, y) return x[3] > y[3] end)
print(("\ntop %d lines by bytes allocated (per operation: bytes, VM instructions)"):format(top))
for i = 1, math.min(top, #lr) do
  local r = lr[i]
  if r[3] < 1 then break end
  print(("  %7.0f %6.1f  %-34s %s"):format(r[3], r[2], r[1]:gsub("^%./", ""), source_line(r[1])))
end
