--- A scripted customer for the examples: drives gws-sim's /sim control API (no auth, no
-- CSRF) through the same transport the client uses. Not part of the library.
local cjson = require "cjson"
local transport = require "gws.transport"

local M = {}
local Customer = {}
Customer.__index = Customer

function M.new(url, nickname, phone)
  return setmetatable({ url = url, nickname = nickname or "PersonP", phone = phone or "+15550100",
    t = transport.new {} }, Customer)
end

function Customer:call(method, path, body)
  local r = self.t:request { method = method, url = self.url .. path, timeout = 5,
    headers = { ["Content-Type"] = "application/json" }, body = body and cjson.encode(body) }
  if r.err then error("simulator control API: " .. r.err.message) end
  if r.status ~= 200 then error(("simulator control API: %s %s answered %d: %s"):format(
    method, path, r.status, r.body)) end
  return r.json
end

--- Opens an SMS session with a first text; `agent` names who gets the offer (nil: routing).
function Customer:text_in(text, agent)
  local res = self:call("POST", "/sim/sessions", { customer = { nickname = self.nickname,
    phone = self.phone }, text = text, agent = agent })
  self.id = res.id
  return res.id
end

function Customer:path(tail) return "/sim/sessions/" .. self.id .. (tail or "") end
function Customer:say(text) return self:call("POST", self:path("/messages"), { text = text }) end
function Customer:typing(on) return self:call("POST", self:path("/typing"), { typing = on }) end
function Customer:leave() return self:call("POST", self:path("/leave")) end
function Customer:record() return self:call("GET", self:path()) end
function Customer:close() self.t:close() end

return M
