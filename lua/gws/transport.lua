--- One gws.core engine plus the smallest scheduler that lets the same call block in a
-- script, yield inside a task, and be driven by a host's event loop.
--
-- A *task* is a coroutine of ours: made by `spawn` (the Bayeux poller, the repairer, a
-- client:spawn), or a pooled worker of `run_now` (every callback). In a task, `request`,
-- `sleep` and `wait` yield and the task is resumed by `pump`. Anywhere else they block,
-- pumping the engine so that tasks keep progressing.
-- Coroutines we did not create are never yielded across: a host's own coroutine just blocks.
--
-- Who gets a transfer's result is a *waiter* (`waiters[id]`): a task, or a function(result)
-- called from inside pump. A blocking caller's waiter stores the result in `results[id]`,
-- where the caller picks it up. A transfer that ends without an answer gets a result made by
-- `fail` (the only place such results are built), with err.kind:
--   "cancelled"  a task was woken (interrupt) before its transfer finished;
--   "timeout"    curl never answered within the request's timeout plus 5 s (a guard);
--   "closed"     the transport was closed.
--
-- The owner's event queue (an emitter: `pending()` and `dispatch()`) is given as opts.queue;
-- `drive` pumps the engine and then dispatches it, and poll/step/run all go through drive.
local core = require "gws.core"
local waits = require "gws.transport.waits"

local M = {}

local Transport = {}
Transport.__index = Transport

local now = core.now
M.now = now

-- Workers: pooled coroutines that run one job each (run_now) and then wait for the next, so
-- running every callback as a task costs no coroutine creation in the usual case. A worker
-- yields DONE when its job is over; any other yield is the job waiting (a request, a wait).
local DONE = setmetatable({}, { __name = "gws.transport.done" })
local POOL_MAX = 16

-- One metatable for every transport's weak-keyed tables (B7: a loop holds many transports).
local WEAK_KEYS = { __mode = "k" }

--- The response headers some module of ours reads (lower-case name -> true). An engine made
-- by M.new with opts.read_headers_only keeps only these in its results (gws.core's
-- keep_headers), so the others are never made Lua strings (bench/README.md, issue 14). A
-- module that reads one says so at load.
M.read_headers = { ["content-type"] = true }

function M.reads_header(name)
  M.read_headers[name:lower()] = true
end

-- The engine options: the caller's, plus keep_headers when it asks for the headers our
-- modules read only (a transport whose results nobody else sees: the client's).
local function engine_options(opts)
  if not opts.read_headers_only or opts.keep_headers ~= nil then return opts end
  local copy, kept = {}, {}
  for k, v in pairs(opts) do copy[k] = v end
  for name in pairs(M.read_headers) do kept[#kept + 1] = name end
  copy.keep_headers = kept
  return copy
end


--- opts: the gws.core engine options, plus on_error(err, info) for a failing task and queue
-- (an object with pending() and dispatch(), e.g. a gws.emitter) for drive/poll; with
-- read_headers_only, results carry only the response headers of M.read_headers.
-- With opts.loop (a gws.loop) the transport is one member of that loop: it uses the loop's
-- engine with credentials and a cookie jar of its own (opts.username/password), sent with
-- each request, and pump/drive/timeout are the loop's (every member progresses); its tasks,
-- waiters and queue stay its own. opts.closing: what the loop calls to close this member
-- (the owner's close, which ends with this transport's).
function M.new(opts)
  local results = {}
  local shared = opts.loop
  local eng = shared and shared.eng or core.new(engine_options(opts))
  local self = setmetatable({
    eng = eng,
    loop = shared,
    on_error = opts.on_error,
    queue = opts.queue,
    waiters = {},      -- transfer id -> task | function(result)
    results = results, -- transfer id -> result, for blocking callers
    keep = function(r) results[r.id] = r end, -- a blocking caller's waiter
    tasks = setmetatable({}, WEAK_KEYS),
    ready = {},        -- tasks to resume at the next pump, FIFO
    -- Idle workers for run_now; on a loop its members share them (B7: an idle member keeps
    -- none of its own), each member marking a worker it takes as one of its tasks.
    pool = shared and shared.workers or {},
    sleeping = {},     -- task -> deadline (sleep and wait)
    predicates = {},   -- task -> pred, for a task in wait(): resumed as soon as pred() holds
    blocked_on = setmetatable({}, WEAK_KEYS), -- task -> transfer id it waits for
    closed = false,
  }, Transport)
  if shared then
    -- Per request, never per connection: the loop's connections serve every member.
    if opts.username then self.auth = eng:credentials(opts.username, opts.password or "") end
    self.jar = eng:jar {}
    self.closing = opts.closing
    -- The loop dispatches only the queues that have something (see gws.emitter's on_queued).
    if opts.queue then opts.queue.on_queued = function() shared.queued[self] = true end end
    shared:_join(self)
  end
  return self
end

--- The error a failed transfer result stands for, as {kind, message} (kinds of gws.errors).
-- libcurl answers "out of memory" when one header line exceeds its own 100 KiB limit; that is
-- a hostile answer, not our memory, so it is reported as too_large.
function M.failure(r)
  local e = r.err
  if e.curl_code == 27 then
    return "too_large", "the answer could not be read: a header line over libcurl's 100 KiB limit, or"
      .. " out of memory (" .. e.message .. ")"
  end
  local hint = M.tls_hint(e.curl_code, e.message)
  if hint then return "transport", e.message .. " (" .. hint .. ")" end
  return e.kind, e.message
end

-- OpenSSL's words when what answered a TLS hello is not TLS (a plain-http server on that port).
local NOT_TLS = { "wrong version number", "packet length too long", "unknown protocol",
  "record layer failure", "http request" }

--- What a TLS failure means and what to do about it, or nil for any other failure. A server
-- that does not speak TLS is not a certificate problem: ca_file would not help there.
function M.tls_hint(curl_code, message)
  local lower = tostring(message):lower()
  if curl_code == 35 then
    for _, words in ipairs(NOT_TLS) do
      if lower:find(words, 1, true) then
        return "TLS: this server does not speak TLS on that port; for a plain-http server use an"
          .. " http:// url"
      end
    end
    if lower:find("ssl_error_syscall", 1, true) or lower:find("connection reset", 1, true) then
      -- A plain-http server that hangs up on a TLS hello instead of answering it.
      return "TLS: the server closed the connection during the handshake; it probably does not"
        .. " speak TLS on that port (for a plain-http server use an http:// url)"
    end
    return "TLS: the handshake failed; check that the url's host and port serve https"
  end
  if curl_code == 60 then
    return "TLS: the server's certificate is not trusted; pass ca_file = <PEM of the CA that"
      .. " signed it> (insecure = true only for a test server)"
  end
  if curl_code == 51 then
    return "TLS: the certificate does not name this host; use the host name it was issued for"
  end
  if curl_code == 77 then return "TLS: ca_file could not be read as PEM certificates" end
  if curl_code == 58 or curl_code == 59 or curl_code == 83 then
    return "TLS: the local certificate setup failed"
  end
end

local function failed(id, kind, message)
  return { id = id, status = 0, headers = {}, body = "", err = { kind = kind, message = message } }
end

-- Content-Type values already classified; a server sends the same one or two.
local json_types = require("gws.args").cache(64)
M.json_types = json_types -- read directly on the hot path (sms/http.lua's call)

--- True when the answer says it is JSON (application/json or a +json type).
function M.is_json(r)
  local ct = r.headers and r.headers["content-type"]
  if not ct then return false end
  local known = json_types.map[ct]
  if known ~= nil then return known end
  local lower = ct:lower()
  known = lower:find("^application/json") ~= nil or lower:find("^application/[%w.%-]+%+json") ~= nil
  return json_types:put(ct, known)
end

--- True when the running coroutine is one of ours, so waiting should yield.
function Transport:in_task()
  local co, main = coroutine.running()
  return not main and self.tasks[co] ~= nil
end

function Transport:_resume(co, ...)
  local ok, err = coroutine.resume(co, ...)
  if err == DONE and ok then -- a worker whose job is over: back to the pool
    self.tasks[co] = nil -- on a loop, the next member to take it may be another
    local pool = self.pool
    if #pool < POOL_MAX then pool[#pool + 1] = co end
    return
  end
  if not ok and self.on_error then
    -- Tasks wrap their body in xpcall, so this is a scheduler bug or a yield we don't own.
    self.on_error(err, { event = "task", traceback = debug.traceback(co) })
  end
  if coroutine.status(co) == "dead" then
    self.tasks[co] = nil
    self.sleeping[co], self.predicates[co] = nil, nil
  end
end

local function work(fn, ...)
  fn(...)
  return work(coroutine.yield(DONE))
end

--- Runs fn(...) as a task now: returns true when fn has finished, false when it waits (the
-- task then goes on from later pumps). fn must not raise (callers protect what they run).
function Transport:run_now(fn, ...)
  local pool = self.pool
  local n = #pool
  local co
  if n > 0 then
    co = pool[n]
    pool[n] = nil
  else
    co = coroutine.create(work)
  end
  -- A task of this member while its job runs, and only then: on a loop the idle workers are
  -- shared, and another member's waits inside this job must not take it for one of theirs.
  local tasks = self.tasks
  tasks[co] = true
  local ok, r = coroutine.resume(co, fn, ...)
  if ok and r == DONE then -- the usual case, inline: back to the pool
    tasks[co] = nil
    if n <= POOL_MAX then pool[#pool + 1] = co end
    return true
  end
  if not ok and self.on_error then
    self.on_error(r, { event = "task", traceback = debug.traceback(co) })
  end
  return not ok
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
  if self.loop then self.loop.active[self] = true end -- a loop only looks at members with work
  return co
end

-- Hands a result to whoever waits for it.
function Transport:_deliver(r)
  local waiters = self.waiters
  local w = waiters[r.id]
  if w == nil then return end
  waiters[r.id] = nil
  if type(w) == "thread" then self:_resume(w, r) else w(r) end
end

--- Ends transfer `id` without an answer: cancels it and gives its waiter a result whose
-- err.kind is `kind` (see the top of this file).
function Transport:fail(id, kind, message)
  if not self.closed then self:_cancel(id) end
  self:_deliver(failed(id, kind, message))
end

--- Sends one request; returns the engine's result table (see docs/internals.md), never raises
-- for network trouble (that is result.err). Bad arguments raise from the engine.
function Transport:request(req)
  if self.closed then return failed(nil, "closed", "the client is closed") end
  local shared = self.loop
  if shared and shared.free <= 0 and not req.held then
    local refused = self:_await_request(req)
    if refused then return refused end
  end
  local co, main = coroutine.running()
  if not main and self.tasks[co] then -- in_task(), inline: this runs for every request
    -- Started by the next pump, together with whatever other tasks submit meanwhile.
    local id = self:_submit(req)
    self.waiters[id] = co
    self.blocked_on[co] = id
    local r = coroutine.yield()
    self.blocked_on[co] = nil
    return r
  end
  -- Started at once: this caller waits for it right away.
  local id, r
  if shared then
    id = self:_submit(req, true)
  else
    -- Its answer read inside submit, with nothing else waiting, comes back from submit itself
    -- (gws.core's take): no step. Tasks that are due still run before we return.
    id, r = self.eng:submit(req, true, true)
    if r then
      if #self.ready > 0 or next(self.sleeping) ~= nil then self:pump(0) end
      return r
    end
  end
  self.waiters[id] = self.keep
  local results = self.results
  -- The answer may have been read inside submit all the same (others were waiting, or the
  -- sockets had not been looked at for a while): one pump, before any clock read for the guard.
  self:pump(1)
  -- curl enforces req.timeout; the guard only protects against a scheduler bug.
  local guard
  while true do
    r = results[id]
    if r then
      results[id] = nil
      return r
    end
    if self.closed then return failed(id, "closed", "the client is closed") end
    local t = now()
    guard = guard or t + req.timeout + 5
    if t > guard then
      self:fail(id, "timeout", "no answer within " .. req.timeout .. " s")
    else
      self:pump(1)
    end
  end
end

-- Submits to the engine; a loop's member adds its own jar and credentials and is noted as
-- the owner of the transfer, so the loop hands the result back here.
function Transport:_submit(req, start_now)
  local shared = self.loop
  if not shared then return self.eng:submit(req, start_now) end
  req.jar, req.auth = self.jar, self.auth
  local id = self.eng:submit(req, start_now)
  shared:_submitted(self, id, req.held)
  return id
end

function Transport:_cancel(id)
  local shared = self.loop
  if shared then
    shared.owner[id] = nil
    shared:_release(id)
  end
  return self.eng:cancel(id)
end

-- A loop's member waits (yields in a task) until the loop has a request free for it: the
-- loop bounds its requests other than long polls (`held`), and so its connections. Returns
-- nil when it may go on, else a failed result.
function Transport:_await_request(req)
  local shared = self.loop
  local deadline = now() + req.timeout
  local function free() return shared.free > 0 or self.closed end
  while shared.free <= 0 do
    if self.closed then return failed(nil, "closed", "the client is closed") end
    if not self:wait(free, deadline - now()) then
      if now() < deadline then return failed(nil, "cancelled", "cancelled") end
      return failed(nil, "timeout", ("no request of the loop free within %g s (max_requests = %d)")
        :format(req.timeout, shared.max_requests))
    end
  end
end

--- A prepared header list for requests (see gws.core's eng:headers): table -> userdata.
-- A loop's member renders its own credentials into it.
function Transport:headers(t)
  if self.closed then return nil end
  return self.eng:headers(t, self.auth)
end

--- Sends a request whose result goes to fn(result) from inside pump (fn must not block).
function Transport:submit(req, fn)
  local id = self:_submit(req)
  self.waiters[id] = fn
  return id
end

--- Cancels a transfer: no result is delivered for it.
function Transport:cancel(id)
  self.waiters[id] = nil
  return self:_cancel(id)
end

--- Seconds until step/drive should be called (0 = now), or nil when only socket activity
-- matters (then wait on pollfd).
function Transport:timeout()
  if self.closed then return nil end
  if self.loop then return self.loop:timeout() end
  if self.queue and self.queue:pending() > 0 then return 0 end
  local t, curl = self:_tasks_due(), self.eng:timeout()
  if t == nil or (curl ~= nil and curl < t) then return curl end
  return t
end

--- Runs ready tasks, waits up to `timeout` seconds for the network, hands finished
-- transfers to their waiters, and wakes tasks whose sleep is over or whose wait holds.
function Transport:pump(timeout)
  if self.closed then return end
  if self.loop then return self.loop:_pump(timeout) end
  local wait = timeout or 0
  -- No task ready or sleeping is the usual case (a blocking send): one test for all of it.
  if #self.ready > 0 or next(self.sleeping) ~= nil then
    if next(self.sleeping) ~= nil then self:_wake() end -- a condition may hold already
    if #self.ready > 0 then self:_run_ready() end
    -- Only our own deadlines here: eng:step already stops at curl's.
    if #self.ready > 0 or next(self.sleeping) ~= nil then
      local due = self:_tasks_due()
      if due and due < wait then wait = due end
    end
  end
  if wait < 0 then wait = 0 end
  local done = self.eng:step(wait, self._done)
  self._done = nil -- a waiter that pumps again gets an array of its own
  local waiters, keep = self.waiters, self.keep
  for i = 1, #done do
    local r = done[i]
    done[i] = false -- the reused array must not keep results alive
    -- _deliver, inline (this runs for every request): a blocking caller's result is stored
    -- without the call.
    local id = r.id
    local w = waiters[id]
    if w == keep then
      waiters[id] = nil
      self.results[id] = r
    elseif w ~= nil then
      self:_deliver(r)
    end
  end
  self._done = done
  if next(self.sleeping) ~= nil then self:_wake() end
  if #self.ready > 0 then self:_run_ready() end
end

--- Pumps (without waiting when callbacks are queued) and then runs the queued callbacks.
-- Returns how many ran.
function Transport:drive(timeout)
  if self.loop then return self.loop:_drive(timeout, self.queue) end
  local queue = self.queue
  self:pump(queue:pending() > 0 and 0 or timeout)
  return queue:dispatch()
end

--- Drives until at least one queued item ran or `timeout` s passed (at least one pass over
-- the network, even with timeout 0). Returns how many ran.
function Transport:poll(timeout)
  local deadline = now() + timeout
  repeat
    local n = self:drive(deadline - now())
    if n > 0 then return n end
  until now() >= deadline or self.closed
  return 0
end

function Transport:pollfd() return self.eng:pollfd() end
function Transport:events() return self.eng:events() end
function Transport:pending() return self.eng:pending() end
--- A loop's member: hands a finished transfer to its waiter (the loop's pump calls it).
function Transport:_take(r)
  local id, waiters = r.id, self.waiters
  local w = waiters[id]
  if w == self.keep then
    waiters[id] = nil
    self.results[id] = r
  elseif w ~= nil then
    self:_deliver(r)
  end
end

--- A loop's member: resumes the tasks that are due (sleep over, wait holding, ready).
function Transport:_run_due()
  if next(self.sleeping) ~= nil then self:_wake() end
  if #self.ready > 0 then self:_run_ready() end
end

function Transport:clear_cookies()
  if self.jar then return self.jar:clear() end
  return self.eng:clear_cookies()
end
--- Forgets only the named cookies of the engine's jar (an HTTP session ends; a load
-- balancer's stickiness cookie stays).
function Transport:drop_cookies(names) return (self.jar or self.eng:cookies()):clear(names) end

function Transport:close()
  if self.closed then return end
  self.closed = true
  if self.loop then
    -- The engine is the loop's: only what this member has in flight goes, and its secrets.
    self.loop:_leave(self)
    if self.auth then self.auth:close() end
    if not self.loop.closed then self.jar:clear() end
  else
    self.eng:close()
  end
  self.waiters, self.results, self.ready, self.pool = {}, {}, {}, {}
  self.sleeping, self.predicates = {}, {}
end

-- The waits and their scheduling, copied in at load time: no __index chain.
waits.install(Transport)

return M
