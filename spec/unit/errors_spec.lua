-- gws.errors alone: structured error values and their text.
local errors = require "gws.errors"

describe("gws.errors", function()
  it("builds values with kind, message and fields, recognisable by is()", function()
    local e = errors.new("status", "POST /me: failed", { code = 2, http_status = 200 })
    assert.is_true(errors.is(e))
    assert.is_false(errors.is({ kind = "status" }))
    assert.equals("status", e.kind)
    assert.equals(2, e.code)
  end)

  it("renders kind, message, statusCode and HTTP status", function()
    assert.equals("gws status error: nope (statusCode 2, HTTP 400)",
      tostring(errors.new("status", "nope", { code = 2, http_status = 400 })))
    assert.equals("gws timeout error: slow", tostring(errors.new("timeout", "slow", { http_status = 0 })))
  end)

  it("knows the meaning of every status code of the spec", function()
    for code = 0, 20 do assert.is_string(errors.status_text[code]) end
  end)
end)
