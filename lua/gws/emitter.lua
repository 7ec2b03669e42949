--- Named listeners, a FIFO of work waiting to be dispatched, and protected calls.
--
-- Producers (the Bayeux poller, resync) only `push` work; user callbacks run when the owner
-- calls `dispatch` from poll/step/run. So no user callback ever runs inside another library
-- call, and an error in one never unwinds through the library: it goes to `on_error`.
local M = {}

local Emitter = {}
Emitter.__index = Emitter

local function safe_tostring(v)
  local ok, s = pcall(tostring, v)
  return ok and s or ("<" .. type(v) .. " error value>")
end

local function default_on_error(err, info)
  io.stderr:write("gws: error in '", info.event, "' callback: ", safe_tostring(err), "\n",
    info.traceback or "", "\n")
end

--- opts: on_error(err, info), max_pending (default 10000).
function M.new(opts)
  opts = opts or {}
  local self = setmetatable({
    -- name -> array of listeners. An array is never changed once stored: on/off store a new
    -- one, so fire can walk the current array without copying it.
    listeners = {},
    -- The FIFO as three parallel arrays (handler, a, b): a push allocates nothing.
    qh = {}, qa = {}, qb = {}, head = 1, tail = 0,
    on_error = opts.on_error or default_on_error,
    max_pending = opts.max_pending or 10000,
    spawn = nil, -- when set (client:run), each listener runs in its own task via spawn(fn, ...)
  }, Emitter)
  -- The queued form of fire, made once so emit allocates nothing.
  self.fire_queued = function(name, info) self:fire(name, info) end
  return self
end

function Emitter:on(name, fn)
  local list = self.listeners[name]
  local copy = list and table.move(list, 1, #list, 1, {}) or {}
  copy[#copy + 1] = fn
  self.listeners[name] = copy
  return fn
end

--- Removes one listener (or all of `name` when fn is nil). Returns true if any was removed.
function Emitter:off(name, fn)
  local list = self.listeners[name]
  if not list then return false end
  if fn == nil then
    self.listeners[name] = nil
    return true
  end
  for i = #list, 1, -1 do
    if list[i] == fn then
      local copy = table.move(list, 1, #list, 1, {})
      table.remove(copy, i)
      self.listeners[name] = #copy > 0 and copy or nil
      return true
    end
  end
  return false
end

function Emitter:has(name)
  local list = self.listeners[name]
  return list ~= nil and #list > 0
end

--- Runs fn(...) protected; an error goes to on_error with the event name and a traceback.
-- Returns true when fn completed.
-- One message handler for every call (a closure per call would be garbage per event): it
-- leaves the traceback in `last_traceback`, read right after xpcall returns.
local last_traceback
local function traceback_handler(e)
  last_traceback = debug.traceback(nil, 2)
  return e
end

function Emitter:call(event, fn, ...)
  local ok, err = xpcall(fn, traceback_handler, ...)
  if not ok then
    local tb = last_traceback
    last_traceback = nil
    local hok, herr = pcall(self.on_error, err, { event = event, traceback = tb })
    if not hok then default_on_error(herr, { event = "on_error", traceback = "" }) end
  end
  return ok
end

--- Runs one listener: in a task of its own under client:run() (when `spawn` is set and the
-- listener is not `sync`), else protected, now.
function Emitter:invoke(name, fn, sync, ...)
  local spawn = self.spawn
  if spawn and not sync then
    spawn(name, fn, ...)
  else
    self:call(name, fn, ...)
  end
end

--- Calls every listener of `name` now. Under client:run() each gets its own task.
function Emitter:fire(name, ...)
  local list = self.listeners[name]
  if not list then return 0 end
  -- on/off replace the array, so a listener that adds or removes listeners does not disturb
  -- this round, and no copy is needed.
  local n = #list
  local spawn = self.spawn
  for i = 1, n do
    if spawn then
      spawn(name, list[i], ...)
    else
      self:call(name, list[i], ...)
    end
  end
  return n
end

--- Queues fire(name, info) for the next dispatch (connection and model events).
function Emitter:emit(name, info)
  self:push(self.fire_queued, name, info)
end

--- Queues handler(a, b) to run at the next dispatch.
function Emitter:push(handler, a, b)
  local t = self.tail + 1
  self.tail = t
  self.qh[t], self.qa[t], self.qb[t] = handler, a, b
end

function Emitter:pending()
  return self.tail - self.head + 1
end

function Emitter:full()
  return self:pending() >= self.max_pending
end

--- Runs up to `max` queued handlers (all when nil), in order. Returns how many ran.
function Emitter:dispatch(max)
  local n = 0
  local qh, qa, qb = self.qh, self.qa, self.qb
  while self.head <= self.tail and (max == nil or n < max) do
    local h = self.head
    local handler, a, b = qh[h], qa[h], qb[h]
    qh[h], qa[h], qb[h] = nil, nil, nil
    self.head = h + 1
    n = n + 1
    self:call("dispatch", handler, a, b)
  end
  if self.head > self.tail then
    self.head, self.tail = 1, 0
  end
  return n
end

return M
