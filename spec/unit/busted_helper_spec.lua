-- spec/support/busted_helper.lua ran before this file: luv is already loaded when the file
-- starts (busted unloads what a file itself loads, so only the helper can have loaded it).
-- Without the helper, core_messages_spec followed by core_spec crashed in uv_run.
local loaded_before_this_file = package.loaded.luv ~= nil

describe("the busted helper", function()
  it("has loaded luv once for the whole run, before any spec file", function()
    assert.is_true(loaded_before_this_file,
      "luv was not loaded before this file: is `helper` missing from .busted?")
  end)
end)
