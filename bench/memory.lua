--- B5: memory, as VmRSS from /proc/self/status after a full collection (and the Lua heap).
--
--   lua5.4 bench/memory.lua bare
--       a bare lua5.4 (nothing required): the reference for "idle"
--   lua5.4 bench/memory.lua libs
--       lua5.4 after require "gws.core": libcurl with its dependencies loaded and initialised
--   lua5.4 bench/memory.lua idle BASE_URL USER PASSWORD
--       one idle client: created, connected (GET /me, handshake, subscribe, first resync of
--       an agent without sessions), its long poll waiting
--   lua5.4 bench/memory.lua growth BASE_URL USER PASSWORD SESSION_ID N TEXT
--       a client without Bayeux: 1000 send_message calls, RSS; N more, RSS again
--   lua5.4 bench/memory.lua sessions BASE_URL USER PASSWORD COUNT
--       a client whose agent has COUNT sessions: connect() adopts them all on the first
--       handshake (list, then each transcript); RSS and Lua heap once every one is in the
--       model. Then, for what a tracked message costs against what it is (bench/run.lua
--       divides the heap above an idle client's by the messages): the transcripts of the
--       first SAMPLE sessions read again as the server sends them (GET .../messages on a
--       transport of its own), `json` the compact JSON bytes per message (cjson.encode of
--       each message object), `decoded` the Lua heap per message of those decoded tables
--       alone (kept, after a full collection), i.e. the floor for any model holding them
-- Prints one JSON line; sizes in KiB.
-- Not common.rss_kib: loading common loads cjson, and "bare" must measure lua5.4 alone.
local function rss_kib()
  collectgarbage("collect")
  collectgarbage("collect")
  local f = assert(io.open("/proc/self/status"))
  local s = f:read("a")
  f:close()
  -- RssAnon: the private memory, without the library code pages that VmRSS also counts
  -- (those follow the kernel's fault-around, not what the process allocates).
  return tonumber(s:match("VmRSS:%s*(%d+)")), tonumber(s:match("RssAnon:%s*(%d+)"))
end

local mode = arg[1]
if mode == "bare" then
  -- Nothing else loaded: io.write of a literal, not cjson.
  local rss, anon = rss_kib()
  io.write(('{"rss":%d,"anon":%d,"heap":%.1f}\n'):format(rss, anon, collectgarbage("count")))
  return
elseif mode == "libs" then
  require "gws.core"
  local rss, anon = rss_kib()
  io.write(('{"rss":%d,"anon":%d,"heap":%.1f}\n'):format(rss, anon, collectgarbage("count")))
  return
end

package.path = "./bench/?.lua;" .. package.path
local common = require "common"
local url, user, password = arg[2], arg[3], arg[4]

if mode == "idle" then
  local client = common.client(url, user, password)
  local resynced = false
  client:on("resynced", function() resynced = true end)
  assert(client:connect())
  while not resynced do client:poll(0.1) end
  client:poll(0.2)
  local rss, anon = rss_kib()
  common.emit { rss = rss, anon = anon, heap = collectgarbage("count") }
elseif mode == "growth" then
  local id, n, text = arg[5], tonumber(arg[6]), arg[7]
  local client = common.client(url, user, password)
  for _ = 1, 1000 do assert(client:send_message(id, text)) end
  local before = rss_kib()
  local heap_before = collectgarbage("count")
  for _ = 1, n do
    local res, err = client:send_message(id, text)
    if not res then error(tostring(err)) end
  end
  local after = rss_kib()
  local heap_after = collectgarbage("count")
  common.emit { ops = n, before = before, after = after, growth = after - before,
                heap_growth = heap_after - heap_before }
elseif mode == "sessions" then
  local count = tonumber(arg[5])
  local client = common.client(url, user, password)
  local resynced = false
  client:on("resynced", function() resynced = true end)
  local c0 = common.wall()
  assert(client:connect(120))
  while not resynced do client:poll(0.1) end
  client:poll(0.2)
  local sessions, messages = 0, 0
  for _, s in ipairs(client:sessions()) do
    sessions = sessions + 1
    messages = messages + #s.messages
  end
  assert(sessions == count, ("adopted %d sessions, not %d"):format(sessions, count))
  local seconds = common.wall() - c0
  local rss = rss_kib()
  local heap = collectgarbage("count")

  local cjson = require "cjson"
  local transport = require "gws.transport"
  local SAMPLE = 100
  local t = transport.new { username = user, password = password }
  local bodies = {}
  for i, s in ipairs(client:sessions()) do
    if i > SAMPLE then break end
    local r = t:request { method = "GET", url = url .. "/api/v2/me/smssessions/" .. s.id .. "/messages",
      timeout = 30 }
    assert(r.status == 200, "GET messages: " .. tostring(r.status))
    bodies[#bodies + 1] = r.body
  end
  t:close()
  rss_kib() -- a full collection: only the bodies are new
  local h0 = collectgarbage("count")
  local kept, sampled, json_bytes = {}, 0, 0
  for i, body in ipairs(bodies) do
    kept[i] = cjson.decode(body).messages
    sampled = sampled + #kept[i]
  end
  rss_kib()
  local decoded = (collectgarbage("count") - h0) * 1024 / sampled
  for _, list in ipairs(kept) do
    for _, m in ipairs(list) do json_bytes = json_bytes + #cjson.encode(m) end
  end
  common.emit { rss = rss, heap = heap, sessions = sessions, messages = messages, seconds = seconds,
                sample = sampled, json = json_bytes / sampled, decoded = decoded }
else
  error("usage: memory.lua bare | idle URL USER PASSWORD | growth ... | sessions ...")
end
