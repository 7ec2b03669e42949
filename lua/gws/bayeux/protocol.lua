--- The pure parts of Bayeux 1.0 (no I/O, no state beyond what is passed in): channel
-- matching, the retry delay, advice, building the messages we send and checking the replies
-- we get. gws.bayeux drives them; spec/unit/bayeux_protocol_spec.lua tests them alone.
local args = require "gws.args"
local errors = require "gws.errors"
local scrub = require "gws.scrub"

local M = {}

M.ADVICE_TIMEOUT = 30000 -- ms assumed until the server gives advice

--- The wait before retry number `attempt` (1-based): exponential, capped, "equal jitter"
-- (half fixed, half random), so it is always within [d/2, d] with d = min(cap, base*2^(n-1)).
function M.backoff_delay(attempt, base, cap, random)
  local d = base * 2 ^ (attempt - 1)
  if d > cap then d = cap end
  return d / 2 + (random or math.random)() * d / 2
end

--- True when `channel` matches subscription `pattern` (exact, /a/* or /a/**).
function M.channel_matches(pattern, channel)
  if pattern == channel then return true end
  if pattern:sub(-3) == "/**" then
    local prefix = pattern:sub(1, -3)
    return channel:sub(1, #prefix) == prefix and #channel > #prefix
  end
  if pattern:sub(-2) == "/*" then
    local prefix = pattern:sub(1, -2)
    local rest = channel:sub(#prefix + 1)
    return channel:sub(1, #prefix) == prefix and #rest > 0 and not rest:find("/", 1, true)
  end
  return false
end

-- How many channel names each subscription remembers matching (or not): a server sends a
-- handful, so the cache saves the pattern work per event without growing on a hostile one.
local MATCH_CACHE_MAX = 64

--- A subscription record: pattern, listeners, and its bounded cache of channel matches.
function M.subscription(channel)
  return { channel = channel, fns = {}, sync = {}, matches = args.cache(MATCH_CACHE_MAX) }
end

--- True when subscription `s` covers `channel`, remembered per subscription.
function M.sub_matches(s, channel)
  local hit = s.matches.map[channel]
  if hit == nil then
    hit = s.matches:get(channel)
    if hit == nil then hit = s.matches:put(channel, M.channel_matches(s.channel, channel)) end
  end
  return hit
end

--- A fresh advice table, as assumed before the server says anything.
function M.default_advice()
  return { reconnect = "retry", interval = 0, timeout = M.ADVICE_TIMEOUT }
end

-- Bounds of the advice we follow (ms): a hostile or broken server cannot make the long poll's
-- timeout zero, negative or endless, nor the client sleep for days.
M.MAX_ADVICE_TIMEOUT = 600000
M.MAX_ADVICE_INTERVAL = 600000
local RECONNECT = { retry = true, handshake = true, none = true }

local function clamp(v, lo, hi)
  if type(v) ~= "number" or v ~= v then return nil end
  if v < lo then return lo end
  if v > hi then return hi end
  return v
end

--- Merges the fields we use from a server's advice into `advice`, each within its bounds
-- (anything else is ignored).
function M.take_advice(advice, given)
  if type(given) ~= "table" then return end
  if RECONNECT[given.reconnect] then advice.reconnect = given.reconnect end
  advice.interval = clamp(given.interval, 0, M.MAX_ADVICE_INTERVAL) or advice.interval
  advice.timeout = clamp(given.timeout, 0, M.MAX_ADVICE_TIMEOUT) or advice.timeout
end

--- Seconds the long poll may take: the server's advice.timeout plus our margin, at least 1.
function M.poll_timeout(advice, margin)
  local t = (tonumber(advice.timeout) or M.ADVICE_TIMEOUT) / 1000 + margin
  if t < 1 then t = 1 end
  return t
end

--- Seconds to wait between two successful connects (advice.interval).
function M.interval(advice)
  return (tonumber(advice.interval) or 0) / 1000
end

function M.handshake_message()
  return { channel = "/meta/handshake", version = "1.0", minimumVersion = "1.0",
           supportedConnectionTypes = { "long-polling" } }
end

function M.connect_message()
  return { channel = "/meta/connect", connectionType = "long-polling" }
end

function M.subscribe_batch(subs)
  local batch = {}
  for i, s in ipairs(subs) do batch[i] = { channel = "/meta/subscribe", subscription = s.channel } end
  return batch
end

--- Numbers a batch from `next_id` on and stamps the client id (not on a handshake).
-- Returns the last id used.
function M.stamp(messages, next_id, client_id)
  for _, m in ipairs(messages) do
    next_id = next_id + 1
    m.id = tostring(next_id)
    if client_id and m.channel ~= "/meta/handshake" then m.clientId = client_id end
  end
  return next_id
end

--- Checks a transport result: the reply array, or nil and an error. `is_json(r)` says
-- whether the answer is labelled JSON.
function M.check_reply(r, is_json)
  if r.status ~= 200 then
    return nil, errors.new("http", "Bayeux request answered HTTP " .. r.status,
      { http_status = r.status, reason = r.status == 403 and "forbidden" or "http" })
  end
  local reply = r.json
  if reply ~= nil and not is_json(r) then
    return nil, errors.new("decode", "Bayeux reply is " .. tostring(r.headers["content-type"] or "unlabelled")
      .. ", not JSON", { http_status = r.status })
  end
  -- Not an array means events we cannot see may have been in it: a protocol error, which
  -- leads to a re-handshake (and, for the GWS client, a resync that recovers them).
  if type(reply) ~= "table" or (next(reply) ~= nil and reply[1] == nil) then
    return nil, errors.new("bayeux", "Bayeux reply is not a JSON array of messages",
      { http_status = r.status })
  end
  return reply
end

function M.meta_error(reply, what)
  -- The server's words, bounded and made valid UTF-8 before they enter an error.
  return errors.new("bayeux", what .. " failed: " .. scrub.clean(reply and reply.error or "no reply"),
    { advice = reply and reply.advice })
end

--- The first message of `replies` on `channel`.
function M.find_reply(replies, channel)
  for _, m in ipairs(replies) do
    if type(m) == "table" and m.channel == channel then return m end
  end
end

--- The first unsuccessful /meta/subscribe reply, if any.
function M.failed_subscription(replies)
  for _, m in ipairs(replies) do
    if type(m) == "table" and m.channel == "/meta/subscribe" and m.successful ~= true then return m end
  end
end

return M
