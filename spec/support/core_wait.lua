--- Waiting on a bare gws.core engine for one request's result, for the specs and the support
-- code that drive the core without the Lua layers in the way.
local core = require "gws.core"

local core_wait = {}

--- Steps `eng` until the result of request `id` comes; returns it. opts.step: how long one
-- step may wait (s, default 1). opts.within: give up after that many seconds with the error
-- "no answer within N s"; without it, wait as long as it takes (the request's own timeout
-- brings a result in the end).
function core_wait.result(eng, id, opts)
  opts = opts or {}
  local step = opts.step or 1
  local deadline = opts.within and core.now() + opts.within
  while not deadline or core.now() < deadline do
    for _, r in ipairs(eng:step(step)) do
      if r.id == id then return r end
    end
  end
  error(("no answer within %g s"):format(opts.within))
end

--- Submits `req` to `eng` (start_now: the core starts it inside submit) and waits for its
-- result as core_wait.result does; returns it.
function core_wait.submit(eng, req, start_now, opts)
  return core_wait.result(eng, eng:submit(req, start_now), opts)
end

return core_wait
