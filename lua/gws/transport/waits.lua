--- gws.transport's waits: a task's wait(pred)/sleep and interrupt, and the scheduler side of
-- them (which tasks are ready, which sleepers and conditions are due). gws.transport installs
-- these methods into its Transport class at load time; they work on its own fields (tasks,
-- sleepers, predicates, waiters).
-- @module gws.transport.waits
local args = require "gws.args"
local core = require "gws.core"

local M = {}

-- The methods, copied into the Transport class by `install` (at load time: no __index chain).
local Transport = {}

local now = core.now

--- Wakes task `co` now: a transfer it waits for fails with kind "cancelled"; a sleep or a
-- wait ends early. Returns true if the task was waiting.
function Transport:interrupt(co)
  local id = self.blocked_on[co]
  if id then
    self.blocked_on[co] = nil
    self:fail(id, "cancelled", "cancelled")
    return true
  end
  if self.sleeping[co] then
    self.sleeping[co], self.predicates[co] = nil, nil
    self:_resume(co, false)
    return true
  end
  return false
end

--- Waits until pred() is true or `timeout` seconds pass (pred nil: just the time). Returns
-- whether pred held. In a task it yields, and pred is re-checked after every pump (no
-- polling at intervals). Elsewhere it pumps, re-checking after each pump; with `dispatching`
-- it drives instead (pumps and runs queued callbacks), for waits on what callbacks change.
function Transport:wait(pred, timeout, dispatching)
  if pred and pred() then return true end
  local deadline = now() + timeout
  if self:in_task() then
    local co = coroutine.running()
    self.sleeping[co], self.predicates[co] = deadline, pred
    if self.loop then self.loop.active[self] = true end
    return coroutine.yield() and true or false
  end
  while true do
    local left = deadline - now()
    if left <= 0 or self.closed then return pred ~= nil and pred() and true or false end
    if dispatching and self.queue then self:drive(left) else self:pump(left) end
    if pred and pred() then return true end
  end
end

--- Waits `seconds`: yields in a task, otherwise pumps until the time is up.
function Transport:sleep(seconds)
  self:wait(nil, seconds)
end

function Transport:_run_ready()
  -- Tasks made while running this batch wait for the next round, so one busy task cannot
  -- starve network progress.
  local batch = self.ready
  if #batch == 0 then return end
  self.ready = {}
  for i = 1, #batch do
    self:_resume(batch[i])
  end
end

-- Resumes the tasks whose sleep is over or whose wait() condition holds.
function Transport:_wake()
  local t = now()
  local due, preds = nil, self.predicates
  for co, deadline in pairs(self.sleeping) do
    local pred = preds[co]
    if deadline <= t or (pred and pred()) then
      due = due or {}
      due[#due + 1] = co
    end
  end
  if due then
    for i = 1, #due do
      local co = due[i]
      local pred = preds[co]
      self.sleeping[co], preds[co] = nil, nil
      self:_resume(co, pred == nil or pred())
    end
  end
end

--- Seconds until a task of ours is due (0 = now), or nil when none is: ready tasks, sleepers
-- and waiters whose condition holds; not curl's own deadline.
function Transport:_tasks_due()
  if #self.ready > 0 then return 0 end
  if next(self.sleeping) == nil then return nil end -- the usual case: no clock read, no scan
  local n, t, preds = now(), nil, self.predicates
  for co, deadline in pairs(self.sleeping) do
    local pred = preds[co]
    if pred and pred() then return 0 end
    local d = deadline - n
    if d < 0 then d = 0 end
    if t == nil or d < t then t = d end
  end
  if t == math.huge then return nil end
  return t
end

--- Copies the waits' methods into `class` (gws.transport's Transport).
function M.install(class)
  return args.install(class, Transport)
end

return M
