--- Argument checks shared by every gws module, and the one bounded cache.
--
-- One way to refuse an argument: `fail(name, msg, level)` raises "bad argument 'name': msg"
-- at `level` (as error() counts it, from the function that calls fail: 1 = that function,
-- 2 = its caller). Checks that can be reached from several depths return a problem instead
-- (`nil, name, msg`), and their caller raises at its own level.
local names = require "gws.names"

local M = {}

--- The longest wait or timeout any call accepts, in seconds (one day).
M.MAX_SECONDS = 86400

--- A short, quoted rendering of a bad value for a message.
function M.short(v)
  local s = tostring(v)
  if #s > 40 then s = s:sub(1, 40) .. "..." end
  return ("%q"):format(s)
end
local short = M.short

function M.fail(name, msg, level)
  error("bad argument '" .. name .. "': " .. msg, (level or 1) + 1)
end
local fail = M.fail

--- The one timeout check: nil passes (the caller's default applies); otherwise a number of
-- seconds, > 0 (>= 0 with `zero_ok`, for waits such as poll(0)) and <= MAX_SECONDS.
function M.seconds(v, name, level, zero_ok)
  if v == nil then return nil end
  if type(v) ~= "number" or v ~= v or v < 0 or (v == 0 and not zero_ok) or v > M.MAX_SECONDS then
    fail(name or "timeout", ("must be a number of seconds %s 0 and <= %d, got %s"):format(
      zero_ok and ">=" or ">", M.MAX_SECONDS, short(v)), (level or 1) + 1)
  end
  return v
end

--- nil, or an integer >= min.
function M.integer(v, name, level, min)
  if v ~= nil and (math.type(v) ~= "integer" or v < min) then
    fail(name, "expected an integer >= " .. min .. ", got " .. short(v), (level or 1) + 1)
  end
  return v
end

--- A name of letters, digits, '-' or '_' (channels, user ids), at most 64 bytes.
function M.name(v, name, level)
  if type(v) ~= "string" or not v:match("^[%a][%w_%-]*$") or #v > 64 then
    fail(name, "expected a name of letters, digits, '-' or '_', got " .. short(v), (level or 1) + 1)
  end
  return v
end

function M.func(v, name, level, what)
  if type(v) ~= "function" then fail(name, "expected " .. (what or "a function"), (level or 1) + 1) end
  return v
end

--- nil, or a table.
function M.opt_table(v, name, level)
  if v ~= nil and type(v) ~= "table" then fail(name, "expected a table", (level or 1) + 1) end
  return v
end

local CALL_OPTS = { timeout = true }

--- {timeout = s} or nil: the options table every single request takes.
function M.call_opts(opts, level)
  if opts == nil then return nil end
  if type(opts) ~= "table" then
    fail("opts", "expected a table like {timeout = 5}, got " .. type(opts), (level or 1) + 1)
  end
  for k in pairs(opts) do
    if k ~= "timeout" then fail("opts", names.unknown_message("option", k, CALL_OPTS), (level or 1) + 1) end
  end
  return M.seconds(opts.timeout, "timeout", (level or 1) + 1)
end

---------------------------------------------------------------------------------------------
-- Session ids: checked once, remembered (a pure check, so sharing it between clients is safe)

local MAX_ID = 128

--- The problem with a session id, or nil. Does not raise.
function M.id_problem(id)
  if type(id) ~= "string" then return "expected a session id string, got " .. type(id) end
  if id == "" or #id > MAX_ID or not id:match("^[%w_%-]+$") then
    return short(id) .. " is not a session id (1 to 128 letters, digits, '-' or '_')"
  end
end

---------------------------------------------------------------------------------------------
-- The bounded cache: two generations. Reads look in `map` (a plain table, so a hot path reads
-- it without a call) and then in `old`; `put` starts a new generation when `map` holds `max`
-- entries, so the newest entries always survive and memory stays under 2 x max.

local Cache = {}
Cache.__index = Cache

-- What `map` and `old` are until the first put (never written): a client holds several
-- caches that many never use, and 1 000 clients on one loop pay for each empty table (B7).
local NONE = setmetatable({}, { __newindex = function() error("args.cache: write through put", 2) end })

function M.cache(max)
  return setmetatable({ map = NONE, old = NONE, n = 0, max = max }, Cache)
end

function Cache:get(k)
  local v = self.map[k]
  if v == nil then
    v = self.old[k]
    if v ~= nil then self:put(k, v) end
  end
  return v
end

function Cache:put(k, v)
  if self.n >= self.max then
    self.old, self.map, self.n = self.map, {}, 0
  elseif self.map == NONE then
    self.map = {}
  end
  self.map[k] = v
  self.n = self.n + 1
  return v
end

function Cache:clear()
  self.map, self.old, self.n = NONE, NONE, 0
end

local valid_ids = M.cache(1024)

--- A session id (a Session object stands for its id), or raises naming `id`.
function M.id(id, level)
  if valid_ids.map[id] then return id end
  if type(id) == "table" and type(id.id) == "string" and id.is_session then return id.id end
  local why = M.id_problem(id)
  if why then fail("id", why, (level or 1) + 1) end
  valid_ids:put(id, true)
  return id
end

--- Copies every function of `methods` into `class`, for a class whose methods live in more
-- than one file (a call then costs what a method defined on the class costs: no __index
-- chain). A name the class already has is a mistake, so it raises. Returns `class`.
function M.install(class, methods)
  for name, fn in pairs(methods) do
    assert(class[name] == nil, name)
    class[name] = fn
  end
  return class
end

return M
