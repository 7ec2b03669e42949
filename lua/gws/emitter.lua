--- Named listeners, a FIFO of work waiting to be dispatched, protected calls, and lanes.
--
-- Producers (the Bayeux poller, the repairer) only `push` work; user callbacks run when the
-- owner calls `dispatch` from poll/step/run. So no user callback ever runs inside another
-- library call, and an error in one never unwinds through the library: it goes to `on_error`.
--
-- Tasks and lanes: with a runner (the transport: `runner:run_now(fn, ...)` runs fn as a task
-- now and returns true when it finished, false when it waits), dispatch runs the queue inside
-- a task, so an operation inside a callback yields instead of blocking the host's loop. Each
-- queued item has a lane (a session id, a Bayeux channel, "" for connection events). When a
-- callback waits, its task keeps its item's lane: later items of that lane wait in the lane's
-- backlog and run after it, in order; another task goes on with the rest of the queue (other
-- sessions, the host's loop). The model still moves on: such an item is applied at once and
-- only its callbacks wait in the backlog, so a callback may wait for what a later
-- notification of its own session brings (session:wait, wait_reference). One task per
-- dispatch round, not per callback: nothing is created unless a callback actually waits.
local M = {}

local xpcall = xpcall -- called per callback and per queued item: a local, not an _ENV lookup

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
    ql = {},      -- the FIFO's fourth array: each item's lane
    runner = nil, -- an object with run_now(fn, ...) (the transport); nil: plain calls
    lanes = {},   -- lane -> true (an item of it waits in a task) or its backlog {head, tail, …}
    dispatcher = nil, -- the task now running the queue
    defer_to = nil, -- while an item of a kept lane is applied: the lane its callbacks join
    ran = 0,      -- items run by dispatch tasks (poll's count)
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

-- What a failed xpcall(fn, traceback_handler, ...) hands to on_error.
local function report(self, event, err)
  local tb = last_traceback
  last_traceback = nil
  local hok, herr = pcall(self.on_error, err, { event = event, traceback = tb })
  if not hok then default_on_error(herr, { event = "on_error", traceback = "" }) end
end

-- The per-event paths below (fire, invoke, dispatch) call xpcall themselves, as `call` does:
-- one Lua call with its vararg copy less per callback and per queued item.
function Emitter:call(event, fn, ...)
  local ok, err = xpcall(fn, traceback_handler, ...)
  if not ok then report(self, event, err) end
  return ok
end

-- Appends a listener call to the backlog of `lane`.
local function defer(self, lane, name, fn, ...)
  local q = self.lanes[lane]
  if q == true or q == nil then
    q = { head = 1, tail = 0 }
    self.lanes[lane] = q
  end
  q.tail = q.tail + 1
  q[q.tail] = table.pack(name, fn, ...)
end

--- Runs one listener now, protected (or behind its lane's waiting callback, see above).
-- `sync` is kept for callers of the old form.
function Emitter:invoke(name, fn, sync, ...) -- luacheck: ignore sync
  local lane = self.defer_to
  if lane then return defer(self, lane, name, fn, ...) end
  local ok, err = xpcall(fn, traceback_handler, ...)
  if not ok then report(self, name, err) end
end

--- Calls every listener of `name` now, protected (or behind its lane's waiting callback).
-- Returns how many.
function Emitter:fire(name, ...)
  local list = self.listeners[name]
  if not list then return 0 end
  -- on appends beyond n and off replaces the array: a listener that adds or removes
  -- listeners does not disturb this round, and no copy is needed.
  local n = #list
  local lane = self.defer_to
  for i = 1, n do
    if lane then
      defer(self, lane, name, list[i], ...)
    else
      local ok, err = xpcall(list[i], traceback_handler, ...)
      if not ok then report(self, name, err) end
    end
  end
  return n
end

--- fire, for an item of lane `lane` (the lane is the queued item's: see push).
function Emitter:fire_in(_, name, ...)
  return self:fire(name, ...)
end

--- True while an item of `lane` waits in a task (later items of the lane wait behind it).
function Emitter:busy(lane)
  return self.lanes[lane] ~= nil
end

--- Queues fire(name, info) for the next dispatch (connection and model events).
function Emitter:emit(name, info)
  self:push(self.fire_queued, name, info)
end

--- Queues handler(a, b) to run at the next dispatch, in `lane` (default "").
function Emitter:push(handler, a, b, lane)
  local t = self.tail + 1
  self.tail = t
  self.qh[t], self.qa[t], self.qb[t], self.ql[t] = handler, a, b, lane or ""
  -- The owner's hook (a shared loop's member) hears when the queue stops being empty.
  if t == self.head and self.on_queued then self.on_queued() end
end

function Emitter:pending()
  return self.tail - self.head + 1
end

function Emitter:full()
  return self:pending() >= self.max_pending
end

-- Runs the backlog of `lane` (in the task that kept the lane), then frees the lane.
local function run_backlog(self, lane)
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

-- The dispatching task: runs queued items until the queue is empty or `limit` ran. An item
-- whose lane is kept by a waiting task is applied, its callbacks join that lane's backlog.
-- If a callback waits, the
-- item's lane stays with this task: once the item is done (the dispatch went on in another
-- task meanwhile), it runs the lane's backlog and ends.
local function dispatch_task(self, limit)
  local me = coroutine.running()
  self.dispatcher = me
  local qh, qa, qb, ql, lanes = self.qh, self.qa, self.qb, self.ql, self.lanes
  while self.head <= self.tail and self.ran < limit and not self.closed do
    local h = self.head
    local handler, a, b, lane = qh[h], qa[h], qb[h], ql[h]
    qh[h], qa[h], qb[h], ql[h] = nil, nil, nil, nil
    self.head = h + 1
    self.ran = self.ran + 1
    if lanes[lane] ~= nil then
      -- Applied now; its callbacks join the lane's backlog.
      self.defer_to = lane
      local ok, err = xpcall(handler, traceback_handler, a, b)
      if not ok then report(self, "dispatch", err) end
      self.defer_to = nil
    else
      lanes[lane] = true
      local ok, err = xpcall(handler, traceback_handler, a, b)
      if not ok then report(self, "dispatch", err) end
      if self.dispatcher ~= me then -- it waited: the queue went on without this task
        run_backlog(self, lane)
        return
      end
      if lanes[lane] == true then lanes[lane] = nil else run_backlog(self, lane) end
    end
  end
  self.dispatcher = nil
end

--- Runs up to `max` queued handlers (all when nil), in order. Returns how many ran.
function Emitter:dispatch(max)
  local runner = self.runner
  if runner then
    if self.head > self.tail then return 0 end
    local start = self.ran
    local limit = start + (max or math.huge)
    while self.head <= self.tail and self.ran < limit and not self.closed do
      if not runner:run_now(dispatch_task, self, limit) then
        self.dispatcher = nil -- that task waits in a callback: the next one goes on
      end
    end
    if self.head > self.tail then self.head, self.tail = 1, 0 end
    return self.ran - start
  end
  local n = 0
  local qh, qa, qb, ql = self.qh, self.qa, self.qb, self.ql
  while self.head <= self.tail and (max == nil or n < max) and not self.closed do
    local h = self.head
    local handler, a, b = qh[h], qa[h], qb[h]
    qh[h], qa[h], qb[h], ql[h] = nil, nil, nil, nil
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
  self.qh, self.qa, self.qb, self.ql, self.head, self.tail = {}, {}, {}, {}, 1, 0
end

return M
