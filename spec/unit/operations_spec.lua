-- gws.sms.operations alone: the table, and build's answers (a body, or what is wrong).
local operations = require "gws.sms.operations"

describe("gws.sms.operations", function()
  local e = operations.by_name

  it("lists every operation once, by Lua name and wire name", function()
    local seen = {}
    for _, entry in ipairs(operations.list) do
      assert.is_nil(seen[entry.name])
      seen[entry.name] = true
      assert.truthy(entry.op:match("^%u%a+$"))
    end
    assert.equals("SendMessage", e.send_message.op)
    assert.equals("text", e.send_message.string_positional)
    assert.is_nil(e.transfer.string_positional)
  end)

  it("builds bodies from a positional value, an options table and aliases", function()
    assert.same({ operationName = "SendMessage", text = "hi" }, operations.build(e.send_message, "hi"))
    assert.same({ operationName = "Accept", nickname = "Bot", saveLAR = true },
      operations.build(e.accept, { nickname = "Bot", save_lar = true }))
    assert.same({ operationName = "Transfer", queueName = "Q" }, operations.build(e.transfer, { queue = "Q" }))
    assert.same({ operationName = "AttachUserData", userData = { k = "v", n = 1 } },
      operations.build(e.attach_user_data, { k = "v", n = 1 }))
    assert.same({ operationName = "DeleteUserData", keys = { "a" } }, operations.build(e.delete_user_data, { "a" }))
    assert.same({ operationName = "Leave" }, operations.build(e.leave))
  end)

  it("answers what is wrong without raising, naming the argument", function()
    local cases = {
      { e.send_message, 42, "text" },
      { e.send_message, "", "text" },
      { e.send_message, "\0", "text" },
      { e.send_message, "\xff", "text" },
      { e.accept, {}, "nickname" },
      { e.accept, { nickname = "B", bogus = 1 }, "bogus" },
      { e.accept, { nickname = "B", saveLAR = "yes" }, "saveLAR" },
      { e.transfer, { queue = "Q", target_uri = "u" }, "targetUri" },
      { e.leave, "x", "opts" },
      { e.attach_user_data, { k = {} }, "userData.k" },
      { e.delete_user_data, { 1 }, "keys[1]" },
    }
    for _, c in ipairs(cases) do
      local body, name, why = operations.build(c[1], c[2])
      assert.is_nil(body, c[3])
      assert.equals(c[3], name)
      assert.is_string(why)
    end
    local body, name = operations.build(e.send_message, ("x"):rep(11), 10)
    assert.is_nil(body)
    assert.equals("text", name)
  end)
end)
