--- B3: throughput with CONC operations in flight: CONC coroutines under client:run(), each
-- sending client:send_message in a loop until N have been sent (no Bayeux: the session was
-- accepted by another client). The coroutines are tasks of the client's scheduler, which is
-- what run() makes of every callback. A first round of 2 x CONC calls opens the connections.
--
--   lua5.4 bench/inflight.lua BASE_URL USER PASSWORD SESSION_ID N CONC TEXT
-- Prints {"ops":N,"cpu":s,"wall":s,"rate":ops per wall second}.
package.path = "./bench/?.lua;" .. package.path
local common = require "common"

local url, user, password, id = arg[1], arg[2], arg[3], arg[4]
local n, conc, text = tonumber(arg[5]), tonumber(arg[6]), arg[7]
local client = common.client(url, user, password)

local function round(total)
  local left, done, failed = total, 0, nil
  local function worker()
    while left > 0 do
      left = left - 1
      local res, err = client:send_message(id, text)
      if not res then failed = failed or err end
      done = done + 1
    end
    if done == total then client:stop() end
  end
  client:run(function()
    for _ = 2, conc do client.transport:spawn("worker", worker) end
    worker()
  end)
  if failed then error(tostring(failed)) end
end

-- The warm-up round starts with CONC first calls at once: they share one CSRF fetch.
round(2 * conc)
local c0, w0 = common.cpu(), common.wall()
round(n)
local cpu, wall = common.cpu() - c0, common.wall() - w0
client:close()
common.emit { ops = n, cpu = cpu, wall = wall, rate = n / wall }
