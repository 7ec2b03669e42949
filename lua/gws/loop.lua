--- One gws.core engine shared by many transports: one curl multi handle, one epoll fd, one
-- connection pool for any number of agents (issue #13). A *member* is a gws.transport made
-- with `loop = <this>`: it keeps its own scheduler (tasks, waiters, sleepers), its own event
-- queue, its own credentials and cookie jar (passed with each request, never held by a
-- connection), and submits through the shared engine. The loop steps the engine once for
-- everyone, hands each finished transfer to the member that submitted it, wakes every
-- member's due tasks and dispatches every member's queue.
--
-- A member closing cancels its own transfers and leaves; the others go on. The loop closing
-- closes every member first (through the member's `closing` hook: its client's close), then
-- the engine.
--
-- Hosts drive it like a client: pollfd/events/timeout/step, or run/stop (docs/embedding.md).
-- @module gws.loop
local core = require "gws.core"
local names = require "gws.names"

local M = {}

local Loop = {}
Loop.__index = Loop
Loop.__name = "gws.loop"

M.MAX_REQUESTS = 16

--- Creates a loop. opts: the engine options of gws.core's `core.new` except the credentials
-- (each member brings its own): ca_file, insecure, max_body, connect_timeout, user_agent,
-- proxy, noproxy; and max_requests (default M.MAX_REQUESTS), the shared connection pool:
-- at most that many requests other than long polls are in flight at once over the whole
-- loop, more wait for a free one. Checked by the caller (gws.sms.config.check_loop).
--
-- Why a bound: curl keeps every connection it opened (up to 4 per transfer in flight, here
-- one per long poll), so a burst of agents answering at once would leave a connection per
-- agent idle for good; bounded, the loop holds its long polls plus max_requests.
function M.new(opts)
  local engine_opts = {}
  for k, v in pairs(opts or {}) do engine_opts[k] = v end
  local max_requests = engine_opts.max_requests or M.MAX_REQUESTS
  engine_opts.max_requests = nil
  return setmetatable({
    eng = core.new(engine_opts),
    insecure = engine_opts.insecure and true or false,
    members = {}, -- transports, in the order they joined (replaced, never edited in place)
    owner = {},   -- transfer id -> the member that submitted it
    max_requests = max_requests,
    free = max_requests, -- requests that may start now (transfers other than long polls)
    pooled = {},  -- transfer id -> true: it holds one of max_requests
    workers = {}, -- idle task coroutines the members share (gws.transport's run_now)
    active = {},  -- member -> true: it has sleeping or ready tasks (gws.transport sets it)
    queued = {},  -- member -> true: its queue has items (the queue's on_queued sets it)
    closed = false,
    _stop = false,
    _running = false,
  }, Loop)
end

--- True when v is a loop made by M.new.
function M.is(v)
  return getmetatable(v) == Loop
end

local function check(self, method)
  if getmetatable(self) ~= Loop then
    error(("bad self for %s: call it as loop:%s(...) (with a colon)"):format(method, method), 3)
  end
  if self.closed then error("this gws loop is closed; create a new one with sms.loop()", 3) end
end

---------------------------------------------------------------------------------------------
-- Members (gws.transport calls these)

-- The members array is replaced on every change, so a pass over it (pump, dispatch) is not
-- disturbed by a callback that makes or closes a client; a closed member is skipped.
function Loop:_join(member)
  local old = self.members
  local new = table.move(old, 1, #old, 1, {})
  new[#new + 1] = member
  self.members = new
end

function Loop:_leave(member)
  local new = {}
  for _, m in ipairs(self.members) do
    if m ~= member then new[#new + 1] = m end
  end
  self.members = new
  self.active[member], self.queued[member] = nil, nil
  -- Whatever it still had in flight: cancelled, so no result reaches a closed member.
  for id, m in pairs(self.owner) do
    if m == member then
      self.owner[id] = nil
      self:_release(id)
      if not self.closed then self.eng:cancel(id) end
    end
  end
end

--- Notes transfer `id` of `member`: its result goes back to it; `held` (a long poll) takes
-- none of the shared requests.
function Loop:_submitted(member, id, held)
  self.owner[id] = member
  if not held then
    self.pooled[id] = true
    self.free = self.free - 1
  end
end

--- Transfer `id` is over (answered or cancelled): its request is free again.
function Loop:_release(id)
  if self.pooled[id] then
    self.pooled[id] = nil
    self.free = self.free + 1
  end
end

-- The members of a set as a new array: running them may add members to the set, which a
-- pairs() over it must not see; and a blocking call inside may pass over the set again.
local function snapshot(set)
  local list, n = {}, 0
  for m in pairs(set) do
    n = n + 1
    list[n] = m
  end
  return list, n
end

--- Seconds until some member's task is due or some member's queue has work (0 = now), or
-- curl's own deadline; nil when only socket activity matters. Only members that have
-- something are looked at (`active`, `queued`), so an idle loop of 1 000 clients costs what
-- one costs.
function Loop:timeout()
  check(self, "timeout")
  if next(self.queued) ~= nil then return 0 end
  local t = self.eng:timeout()
  for m in pairs(self.active) do
    local due = m:_tasks_due()
    if due and (t == nil or due < t) then t = due end
  end
  return t
end

-- Runs the due tasks of every member that has tasks; forgets members left with none.
-- Returns the seconds until the next one is due (nil: none).
local function run_due(self)
  if next(self.active) == nil then return nil end
  local list, n = snapshot(self.active)
  local active, soonest = self.active, nil
  for i = 1, n do
    local m = list[i]
    if m.closed then
      active[m] = nil
    else
      m:_run_due()
      local due = m:_tasks_due()
      if due == nil then
        active[m] = nil
      elseif soonest == nil or due < soonest then
        soonest = due
      end
    end
  end
  return soonest
end

--- One pass of the engine for every member: runs their due tasks, waits up to `timeout` s
-- for the network (less when a member's task is due sooner), hands each finished transfer to
-- its member, and runs what that woke.
function Loop:_pump(timeout)
  if self.closed then return end
  local wait = timeout or 0
  local due = run_due(self)
  if due and due < wait then wait = due end
  if wait < 0 then wait = 0 end
  local done = self.eng:step(wait, self._done)
  self._done = nil -- a member that pumps again (a blocking call in a task's wake) gets its own
  local owner, pooled = self.owner, self.pooled
  for i = 1, #done do
    local r = done[i]
    done[i] = false -- the reused array must not keep results alive
    local id = r.id
    if pooled[id] then self:_release(id) end
    local m = owner[id]
    if m ~= nil then
      owner[id] = nil
      m:_take(r)
    end
  end
  self._done = done
  run_due(self)
end

--- Runs the queued callbacks of every member whose queue has some. Returns how many ran in
-- `mine` (a member's queue), or in all of them when mine is nil.
function Loop:_dispatch(mine)
  local queued = self.queued
  if next(queued) == nil then return 0 end
  local list, n = snapshot(queued)
  local ran, total = 0, 0
  for i = 1, n do
    local m = list[i]
    local q = m.queue
    if m.closed or not q then
      queued[m] = nil
    else
      local k = q:dispatch()
      total = total + k
      if q == mine then ran = k end
      if q:pending() == 0 then queued[m] = nil end
    end
  end
  if mine == nil then return total end
  return ran
end

--- Pumps (without waiting when callbacks are queued) and runs every member's queued
-- callbacks; returns how many of `mine` ran (all of them when mine is nil).
function Loop:_drive(timeout, mine)
  self:_pump(next(self.queued) ~= nil and 0 or timeout)
  return self:_dispatch(mine)
end

---------------------------------------------------------------------------------------------
-- The host's side (the same four calls as a client's, docs/embedding.md)

--- The epoll fd a host waits on for every client of the loop (stable for the loop's life).
function Loop:pollfd() check(self, "pollfd"); return self.eng:pollfd() end

--- "r": wait for readability.
function Loop:events() check(self, "events"); return self.eng:events() end

--- One round for a host event loop: network activity (waiting up to `timeout` s, default
-- 0), due tasks and every client's callbacks. Returns true.
function Loop:step(timeout)
  check(self, "step")
  if timeout ~= nil and (type(timeout) ~= "number" or timeout ~= timeout or timeout < 0) then
    error("bad argument 'timeout': expected seconds >= 0", 2)
  end
  self:_drive(timeout or 0)
  return true
end

--- Runs until stop() or close(): the loop owns the thread. Returns true.
function Loop:run()
  check(self, "run")
  if self._running then error("run() is already running", 2) end
  self._running, self._stop = true, false
  while not self._stop and not self.closed do self:_drive(0.5) end
  self._running = false
  return true
end

--- Ends run() after the current round.
function Loop:stop()
  self._stop = true
end

--- How many clients share the loop now.
function Loop:size()
  check(self, "size")
  local n = 0
  for _, m in ipairs(self.members) do
    if not m.closed then n = n + 1 end
  end
  return n
end

--- Closes every client of the loop, then the engine (connections and the fd). Idempotent.
function Loop:close()
  if self.closed then return end
  self._stop = true
  local members = self.members
  for i = 1, #members do
    local m = members[i]
    if not m.closed then
      if m.closing then m.closing() else m:close() end
    end
  end
  self.closed = true
  self.members, self.owner, self.active, self.queued = {}, {}, {}, {}
  self.eng:close()
end

Loop.__close = function(self) self:close() end
Loop.__gc = function(self)
  -- No network from a finalizer (the clients' own finalizers say nothing to the server
  -- either): just release the engine.
  if not self.closed then
    self.closed = true
    self.eng:close()
  end
end

-- loop:stpe() raises naming loop:step.
names.strict(Loop, "gws loop", {})

return M
