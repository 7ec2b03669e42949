--- The events a GWS SMS client's `on` takes: the closed set of names and the check that
-- raises for a typo. gws.sms.client re-exports both (client.EVENTS, client.check_event).
-- @module gws.sms.events
local args = require "gws.args"
local names = require "gws.names"

local M = {}

local fail = args.fail

--- Events: every name `client:on` takes. A notification's listener gets `(data, session)`:
-- `data` exactly as the server sent it (shapes: the "Data shapes" page), `session` the live
-- Session (nil when the notification names none, e.g. an Error). The model is updated before
-- any listener runs. Connection events get one table (its fields below). Any other
-- upper-case name is taken as a notificationType a server may add; a near miss of a known
-- name ("Message", "NewMessage") raises, naming the one meant.
-- @field StatusChange `(data, session)`: the session's state, capabilities or participants changed
-- @field ParticipantsUpdated `(data, session)`: someone joined or left
-- @field PropertiesUpdated `(data, session)`: user data (and a disposition) changed
-- @field NewMessages `(data, session)`: transcript messages arrived (`data.messages`)
-- @field Error `(data, nil)`: an operation failed after it was accepted; `data.referenceId` names it
-- @field all registered as `"*"`: `(data, session)` for every notification, whatever its type
-- @field invited `(session)`: a new offer (state Invited), once per offer
-- @field message `(message, session)`: once per new transcript MESSAGE, in index order
-- @field state `(session, old_state, new_state)`: the state changed; the first one has `old_state == nil`
-- @field ended `(session)`: it reached Completed or Revoked (or vanished from the server's list)
-- @field connected `({rehandshake = bool})`: notifications flow (again)
-- @field disconnected `({reconnecting = bool, error = err})`: the notification channel was lost
-- @field reconnecting `({attempt = n, delay = s, error = err})`: before each retry
-- @field gave_up `({attempts = n, error = err, reason = "advice"|"refused"|nil})`: no more retries
-- @field handshake `({first = bool, count = n})`: a Bayeux handshake succeeded
-- @field forbidden `({error = err})`: the server refused the long poll with 403 (the client
-- renews its HTTP session)
-- @field resynced `({sessions = n, changed = n})`: a resync after a handshake finished
-- @field resync_failed `({error = err, session = id|nil})`: the session list could not be read, or
-- with `session`, that session's messages (the others were; it is read again later)
-- @field backpressure `({paused = bool, pending = n})`: max_pending reached / caught up
-- @table events

--- Every event name `on` takes: the notificationTypes GWS documents, "*", the model's
-- events and the connection events. A closed set, so a typo raises; see M.check_event for the
-- notificationTypes a server may add.
M.EVENTS = {}
for _, e in ipairs { "StatusChange", "ParticipantsUpdated", "PropertiesUpdated", "NewMessages",
    "Error", "*", "invited", "message", "state", "ended", "connected", "disconnected",
    "reconnecting", "gave_up", "handshake", "forbidden", "resynced", "resync_failed",
    "backpressure" } do
  M.EVENTS[e] = true
end

--- Raises (at `level`) unless `event` is a known event name, or looks like a notificationType
-- a server may add (it starts upper-case: "SomethingNew") and is not a near miss of a known
-- name ("Message", "NewMessage" and "statusChange" raise, naming the one meant). A new type
-- that happens to be that close to a known one can be had through "*".
-- @tparam string event an event name
-- @tparam[opt=1] integer level error level, as `error` counts it
-- @treturn string the event
-- @raise "bad argument 'event': unknown event 'mesage' (did you mean 'message'?)"
function M.check_event(event, level)
  level = (level or 1) + 1
  if type(event) ~= "string" or event == "" then fail("event", "expected an event name string", level) end
  if M.EVENTS[event] then return event end
  local near = names.closest(event, M.EVENTS)
  if near or not event:match("^%u[%w_]*$") then
    fail("event", names.unknown_message("event", event, M.EVENTS)
      .. (near and "" or "; a notificationType starts upper-case, every notification is \"*\""), level)
  end
  return event
end

return M
