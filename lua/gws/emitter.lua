--- Named listeners, a FIFO of work waiting to be dispatched, protected calls, and lanes.
--
-- Producers (the Bayeux poller, the repairer) only `push` work; user callbacks run when the
-- owner calls `dispatch` from poll/step/run. So no user callback ever runs inside another
-- library call, and an error in one never unwinds through the library: it goes to `on_error`.
--
-- Lanes: with a task runner (`run`, the transport's run_now), every listener runs as a task,
-- so an operation inside a callback yields instead of blocking the host's loop. Listeners of
-- one lane (a session id, a Bayeux channel, "" for connection events) run one after another
-- in the order they were fired: while one waits, the later ones of its lane wait in that
-- lane's backlog; other lanes go on.
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
    run = nil,    -- run(fn, ...): runs fn as a task now (the transport's run_now); nil: plain calls
    lanes = {},   -- lane key -> true (a listener of it is running) or its backlog {head, tail, …}
    closed = false, -- set when the owner closes: nothing queued runs any more
  }, Emitter)
  -- The queued form of fire, made once so emit allocates nothing.
  self.fire_queued = function(name, info) self:fire(name, info) end
  return self
end

-- Appends in place: fire walks the first #list entries it saw, so a listener added meanwhile
-- waits for the next round; only off replaces the array (a removal shifts entries).
function Emitter:on(name, fn)
  local list = self.listeners[name]
  if not list then
    list = {}
    self.listeners[name] = list
  end
  list[#list + 1] = fn
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

-- Runs in a task: the listener, then whatever its lane's backlog gathered meanwhile.
local function lane_worker(self, lane, name, fn, ...)
  self:call(name, fn, ...)
  local lanes = self.lanes
  local q = lanes[lane]
  while type(q) == "table" and q.head <= q.tail and not self.closed do
    local job = q[q.head]
    q[q.head] = nil
    q.head = q.head + 1
    self:call(job[1], job[2], table.unpack(job, 3, job.n))
  end
  lanes[lane] = nil
end

--- Runs listener fn of event `name` in lane `lane`: as a task now when the lane is idle,
-- after the lane's earlier listeners when one of them is still waiting; a plain protected
-- call when there is no task runner.
function Emitter:call_in(lane, name, fn, ...)
  local run = self.run
  if not run then return self:call(name, fn, ...) end
  local lanes = self.lanes
  local q = lanes[lane]
  if q == nil then
    lanes[lane] = true
    run(lane_worker, self, lane, name, fn, ...)
    return
  end
  if q == true then
    q = { head = 1, tail = 0 }
    lanes[lane] = q
  end
  q.tail = q.tail + 1
  q[q.tail] = table.pack(name, fn, ...)
end

--- True while a listener of `lane` is running or waiting.
function Emitter:busy(lane)
  return self.lanes[lane] ~= nil
end

--- Runs one listener: `sync` ones now, in the dispatching code; others in lane `name`.
function Emitter:invoke(name, fn, sync, ...)
  if sync then
    self:call(name, fn, ...)
  else
    self:call_in(name, name, fn, ...)
  end
end

--- Calls every listener of `name`, in lane `lane` (see call_in). Returns how many.
function Emitter:fire_in(lane, name, ...)
  local list = self.listeners[name]
  if not list then return 0 end
  -- on appends beyond n and off replaces the array: a listener that adds or removes
  -- listeners does not disturb this round, and no copy is needed.
  local n = #list
  for i = 1, n do
    self:call_in(lane, name, list[i], ...)
  end
  return n
end

--- Calls every listener of `name` in the lane of connection events ("").
function Emitter:fire(name, ...)
  return self:fire_in("", name, ...)
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
  while self.head <= self.tail and (max == nil or n < max) and not self.closed do
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

--- Stops everything queued: dispatch runs nothing more, lanes drop their backlogs.
function Emitter:close()
  self.closed = true
  self.lanes = {}
  self.qh, self.qa, self.qb, self.head, self.tail = {}, {}, {}, 1, 0
end

return M
