-- gws.args alone: one way to refuse an argument, one timeout check, the bounded cache.
local args = require "gws.args"

describe("gws.args", function()
  local function raised(fn, ...)
    local ok, err = pcall(fn, ...)
    assert.is_false(ok)
    return err
  end

  it("fail names the argument and blames the level asked for", function()
    local function public(x) if not x then args.fail("x", "is required", 2) end end
    local ok, err = pcall(function() public(nil) end) -- line of this call
    assert.is_false(ok)
    assert.truthy(err:find("bad argument 'x': is required", 1, true))
    assert.truthy(err:find("args_spec.lua", 1, true))
  end)

  it("seconds: nil passes, bounds are one for every timeout", function()
    assert.is_nil(args.seconds(nil))
    assert.equals(5, args.seconds(5))
    assert.equals(0, args.seconds(0, "timeout", 1, true))
    for _, bad in ipairs { 0, -1, 0 / 0, 1 / 0, 86401, "5", {} } do
      assert.truthy(raised(args.seconds, bad, "t"):find("bad argument 't'", 1, true), tostring(bad))
    end
    assert.truthy(raised(args.seconds, -1, "t", 1, true):find(">= 0", 1, true))
  end)

  it("integer, name, func, opt_table and call_opts", function()
    assert.equals(3, args.integer(3, "n", 1, 1))
    assert.is_nil(args.integer(nil, "n", 1, 1))
    raised(args.integer, 0, "n", 1, 1)
    raised(args.integer, 1.5, "n", 1, 1)
    assert.equals("sms", args.name("sms", "channel"))
    raised(args.name, "bad name", "channel")
    raised(args.name, ("x"):rep(65), "channel")
    raised(args.func, 1, "fn")
    raised(args.opt_table, 1, "opts")
    assert.equals(2, args.call_opts { timeout = 2 })
    assert.truthy(raised(args.call_opts, { tiemout = 2 }):find("unknown option", 1, true))
    raised(args.call_opts, "x")
  end)

  it("id: checks session ids, takes a Session for its id", function()
    assert.equals("abc-1_2", args.id("abc-1_2"))
    assert.equals("S1", args.id({ id = "S1", is_session = true }))
    for _, bad in ipairs { 1, "", "a/b", ("x"):rep(129), {} } do
      assert.truthy(raised(args.id, bad):find("bad argument 'id'", 1, true))
    end
    assert.is_nil(args.id_problem("ok"))
  end)

  it("cache: bounded, newest entries survive a new generation", function()
    local c = args.cache(3)
    for i = 1, 3 do c:put(i, i * 10) end
    assert.equals(10, c.map[1])
    c:put(4, 40) -- a new generation: 1..3 move to old
    assert.is_nil(c.map[1])
    assert.equals(10, c:get(1)) -- found in old and promoted
    assert.equals(10, c.map[1])
    for i = 5, 12 do c:put(i, i) end
    local n = 0
    for _ in pairs(c.map) do n = n + 1 end
    for _ in pairs(c.old) do n = n + 1 end
    assert.is_true(n <= 6)
    assert.equals(12, c:get(12))
    c:clear()
    assert.is_nil(c:get(12))
  end)
end)
