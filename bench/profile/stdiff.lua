--- System calls per operation from two `strace -f -c -o FILE` summaries (N1 and N2 operations).
--
--   lua5.4 bench/profile/stdiff.lua SMALL.txt LARGE.txt N2_MINUS_N1
-- Prints "T per op: name n, name n, ..." (calls only, largest first).
local function parse(path)
  local t = {}
  for l in io.lines(path) do
    -- % time, seconds, usecs/call, calls, [errors], syscall
    local calls, name = l:match("^%s*[%d.]+%s+[%d.]+%s+%d+%s+(%d+)%s+%d*%s*(%S+)$")
    if calls and name ~= "total" then t[name] = tonumber(calls) end
  end
  return t
end
local a, b, ops = parse(arg[1]), parse(arg[2]), tonumber(arg[3])
local rows, total = {}, 0
for k, v in pairs(b) do
  local d = (v - (a[k] or 0)) / ops
  if d > 0.005 then
    rows[#rows + 1] = { k, d }
    total = total + d
  end
end
table.sort(rows, function(x, y) return x[2] > y[2] end)
local out = {}
for _, r in ipairs(rows) do out[#out + 1] = ("%s %.2f"):format(r[1], r[2]) end
print(("%.2f per op: %s"):format(total, table.concat(out, ", ")))
