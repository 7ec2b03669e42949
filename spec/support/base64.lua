--- Base64 (RFC 4648, with padding) for the specs: the oracle for the Authorization lines the
-- C core renders. Kept apart from gws.scrub's encoder on purpose, so a spec never checks our
-- code against itself.
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function encode(s)
  return (s:gsub("..?.?", function(chunk)
    local a, b, c = chunk:byte(1, 3)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local out = {}
    for i = 1, 4 do
      local k = (n >> (6 * (4 - i))) & 63
      out[i] = ALPHABET:sub(k + 1, k + 1)
    end
    if not b then out[3], out[4] = "=", "=" elseif not c then out[4] = "=" end
    return table.concat(out)
  end))
end

--- The HTTP Basic credentials of "user:password", as an Authorization header value.
local function basic(user_and_password)
  return "Basic " .. encode(user_and_password)
end

return { encode = encode, basic = basic }
