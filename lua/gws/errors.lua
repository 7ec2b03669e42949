--- Structured error values shared by every gws module.
--
-- A runtime failure is returned as `nil, err` where `err` is a table with
--   kind        "transport" | "timeout" | "too_large" | "http" | "decode" | "status"
--               | "bayeux" | "capability" | "closed" | "cancelled"
--   message     a readable sentence
--   code        the GWS statusCode, when the server sent one
--   http_status the HTTP status, when there was a response
-- and `tostring(err)` gives "gws <kind> error: message (...)".
-- Nothing secret (password, Authorization, cookies, CSRF token) is ever put in one.
-- @module gws.errors
local M = {}

local Error = {}
Error.__index = Error
Error.__name = "gws.error"

function Error.__tostring(e)
  local extra = {}
  if e.code ~= nil then extra[#extra + 1] = "statusCode " .. tostring(e.code) end
  if e.http_status ~= nil and e.http_status ~= 0 then
    extra[#extra + 1] = "HTTP " .. tostring(e.http_status)
  end
  local s = "gws " .. tostring(e.kind) .. " error: " .. tostring(e.message)
  if #extra > 0 then s = s .. " (" .. table.concat(extra, ", ") .. ")" end
  return s
end

--- Builds an error value. `fields` may carry code, http_status and anything else useful.
-- @tparam string kind the kind (above)
-- @tparam string message a readable sentence
-- @tparam[opt] table fields more fields (code, http_status, …)
-- @treturn table the error value
function M.new(kind, message, fields)
  local e = { kind = kind, message = message }
  if fields then
    for k, v in pairs(fields) do e[k] = v end
  end
  return setmetatable(e, Error)
end

--- Whether `v` is an error value of this library.
-- @param v any value
-- @treturn boolean
function M.is(v)
  return getmetatable(v) == Error
end

-- Statuses the spec lists, so messages say what a code means even when the server is terse.
M.status_text = {
  [0] = "success", [1] = "required parameter missing",
  [2] = "parameter not valid for the current state", [3] = "operation forbidden",
  [4] = "internal server error", [5] = "no permission", [6] = "resource not found",
  [7] = "partial success", [8] = "password change required", [9] = "processing incomplete",
  [10] = "input validation error", [11] = "read-only property", [12] = "cannot retrieve",
  [13] = "cannot create", [14] = "cannot delete", [15] = "cannot update", [16] = "cannot assign",
  [17] = "cannot unassign", [18] = "already exists", [19] = "already in use",
  [20] = "not authenticated",
}

return M
