-- gws.core's JSON decoder (csrc/json.c, issue 14): the values lua-cjson plus the integer
-- normalisation gave before (the vendor's own payloads are the witness), RFC 8259's strictness
-- where lua-cjson was lenient, and the bounds: nesting, and containers larger than what waits
-- on the Lua stack. fuzz/fuzz_json.c runs the same comparison over arbitrary bytes.
local core = require "gws.core"
local cjson = require "cjson"

-- What gws.core decoded to before issue 14: a private cjson instance, then every integral
-- float with |n| <= 2^53 made an integer.
local reference_cjson = cjson.new()
reference_cjson.decode_invalid_numbers(false)
local function normalise(v)
  if math.type(v) == "float" and v == math.floor(v) and math.abs(v) <= 2 ^ 53 then
    return math.tointeger(v)
  end
  if type(v) == "table" then
    for k, x in pairs(v) do v[k] = normalise(x) end
  end
  return v
end
local function reference(text)
  return normalise(reference_cjson.decode(text))
end

-- Deep equality that tells integers from floats (assert.same does not).
local function same(a, b, path)
  path = path or "value"
  if type(a) ~= type(b) or math.type(a) ~= math.type(b) then
    return false, ("%s: %s (%s) vs %s (%s)"):format(path, tostring(a), math.type(a) or type(a),
      tostring(b), math.type(b) or type(b))
  end
  if type(a) ~= "table" then
    return a == b, path .. ": " .. tostring(a) .. " vs " .. tostring(b)
  end
  for k, v in pairs(a) do
    local ok, why = same(v, b[k], path .. "." .. tostring(k))
    if not ok then return false, why end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, path .. "." .. tostring(k) .. " only in the second" end
  end
  return true
end

local function assert_same(expected, actual)
  local ok, why = same(expected, actual)
  assert(ok, why)
end

local function refused(text)
  local value, err = core.decode(text)
  assert.is_nil(value)
  assert.is_string(err)
  assert.truthy(#err <= 200 and utf8.len(err) and not err:find("[%c\127]"), err)
  return err
end

describe("gws.core JSON decoding", function()
  it("gives the values lua-cjson with integer normalisation gave, for every vendor payload", function()
    local p = assert(io.popen("find spec/fixtures/vendor -name '*.json' | sort"))
    local n = 0
    for path in p:lines() do
      local f = assert(io.open(path, "rb"))
      local text = f:read("a")
      f:close()
      local ok, expected = pcall(reference, text)
      if ok then
        local value, err = core.decode(text)
        assert(err == nil, path .. ": " .. tostring(err))
        local same_ok, why = same(expected, value)
        assert(same_ok, path .. ": " .. tostring(why))
        n = n + 1
      end
    end
    p:close()
    assert.is_true(n >= 50, "only " .. n .. " vendor payloads decoded")
  end)

  it("makes integers of integral numbers up to 2^53 and floats of the rest, as before", function()
    local text = '[0, -0, 1, -1, 1.0, 1e2, 1E+2, -0.0, 1e-400, 123456789012345, 1234567890123456,'
      .. ' 9007199254740992, 9007199254740993, 9007199254740994, 18014398509481985, 0.5, -2.5e-3,'
      .. ' 1e400, -1e400, 12345678901234567890, 1.7e308]'
    local value = assert(core.decode(text))
    assert_same(reference(text), value)
    assert.equals(math.huge, value[18])
    assert.equals("integer", math.type(value[12]))
    assert.equals("float", math.type(value[15]))
  end)

  it("decodes null as cjson.null, escapes and surrogate pairs, and the last of two equal keys", function()
    local text = '{"a":null,"b":[null,true,false],"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u00e9\\u20ac'
      .. '\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80","k":1,"k":2,"e":{},"l":[]}'
    local value = assert(core.decode(text))
    assert.equals(cjson.null, value.a)
    assert.equals(cjson.null, value.b[1])
    assert.equals('"\\/\b\f\n\r\t\0\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80', value.s)
    assert.equals(2, value.k)
    assert_same(reference(text), value)
  end)

  it("decodes bare values at the top, with whitespace around", function()
    for _, text in ipairs { " 1 ", "\t-2.5\r\n", '"x"', "true", "false", "null", "[]", "{}" } do
      assert_same(reference(text), (core.decode(text)))
    end
  end)

  it("refuses what RFC 8259 refuses, lua-cjson's leniencies included, saying where", function()
    assert.equals("invalid number at character 1", refused("1."))
    assert.equals("invalid number at character 2", refused("[-.5]"))
    assert.equals("invalid number at character 1", refused("1.e5"))
    assert.equals("control character in a string at character 3", refused('"a\tb"'))
    assert.equals("invalid UTF-8 in a string at character 3", refused('"a\xffb"'))
    assert.equals("invalid UTF-8 in a string at character 2", refused('"\xc0\x80"')) -- overlong
    assert.equals("invalid UTF-8 in a string at character 2", refused('"\xed\xa0\x80"')) -- surrogate
    assert.equals("invalid UTF-8 in a string at character 2", refused('"\xf4\x90\x80\x80"'))
    assert.equals("data after the value at character 4", refused("[1]\0"))
    -- What both refuse.
    for _, text in ipairs { "", " ", "01", "-", "+1", ".5", "0x10", "NaN", "Infinity", "-inf", "[1,]",
        '{"a":1,}', "{a:1}", "[1 2]", '"\\x"', '"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"abc',
        "tru", "nulll", "[", "{", '{"a"', '{"a":', "\xff" } do
      refused(text)
      assert.is_false(pcall(reference, text), text)
    end
  end)

  it("nests 1000 deep and refuses 1001, as lua-cjson did", function()
    local ok = ("["):rep(1000) .. ("]"):rep(1000)
    local value = assert(core.decode(ok))
    for _ = 1, 999 do value = value[1] end
    assert.same({}, value)
    assert.equals("nested too deeply (more than 1000 levels) at character 1001",
      refused(("["):rep(1001) .. ("]"):rep(1001)))
    refused(('{"a":'):rep(1001) .. "1" .. ("}"):rep(1001))
  end)

  it("decodes containers larger than one batch on the stack, in order", function()
    local items, fields = {}, {}
    for i = 1, 5000 do
      items[i] = tostring(i)
      fields[i] = ('"k%d":%d'):format(i % 3000, i)  -- keys 1..2999 twice: the later wins
    end
    local text = "[[" .. table.concat(items, ",") .. "],{" .. table.concat(fields, ",") .. "}]"
    local value = assert(core.decode(text))
    assert.equals(5000, #value[1])
    for i = 1, 5000 do assert.equals(i, value[1][i]) end
    assert.equals(4000, value[2].k1000)
    assert.equals(3000, value[2].k0)
    assert.equals(2999, value[2].k2999)
    assert_same(reference(text), value)
  end)

  it("decodes nesting whose waiting values outgrow the Lua stack", function()
    -- 1000 levels each holding 1100 values before the next level: 1.1 million values wait at
    -- the deepest point, more than a Lua stack may hold (LUAI_MAXSTACK, 1 000 000).
    local level = "[" .. ("7,"):rep(1100)
    local text = level:rep(1000) .. "8" .. ("]"):rep(1000)
    local value = assert(core.decode(text))
    local depth = 0
    while type(value) == "table" do
      assert.equals(1101, #value)
      assert.equals(7, value[1100])
      value = value[1101]
      depth = depth + 1
    end
    assert.equals(1000, depth)
    assert.equals(8, value)
  end)
end)
