-- busted output handler: busted's usual terminal output (gtest style, one line a test, so a
-- slow test is easy to spot), then one plain closing line "N passed, M failed" that CI reads.
-- Errors (a spec file that does not load, an error outside `it`) count as failures.
return function(options)
  local busted = require "busted"
  local handler = require "busted.outputHandlers.gtest"(options)

  busted.subscribe({ "suite", "end" }, function()
    local failed = handler.failuresCount + handler.errorsCount
    local line = ("%d passed, %d failed"):format(handler.successesCount, failed)
    if handler.pendingsCount > 0 then line = line .. (", %d skipped"):format(handler.pendingsCount) end
    io.write("\n", line, "\n")
    io.flush()
    return nil, true
  end, { priority = 100 })

  return handler
end
