--- The client's driving protocol: waiting for a referenceId, and the ways to drive the
-- transport (poll, step/pollfd/events/timeout for a host loop, run/spawn/stop, sleep). These
-- methods use only the client's transport, model and emitter fields and its run flags;
-- gws.sms.client installs them into its Client class.
-- @module gws.sms.driving
local args = require "gws.args"

local fail, seconds = args.fail, args.seconds

-- The methods, copied into the Client class by `install` (at load time: a call costs what a
-- method defined on the class costs, no __index chain).
local Client = {}

-- Set by install: the client's own argument check ("bad self", "closed").
local check_client

local M = {}

--- Waits for the notification that carries `ref` (a referenceId from an operation's answer):
-- the first one about that operation's session received after the operation was sent (an
-- Error names no session and matches too). The vendor reuses numbers, so an older
-- notification with the same number never answers. For a number no operation of this client
-- returned, only notifications received from now on count.
-- Dispatches notifications (their callbacks run) while it waits; inside a callback or a task it
-- yields instead, so other sessions' callbacks keep running and this session's later
-- notifications wait their turn (per-session order).
-- @tparam integer ref a referenceId from an operation's answer
-- @tparam[opt] number timeout seconds (default: the client's timeout)
-- @treturn table the notification (a transfer or invite nobody answers ends in an "Error"
-- notification with that referenceId)
-- @return nil, err (kind "timeout")
function Client:wait_reference(ref, timeout)
  check_client(self, "wait_reference")
  if type(ref) ~= "number" or not math.tointeger(ref) then
    fail("ref", "expected an integer referenceId", 2)
  end
  seconds(timeout, "timeout", 2)
  local model = self.model
  local after, sid = model:reference_scope(ref)
  local found
  local ok, err = model:wait(function()
    found = model:reference(ref, after, sid)
    return found ~= nil
  end, timeout, function() return ("no notification carried referenceId %d"):format(ref) end, true)
  if not ok then return nil, err end
  return found
end

--- Waits up to `timeout` seconds (default 0) for notifications, runs their callbacks, and
-- returns how many notifications and connection events were handled.
-- @tparam[opt=0] number timeout seconds to wait for the first one
-- @treturn integer how many were handled (0 when none came)
function Client:poll(timeout)
  check_client(self, "poll")
  return self.transport:poll(seconds(timeout, "timeout", 2, true) or 0)
end

--- One round for a host event loop: handle network activity without waiting (or up to
-- `timeout` s) and run due callbacks. Pair it with pollfd(), events() and timeout().
-- @tparam[opt=0] number timeout seconds it may wait for network activity
-- @treturn boolean always true (it never fails: errors go to the callbacks' error handler
-- and to the connection events)
function Client:step(timeout)
  check_client(self, "step")
  self.transport:drive(seconds(timeout, "timeout", 2, true) or 0)
  return true
end

--- The descriptor a host loop waits on (readable when `step` has work), for a cqueues-style loop.
-- @function Client:pollfd
-- @treturn integer a file descriptor (an epoll fd)

--- The events to wait for on `pollfd`.
-- @function Client:events
-- @treturn string "r"

--- Seconds until `step` should run even without activity on `pollfd` (0: now).
-- @function Client:timeout
-- @treturn ?number seconds, or nil when only activity matters

function Client:pollfd() check_client(self, "pollfd"); return self.transport:pollfd() end
function Client:events() check_client(self, "events"); return self.transport:events() end
function Client:timeout() check_client(self, "timeout"); return self.transport:timeout() end

--- Runs until stop(): every callback in its own coroutine, where operations yield instead of
-- blocking. With fn, runs fn(client) as the first task (e.g. to start the session).
-- @tparam[opt] function fn `fn(client)`, run as the first task
-- @treturn boolean true once `stop` (or `close`) ended it
-- @raise when it is already running
function Client:run(fn)
  check_client(self, "run")
  if fn ~= nil then args.func(fn, "fn", 2) end
  if self._running then error("run() is already running", 2) end
  self._running, self._stop = true, false
  if fn then self.transport:spawn("run", fn, self) end
  while not self._stop and not self.closed do self.transport:drive(0.5) end
  self._running = false
  return true
end

--- Runs fn(...) as a task from the next poll/step/run on: operations inside it yield, so
-- host code starts work without blocking its loop. Errors go to the error handler.
-- @tparam function fn the task's body
-- @param ... its arguments
-- @treturn boolean true
function Client:spawn(fn, ...)
  check_client(self, "spawn")
  args.func(fn, "fn", 2)
  self.transport:spawn("spawn", fn, ...)
  return true
end

--- Ends `run` after the current round: it returns once the callbacks already running have
-- finished or yielded. Tasks in flight stay where they are and resume at the next
-- `poll`/`step`/`run`; `close` abandons them (they are never resumed).
-- @return nothing
function Client:stop()
  self._stop = true
end

--- How many notifications and events are waiting for dispatch (see max_pending).
-- @treturn integer how many
function Client:pending()
  check_client(self, "pending")
  return self.emitter:pending()
end

--- Waits `seconds`: yields inside client:run() callbacks (others keep running), otherwise
-- keeps the client's network going while it waits (no callbacks run).
-- @tparam number secs seconds
-- @return nothing
function Client:sleep(secs)
  check_client(self, "sleep")
  self.transport:sleep(seconds(secs, "seconds", 2) or 0)
end

--- Copies these methods into `class`; `check` is the class's check of self
-- (`check(self, method_name)`, raising at the caller's caller).
-- @local
function M.install(class, check)
  check_client = check
  return args.install(class, Client)
end

return M
