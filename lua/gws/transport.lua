--- One gws.core engine plus the smallest scheduler that lets the same call block in a
-- script, yield inside a task, and be driven by a host's event loop.
--
-- A *task* is a coroutine made by `spawn` (the Bayeux poller, resync, callbacks under
-- client:run()). In a task, `request` and `sleep` yield and the task is resumed by `pump`.
-- Anywhere else they block, pumping the engine so that tasks keep progressing meanwhile.
-- Coroutines we did not create are never yielded across: a host's own coroutine just blocks.
local core = require "gws.core"

local M = {}

local Transport = {}
Transport.__index = Transport

local BLOCKED = {} -- marks a transfer whose result a blocking caller collects
local now = core.now

--- opts: the gws.core engine options, plus on_error(err, info) for a failing task.
function M.new(opts)
  return setmetatable({
    eng = core.new(opts),
    on_error = opts.on_error,
    waiting = {},      -- transfer id -> task | BLOCKED | function(result), or the result
                       -- itself once a blocked caller's transfer is done
    tasks = setmetatable({}, { __mode = "k" }),
    ready = {},        -- tasks to resume at the next pump, FIFO of {co, value}
    sleepers = {},     -- task -> deadline
    blocked_on = setmetatable({}, { __mode = "k" }), -- task -> transfer id it waits for
    closed = false,
  }, Transport)
end

M.now = now

--- The error a failed transfer result stands for, as {kind, message} (kinds of gws.errors).
-- libcurl answers "out of memory" when one header line exceeds its own 100 KiB limit; that is
-- a hostile answer, not our memory, so it is reported as too_large.
function M.failure(r)
  local e = r.err
  if e.curl_code == 27 then
    return "too_large", "the answer could not be read: a header line over libcurl's 100 KiB limit, or"
      .. " out of memory (" .. e.message .. ")"
  end
  if e.curl_code == 60 or e.curl_code == 58 or e.curl_code == 35 or e.curl_code == 51 then
    return "transport", e.message .. " (TLS: pass ca_file = <CA bundle> to trust this server)"
  end
  return e.kind, e.message
end

-- Content-Type values already classified; a server sends the same one or two, so this stays
-- small (and is emptied at MAX_TYPES in case it does not).
local json_types, n_json_types, MAX_TYPES = {}, 0, 64

--- True when the answer says it is JSON (application/json or a +json type).
function M.is_json(r)
  local ct = r.headers and r.headers["content-type"]
  if not ct then return false end
  local known = json_types[ct]
  if known ~= nil then return known end
  local lower = ct:lower()
  known = lower:find("^application/json") ~= nil or lower:find("^application/[%w.%-]+%+json") ~= nil
  if n_json_types >= MAX_TYPES then json_types, n_json_types = {}, 0 end
  json_types[ct], n_json_types = known, n_json_types + 1
  return known
end

--- True when the running coroutine is one of ours, so waiting should yield.
function Transport:in_task()
  local co, main = coroutine.running()
  return not main and self.tasks[co] ~= nil
end

local function closed_result()
  return { status = 0, headers = {}, body = "",
           err = { kind = "closed", message = "the client is closed" } }
end

function Transport:_resume(co, ...)
  local ok, err = coroutine.resume(co, ...)
  if not ok and self.on_error then
    -- Tasks wrap their body in xpcall, so this is a scheduler bug or a yield we don't own.
    self.on_error(err, { event = "task", traceback = debug.traceback(co) })
  end
  if coroutine.status(co) == "dead" then
    self.tasks[co] = nil
    self.sleepers[co] = nil
  end
end

--- Starts fn(...) as a task at the next pump. Errors go to on_error with a traceback.
function Transport:spawn(name, fn, ...)
  local args = table.pack(...)
  local co = coroutine.create(function()
    local tb
    local ok, err = xpcall(fn, function(e)
      tb = debug.traceback(nil, 2)
      return e
    end, table.unpack(args, 1, args.n))
    if not ok and self.on_error then
      self.on_error(err, { event = name, traceback = tb })
    end
  end)
  self.tasks[co] = true
  self.ready[#self.ready + 1] = co
  return co
end

--- Sends one request; returns the engine's result table (see docs/internals.md), never raises
-- for network trouble (that is result.err). Bad arguments raise from the engine.
function Transport:request(req)
  if self.closed then return closed_result() end
  local co, main = coroutine.running()
  if not main and self.tasks[co] then -- in_task(), inline: this runs for every request
    -- Started by the next pump, together with whatever other tasks submit meanwhile.
    local id = self.eng:submit(req)
    self.waiting[id] = co
    self.blocked_on[co] = id
    local r = coroutine.yield()
    self.blocked_on[co] = nil
    return r
  end
  -- Started at once: this caller waits for it right away.
  local id = self.eng:submit(req, true)
  local waiting = self.waiting
  waiting[id] = BLOCKED
  -- curl enforces req.timeout; the guard only protects against a scheduler bug.
  local guard
  while true do
    if self.closed then return closed_result() end
    local r = waiting[id]
    if r ~= BLOCKED then
      waiting[id] = nil
      return r or { id = id, status = 0, headers = {}, body = "",
                    err = { kind = "cancelled", message = "cancelled" } }
    end
    local t = now()
    guard = guard or t + req.timeout + 5
    if t > guard then
      self.eng:cancel(id)
      waiting[id] = nil
      return { status = 0, headers = {}, body = "",
               err = { kind = "timeout", message = "no answer within " .. req.timeout .. " s" } }
    end
    self:pump(1)
  end
end

--- A prepared header list for requests (see gws.core's eng:headers): table -> userdata.
function Transport:headers(t)
  if self.closed then return nil end
  return self.eng:headers(t)
end

--- Sends a request whose result goes to fn(result) from inside pump (fn must not block).
function Transport:submit(req, fn)
  local id = self.eng:submit(req)
  self.waiting[id] = fn
  return id
end

function Transport:cancel(id)
  self.waiting[id] = nil
  return self.eng:cancel(id)
end

--- Wakes task `co` now: a transfer it waits for is cancelled and answers err.kind
-- "cancelled"; a sleep ends early. Returns true if the task was waiting.
function Transport:interrupt(co)
  local id = self.blocked_on[co]
  if id then
    self.blocked_on[co] = nil
    self.waiting[id] = nil
    self.eng:cancel(id)
    self:_resume(co, { id = id, status = 0, headers = {}, body = "",
                       err = { kind = "cancelled", message = "cancelled" } })
    return true
  end
  if self.sleepers[co] then
    self.sleepers[co] = nil
    self:_resume(co)
    return true
  end
  return false
end

--- Waits `seconds`: yields in a task, otherwise pumps until the time is up.
function Transport:sleep(seconds)
  local deadline = now() + seconds
  if self:in_task() then
    self.sleepers[(coroutine.running())] = deadline
    coroutine.yield()
    return
  end
  repeat
    self:pump(deadline - now())
  until now() >= deadline or self.closed
end

--- Waits until pred() is true or `timeout` seconds pass. Returns true or false.
-- In a task it checks every 10 ms; elsewhere it pumps (pred is re-checked after each pump).
function Transport:wait_until(pred, timeout)
  local deadline = now() + timeout
  while not pred() do
    local left = deadline - now()
    if left <= 0 or self.closed then return pred() and true or false end
    if self:in_task() then
      self:sleep(math.min(0.01, left))
    else
      self:pump(math.min(left, 0.25))
    end
  end
  return true
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

function Transport:_wake_sleepers()
  if next(self.sleepers) == nil then return end -- the usual case: no clock read, no scan
  local t = now()
  local due
  for co, deadline in pairs(self.sleepers) do
    if deadline <= t then
      due = due or {}
      due[#due + 1] = co
    end
  end
  if due then
    for i = 1, #due do
      self.sleepers[due[i]] = nil
      self:_resume(due[i])
    end
  end
end

--- Seconds until pump has work to do (0 = now), or nil when only socket activity matters.
-- Seconds until a task of ours is due (0 = now), or nil when none is: ready tasks and
-- sleepers only, not curl's own deadline.
function Transport:_tasks_due()
  if #self.ready > 0 then return 0 end
  if next(self.sleepers) == nil then return nil end -- the usual case: no clock read, no scan
  local n, t = now(), nil
  for _, deadline in pairs(self.sleepers) do
    local d = deadline - n
    if d < 0 then d = 0 end
    if t == nil or d < t then t = d end
  end
  return t
end

function Transport:timeout()
  if self.closed then return nil end
  local t, curl = self:_tasks_due(), self.eng:timeout()
  if t == nil or (curl ~= nil and curl < t) then return curl end
  return t
end

--- Runs ready tasks, waits up to `timeout` seconds for the network, hands finished
-- transfers to whoever waits for them, and wakes tasks whose sleep is over.
function Transport:pump(timeout)
  if self.closed then return end
  if #self.ready > 0 then self:_run_ready() end
  local wait = timeout or 0
  -- Only our own deadlines here: eng:step already stops at curl's.
  if #self.ready > 0 or next(self.sleepers) ~= nil then -- no call at all in the usual case
    local due = self:_tasks_due()
    if due < wait then wait = due end
  end
  if wait < 0 then wait = 0 end
  local done = self.eng:step(wait, self._done)
  self._done = nil -- a callback that pumps again gets an array of its own
  local waiting = self.waiting
  for i = 1, #done do
    local r = done[i]
    done[i] = false -- the reused array must not keep results alive
    local w = waiting[r.id]
    if w == BLOCKED then
      waiting[r.id] = r -- the blocked caller collects it from its own slot: no new key
    else
      waiting[r.id] = nil
      if type(w) == "thread" then
        self:_resume(w, r)
      elseif type(w) == "function" then
        w(r)
      end
    end
  end
  self._done = done
  if next(self.sleepers) ~= nil then self:_wake_sleepers() end
  if #self.ready > 0 then self:_run_ready() end
end

function Transport:pollfd() return self.eng:pollfd() end
function Transport:events() return self.eng:events() end
function Transport:pending() return self.eng:pending() end
function Transport:clear_cookies() return self.eng:clear_cookies() end

function Transport:close()
  if self.closed then return end
  self.closed = true
  self.eng:close()
  self.waiting, self.ready, self.sleepers = {}, {}, {}
end

return M
