-- gws-sim's own output for the vendor's stories has the vendor's shape (issue #12, item 1):
-- the cases gws-sim meets today. Compared programmatically against spec/fixtures/vendor/
-- (support.vendor.shape_diff). The cases it does not meet yet are in
-- spec/todo/vendor_sim_shape_todo_spec.lua, same stories.
local helper = require "helper"
local vendor = require "support.vendor"

local function assert_shape(rel, ours, opts)
  local diff = vendor.shape_diff(vendor.load(rel), ours, opts)
  assert.is_true(#diff == 0, "gws-sim's output differs from " .. rel .. ":\n  " .. table.concat(diff, "\n  "))
end

local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

describe("gws-sim's output has the vendor's shape", function()
  local sim, client, rec

  before_each(function()
    sim = helper.start_sim()
    client = helper.client(sim, { check_capabilities = false })
    assert(client:start_session())
    rec = helper.recorder(client, { "*" })
  end)

  after_each(function()
    client:close()
    sim:stop()
  end)

  local function first_after(mark, kind)
    local found
    helper.poll_until(client, function()
      for i = mark + 1, #rec.list do
        local d = rec.list[i][2]
        if kind == nil or d.notificationType == kind then found = d; return true end
      end
    end, 3)
    return found
  end

  it("SetDisposition: PropertiesUpdated shaped as the vendor's, the disposition in userData", function()
    local id = helper.chatting(client, sim, "TestName")
    local mark = #rec.list
    assert(client:set_disposition(id, { disposition = "IssueResolved", dispositionKey = "DispositionCode" }))
    local note = assert(first_after(mark, "PropertiesUpdated"), "no PropertiesUpdated")
    assert_shape("SetDisposition/3-notification.json", note, { free = { ["data.smssession.userData"] = true } })
    assert.equals("IssueResolved", note.smssession.userData.DispositionCode)
  end)

  for _, case in ipairs {
    { "AttachUserData", function(c, id) return c:attach_user_data(id, { UserData1 = "DATA1", UserData2 = 123456789 }) end },
    { "UpdateUserData", function(c, id) return c:update_user_data(id, { UserData1 = 987654321 }) end },
    { "DeleteUserData", function(c, id) return c:delete_user_data(id, { "UserData1" }) end },
  } do
    it(case[1] .. ": the notification has the cut sample's keys, referenceId included", function()
      local id = helper.chatting(client, sim, "TestName")
      local mark = #rec.list
      assert(case[2](client, id))
      local note = assert(first_after(mark), "no notification")
      assert_shape(case[1] .. "/3-notification.partial.json", note,
        { partial = true, free = { ["data.smssession.userData"] = true } })
    end)
  end

  for _, op in ipairs { "Invite", "Consult" } do
    it(op .. " answers {statusCode, referenceId} as the vendor's", function()
      local agent2 = helper.client(sim, { username = "agent2" })
      assert(agent2:start_session())
      local id = helper.chatting(client, sim, "TestName")
      local res = assert(client:operation(id, op, { targetUri = client:user_uri("agent2") }))
      assert.same(keys(vendor.load(op .. "/2-response.json")), keys(res))
      assert.equals("integer", math.type(res.referenceId))
      agent2:close()
    end)
  end
end)
