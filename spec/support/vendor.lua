-- The vendor's sample payloads (spec/fixtures/vendor/, a copy of ../shared/spec/vendor/) as
-- the test oracle: loading them, and comparing what our simulator produces against them by
-- key sets and value types rather than by eye. Decoded with lua-cjson, not with gws.core, so
-- a decoding bug of ours cannot hide in the oracle.
local cjson = require "cjson"
local files = require "support.files"

local vendor = {}

vendor.DIR = "spec/fixtures/vendor"
vendor.null = cjson.null

--- The sample's text exactly as stored (e.g. "Accept/3-notification.json").
function vendor.text(rel)
  return files.read(vendor.DIR .. "/" .. rel)
end

--- The sample decoded (a fresh table each call, so a spec may change its copy).
function vendor.load(rel)
  return cjson.decode(vendor.text(rel))
end

--- Every .json sample path (relative to DIR) whose name matches `pattern`, sorted; the
-- `_related` folder (other media, kept for comparison only) is left out.
function vendor.files(pattern)
  local out = {}
  local p = assert(io.popen("cd " .. vendor.DIR .. " && find . -name '*.json' | sort"))
  for line in p:lines() do
    local rel = line:gsub("^%./", "")
    if not rel:match("^_related/") and rel:match(pattern) then out[#out + 1] = rel end
  end
  p:close()
  return out
end

--- A deep copy (cjson.null stays the same sentinel).
function vendor.copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = vendor.copy(x) end
  return t
end

-- The vendor's spelling variants of one key (INDEX.md §2.8), read as the regular key.
local SPELLING = {
  smsession = "smssession",
  smsessionUri = "smssessionUri",
  smsessionPath = "smssessionPath",
}

--- A deep copy with the vendor's key spelling variants renamed to the regular spelling, so
-- that a shape comparison is about shape, not about a slip on one page.
function vendor.normalize(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[SPELLING[k] or k] = vendor.normalize(x) end
  return t
end

local function is_array(t)
  return next(t) == nil or (t[1] ~= nil and #t > 0)
end

--- The JSON kind of a decoded value: "string", "integer", "number", "boolean", "null",
-- "array", "object", or "empty" (an empty table: [] and {} decode alike).
function vendor.kind(v)
  local t = type(v)
  if t == "table" then
    if next(v) == nil then return "empty" end
    return is_array(v) and "array" or "object"
  elseif t == "number" then
    return math.tointeger(v) and "integer" or "number"
  elseif v == cjson.null then
    return "null"
  end
  return t
end

local function kinds_agree(a, b)
  if a == b then return true end
  if a == "empty" then return b == "array" or b == "object" end
  if b == "empty" then return a == "array" or a == "object" end
  return false
end

-- The vendor element an element of ours is compared with: the one of the same "type" (a
-- message type, a participant type) when there is one, else the first.
local function counterpart(vendor_list, ours)
  if type(ours) == "table" and ours.type ~= nil then
    for _, v in ipairs(vendor_list) do
      if type(v) == "table" and v.type == ours.type then return v end
    end
  end
  return vendor_list[1]
end

local function compare(v, o, path, opts, out)
  local kv, ko = vendor.kind(v), vendor.kind(o)
  -- userData values are whatever the user stored: only their container is compared.
  if opts.free and opts.free[path:gsub("%[%d+%]", "[]")] then
    if not kinds_agree(kv, ko) and not (kv == "object" or kv == "empty") then
      out[#out + 1] = ("%s: vendor has %s, ours %s"):format(path, kv, ko)
    end
    return
  end
  if not kinds_agree(kv, ko) then
    -- (A number the vendor prints as an integer must be an integer here too.)
    out[#out + 1] = ("%s: vendor has %s, ours %s"):format(path, kv, ko)
    return
  end
  if kv == "object" or (kv == "empty" and ko == "object") then
    for k, x in pairs(v) do
      if o[k] == nil then
        out[#out + 1] = ("%s.%s: in the vendor's sample, missing in ours"):format(path, k)
      else
        compare(x, o[k], path .. "." .. k, opts, out)
      end
    end
    if not opts.partial then
      for k in pairs(o) do
        if v[k] == nil and not (opts.optional and opts.optional[(path .. "." .. k):gsub("%[%d+%]", "[]")]) then
          out[#out + 1] = ("%s.%s: in ours, not in the vendor's sample"):format(path, k)
        end
      end
    end
  elseif kv == "array" and ko == "array" then
    for i, x in ipairs(o) do
      compare(counterpart(v, x), x, ("%s[%d]"):format(path, i), opts, out)
    end
  end
end

--- Differences of shape between a vendor sample and our payload, as readable lines (empty
-- when they agree): the same keys at every level (after normalize), the same JSON kinds
-- (integer vs float too), each array element against the vendor element of the same `type`.
-- opts.partial: the vendor sample is cut (a .partial file), so ours may have more keys.
-- opts.free: set of paths (array indexes as "[]") whose contents are user data, e.g.
-- { ["data.smssession.userData"] = true }.
-- opts.optional: set of paths ours may have although this sample lacks them (another vendor
-- sample of the same kind has them), e.g. { ["data.messages[].timestampSeconds"] = true }.
function vendor.shape_diff(sample, ours, opts)
  local out = {}
  compare(vendor.normalize(sample), vendor.normalize(ours), "data", opts or {}, out)
  table.sort(out)
  return out
end

--- Deep equality, numbers by value (lua-cjson may decode a long as a float, gws.core as an
-- integer). Returns true, or false and the path of the first difference.
function vendor.same(a, b, path)
  path = path or "data"
  if type(a) == "number" and type(b) == "number" then
    return a == b, path
  end
  if type(a) ~= type(b) then return false, path end
  if type(a) ~= "table" then return a == b, path end
  for k, x in pairs(a) do
    local ok, where = vendor.same(x, b[k], path .. "." .. tostring(k))
    if not ok then return false, where end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, path .. "." .. tostring(k) end
  end
  return true
end

-- The three timestamp forms the vendor prints (INDEX.md §2.6).
vendor.TIMESTAMP_FORMS = {
  "^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d%.%d%d%d[%+%-]%d%d%d%d$", -- 2014-01-09 11:58:12.035+0200
  "^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%d[%+%-]%d%d%d%d$", -- 2014-01-02T14:23:18.000-0800
  "^%d%d%d%d%-%d%d%-%d%d%d%d:%d%d:%d%d%.%d%d%d[%+%-]%d%d%d%d$",  -- 2014-05-1502:24:00.000-0700
}

--- True when `s` is in the vendor's most common timestamp form.
function vendor.vendor_timestamp(s)
  return type(s) == "string" and s:match(vendor.TIMESTAMP_FORMS[1]) ~= nil
end

return vendor
