--- The client's options: their defaults, their checks, and copying them onto a client.
local args = require "gws.args"
local loop_mod = require "gws.loop"
local names = require "gws.names"
local operations = require "gws.sms.operations"

local M = {}

local fail, seconds = args.fail, args.seconds

M.LEVELS = { error = 1, warn = 2, info = 3, debug = 4 }

M.DEFAULTS = {
  request_timeout = 10, -- option `timeout` (the name `timeout` is the host-loop method)
  channels = { "sms" },
  topics = { "/v2/me/*" },
  check_capabilities = false, -- advisory: the vendor's lists are incomplete; true refuses locally
  csrf = true,
  resync = true,
  max_pending = 10000,
  log_level = "info",
  max_string = operations.max_string,
  keep_ended = 100, -- ended sessions the model keeps (oldest forgotten first)
  -- Inferred, not shown by any vendor sample (README: "What is inferred"), so configurable:
  offer_state = "Invited",      -- the state an offered session is in
  notifications = "/notifications", -- the Bayeux endpoint: a path under /api/v2, or a URL
}

local LEVELS = M.LEVELS

--- Every option sms.new takes (the reference documents each; spec/unit/docs_spec.lua checks
-- it). Any other key raises naming the closest of these: a typo must not be ignored.
M.OPTIONS = {}
for _, k in ipairs { "url", "username", "password", "timeout", "channels", "topics",
    "check_capabilities", "csrf", "resync", "max_pending", "on_error", "log", "log_level",
    "ca_file", "insecure", "max_body", "connect_timeout", "poll_margin", "backoff_base",
    "backoff_cap", "max_attempts", "give_up_after", "max_string", "proxy", "noproxy", "loop" } do
  M.OPTIONS[k] = true
end

--- The options of sms.loop{…}: the engine's, which a client sharing a loop takes from it.
M.LOOP_OPTIONS = { ca_file = true, insecure = true, max_body = true, connect_timeout = true,
  proxy = true, noproxy = true, max_requests = true }

--- Raises (at the level of the caller of sms.loop) naming the first bad loop option.
function M.check_loop(opts)
  if opts == nil then return end
  if type(opts) ~= "table" then fail("opts", "expected a table", 3) end
  names.check_keys(opts, M.LOOP_OPTIONS, 3, "sms.loop")
  M.check_proxy(opts, 4)
  if opts.ca_file ~= nil and type(opts.ca_file) ~= "string" then
    fail("ca_file", "expected a file name", 3)
  end
  args.integer(opts.max_body, "max_body", 3, 1)
  seconds(opts.connect_timeout, "connect_timeout", 3)
  args.integer(opts.max_requests, "max_requests", 3, 1)
end
-- A default is an option too (request_timeout is the option `timeout`).
for k in pairs(M.DEFAULTS) do
  if k ~= "request_timeout" then M.OPTIONS[k] = true end
end

--- Raises (at the level of the caller of sms.new) naming the first bad option.
function M.check(opts)
  if type(opts) ~= "table" then fail("opts", "expected a table", 3) end
  names.check_keys(opts, M.OPTIONS, 3, "sms.new")
  if type(opts.url) ~= "string" or not opts.url:match("^https?://[^/]") or opts.url:find("[%c%s]") then
    fail("url", "expected the server's base URL, e.g. \"http://127.0.0.1:8090\"", 3)
  end
  -- Not echoed: the message must not carry the password it refuses.
  if opts.url:match("^https?://[^/?#]*@") then
    fail("url", "must not carry credentials (user:password@host): pass them as username and password"
      .. " (a URL is logged and shown in errors)", 3)
  end
  args.integer(opts.keep_ended, "keep_ended", 3, 0)
  for _, k in ipairs { "username", "password" } do
    if type(opts[k]) ~= "string" or opts[k] == "" or opts[k]:find("%c") then
      fail(k, "expected a non-empty string without control characters", 3)
    end
  end
  if opts.username:find(":", 1, true) then
    fail("username", "must not contain ':' (HTTP Basic cannot carry it)", 3)
  end
  if opts.log ~= nil then args.func(opts.log, "log", 3, "a function(level, message)") end
  if opts.log_level ~= nil and not LEVELS[opts.log_level] then
    fail("log_level", "expected \"error\", \"warn\", \"info\" or \"debug\"", 3)
  end
  if opts.on_error ~= nil then args.func(opts.on_error, "on_error", 3, "a function(err, info)") end
  M.check_proxy(opts, 4)
  if opts.loop ~= nil then
    if not loop_mod.is(opts.loop) then fail("loop", "expected a loop made by sms.loop()", 3) end
    if opts.loop.closed then fail("loop", "the loop is closed", 3) end
    -- One engine for every client of the loop: its options are the loop's.
    for k in pairs(M.LOOP_OPTIONS) do
      if opts[k] ~= nil then
        fail(k, "set it on the loop (sms.loop{ " .. k .. " = … }): its clients share one engine", 3)
      end
    end
  end
  seconds(opts.timeout, "timeout", 3)
  args.integer(opts.max_pending, "max_pending", 3, 1)
  local offer = opts.offer_state
  if offer ~= nil and (type(offer) ~= "string" or not offer:match("^%a+$")) then
    fail("offer_state", "expected a session state name, e.g. \"Invited\"", 3)
  end
  local n = opts.notifications
  if n ~= nil and (type(n) ~= "string" or n:find("[%c%s]")
      or not (n:match("^/[^/]") or n:match("^https?://[^/]"))) then
    fail("notifications", "expected a path under /api/v2 (\"/notifications\") or an http(s) URL", 3)
  end
  for _, k in ipairs { "channels", "topics" } do
    local v = opts[k]
    if v ~= nil then
      if type(v) ~= "table" or #v == 0 then fail(k, "expected a non-empty array of strings", 3) end
      for i, c in ipairs(v) do
        if type(c) ~= "string" or c == "" then fail(k .. "[" .. i .. "]", "expected a string", 3) end
      end
    end
  end
end

--- proxy: a URL ("http://[user:password@]host:port"; any scheme libcurl knows, e.g.
-- socks5h://) or "" (no proxy, whatever the environment says); noproxy: libcurl's list of
-- hosts reached directly ("localhost,.example.com", "*" for all). The messages never repeat
-- the proxy's value: it may hold a password. Raises at `level` (counted from this function).
function M.check_proxy(opts, level)
  local proxy, noproxy = opts.proxy, opts.noproxy
  if proxy ~= nil and (type(proxy) ~= "string" or proxy:find("[%c%s]")
      or (proxy ~= "" and not proxy:match("^%a[%w+.-]*://[^/]"))) then
    fail("proxy", "expected a proxy URL like \"http://user:password@proxy.example:3128\", or \"\"", level)
  end
  if noproxy ~= nil and (type(noproxy) ~= "string" or noproxy:find("[%c]")) then
    fail("noproxy", "expected a string of hosts like \"localhost,.example.com\" (\"*\": every host)", level)
  end
end

--- Copies the defaults and the given options onto `self` (a client); returns it.
function M.apply(self, opts)
  for k, v in pairs(M.DEFAULTS) do self[k] = v end
  for _, k in ipairs { "channels", "topics", "max_pending", "log_level", "max_string", "keep_ended",
      "offer_state", "notifications" } do
    if opts[k] ~= nil then self[k] = opts[k] end
  end
  if opts.timeout ~= nil then self.request_timeout = opts.timeout end
  for _, k in ipairs { "check_capabilities", "csrf", "resync" } do
    if opts[k] ~= nil then self[k] = not not opts[k] end
  end
  return self
end

return M
