--- Server text made safe to put into an error or a log line: bounded, valid UTF-8, and without
-- the client's own secrets, whatever the server (or a proxy) echoes back (issue 11, finding 6):
-- the password, the Authorization value, cookie values, the CSRF token.
--
-- The password stays out of Lua memory: a scrubber keeps only the length and a hash of the
-- password and of the Authorization value, and finds them in a text by a rolling hash.
local M = {}

M.MAX = 200 -- bytes of server text an error keeps

local MOD, BASE = 2147483647, 257

local function hash(s, i, j)
  local h = 0
  for k = i, j do h = (h * BASE + s:byte(k)) % MOD end
  return h
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  return (s:gsub(".", function(c)
    local b, bits = c:byte(), ""
    for i = 8, 1, -1 do bits = bits .. ((b >> (i - 1)) & 1) end
    return bits
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local n = tonumber(x, 2)
    return B64:sub(n + 1, n + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1]
end
M.base64 = base64

-- Case-insensitive Lua pattern for a word.
local function ci(word)
  return (word:gsub("%a", function(c) return "[" .. c:lower() .. c:upper() .. "]" end))
end

-- Values of names that hold secrets, however they are quoted: `JSESSIONID=…`, `"csrf":"…"`,
-- `Authorization: Basic …`, `Cookie: …`.
local NAMED = {}
for _, w in ipairs { "jsessionid", "session", "csrf", "token", "password", "passwd", "secret" } do
  NAMED[#NAMED + 1] = "(" .. ci(w) .. "[%w_%-]*[\"']?%s*[=:]%s*[\"']?)[^;,&%s\"'<>]+"
end
local HEADERS = { "(" .. ci("authorization") .. "%s*[:=]%s*)[^\r\n,;\"<]+",
  "(" .. ci("cookie") .. "%s*[:=]%s*)[^\r\n\"<]+", "(" .. ci("basic") .. "%s+)[%w%+/=]+",
  "(" .. ci("bearer") .. "%s+)[^%s\"'<]+" }

--- Bounded (max bytes, cut at a character boundary with "..."), valid UTF-8 (a byte that is
-- not part of a well-formed sequence becomes '?'), control characters as spaces.
function M.clean(text, max)
  max = max or M.MAX
  text = tostring(text or "")
  if #text > 4 * max then text = text:sub(1, 4 * max) end
  text = text:gsub("[%c]", " ")
  local out, i = {}, 1
  while i <= #text do
    local ok, n = pcall(utf8.len, text, i)
    if ok and n then
      out[#out + 1] = text:sub(i)
      break
    end
    local bad = select(2, utf8.len(text, i)) or i
    out[#out + 1] = text:sub(i, bad - 1) .. "?"
    i = bad + 1
  end
  text = table.concat(out)
  if #text > max then
    local cut = max
    while cut > 0 and (text:byte(cut + 1) or 0) & 0xC0 == 0x80 do cut = cut - 1 end
    text = text:sub(1, cut) .. "..."
  end
  return text
end

local Scrubber = {}
Scrubber.__index = Scrubber

--- A scrubber for one client: opts.username and opts.password (only their lengths and
-- hashes are kept).
function M.new(opts)
  local self = setmetatable({ hashed = {}, plain = {} }, Scrubber)
  local pw = opts.password
  if type(pw) == "string" and #pw >= 3 then
    self.hashed[#self.hashed + 1] = { #pw, hash(pw, 1, #pw) }
    local auth = base64(tostring(opts.username) .. ":" .. pw)
    self.hashed[#self.hashed + 1] = { #auth, hash(auth, 1, #auth) }
  end
  return self
end

--- Also removes `value` (a CSRF token: Lua has it anyway) from what it scrubs.
function Scrubber:forget_value(value)
  if type(value) == "string" and #value >= 3 then self.plain[value] = true end
end

local function mask_hashed(text, len, h)
  if #text < len then return text end
  local pow = 1
  for _ = 1, len - 1 do pow = (pow * BASE) % MOD end
  local cur = hash(text, 1, len)
  local i = 1
  while true do
    if cur == h then
      text = text:sub(1, i - 1) .. "***" .. text:sub(i + len)
      if #text - i - 2 < len then return text end
      i = i + 3
      cur = hash(text, i, i + len - 1)
    else
      if i + len > #text then return text end
      cur = ((cur - text:byte(i) * pow % MOD + MOD) % MOD * BASE + text:byte(i + len)) % MOD
      i = i + 1
    end
  end
end

--- `text` from a server, safe for an error: secrets replaced by ***, then cleaned and bounded.
function Scrubber:text(text, max)
  text = tostring(text or "")
  if #text > 16384 then text = text:sub(1, 16384) end
  for _, hs in ipairs(self.hashed) do text = mask_hashed(text, hs[1], hs[2]) end
  for v in pairs(self.plain) do
    local s, e = text:find(v, 1, true)
    while s do
      text = text:sub(1, s - 1) .. "***" .. text:sub(e + 1)
      s, e = text:find(v, s + 3, true)
    end
  end
  for _, p in ipairs(HEADERS) do text = text:gsub(p, "%1***") end
  for _, p in ipairs(NAMED) do text = text:gsub(p, "%1***") end
  return M.clean(text, max)
end

return M
