--- The one table of SMS session operations (spec section 3). Module functions
-- (`sms.NAME(id, …)`), client methods (`client:NAME(id, …)`) and session methods
-- (`session:NAME(…)`) are all generated from it, and arguments are validated here only
-- (build answers what is wrong; the public functions raise).
--
-- Each entry:
--   name        the Lua method name
--   op          the wire operationName (also the capability checked before sending)
--   params      ordered list of { wire name, type, required?, aliases = {…} }
--   positional  the param a plain (non-table) second argument stands for, e.g. send_message(id, "hi")
--   one_of      names of which exactly one must be given (transfer: a target or a queue)
-- Types: "string", "boolean", "userdata" (flat table key -> string|number), "keys"
-- (array of strings).
local names = require "gws.names"

local M = {}

local function p(wire, ty, required, aliases)
  return { wire = wire, type = ty, required = required or false, aliases = aliases or {} }
end

M.list = {
  { name = "accept", op = "Accept",
    params = { p("nickname", "string", true), p("saveLAR", "boolean", false, { "save_lar" }) },
    positional = "nickname" },
  { name = "reject", op = "Reject", params = {} },
  { name = "complete", op = "Complete",
    params = { p("queueName", "string", false, { "queue", "queue_name" }),
               p("saveLAR", "boolean", false, { "save_lar" }) } },
  { name = "leave", op = "Leave", params = {} },
  { name = "transfer", op = "Transfer",
    params = { p("targetUri", "string", false, { "target_uri" }),
               p("queueName", "string", false, { "queue", "queue_name" }),
               p("text", "string") },
    one_of = { "targetUri", "queueName" } },
  { name = "send_message", op = "SendMessage", params = { p("text", "string", true) },
    positional = "text" },
  { name = "send_url", op = "SendUrl", params = { p("url", "string", true) }, positional = "url" },
  { name = "send_custom_notice", op = "SendCustomNotice",
    params = { p("noticeText", "string", true, { "notice_text", "text" }) },
    positional = "noticeText" },
  { name = "send_to_agents", op = "SendToAgents", params = { p("text", "string", true) },
    positional = "text" },
  { name = "send_custom_notice_to_agents", op = "SendCustomNoticeToAgents",
    params = { p("noticeText", "string", true, { "notice_text", "text" }) },
    positional = "noticeText" },
  { name = "start_typing", op = "SendStartTypingNotification", params = {} },
  { name = "stop_typing", op = "SendStopTypingNotification", params = {} },
  { name = "start_typing_to_agents", op = "SendStartTypingToAgentsNotification", params = {} },
  -- Singular, as the operation's own page prints it (table and sample); capability lists spell
  -- it plural, and Session:can takes both (vendor/INDEX.md §2.1, §2.8).
  { name = "stop_typing_to_agents", op = "SendStopTypingToAgentNotification", params = {} },
  { name = "invite", op = "Invite",
    params = { p("targetUri", "string", false, { "target_uri" }),
               p("targetPath", "string", false, { "target_path" }) },
    one_of = { "targetUri", "targetPath" } },
  { name = "consult", op = "Consult",
    params = { p("targetUri", "string", false, { "target_uri" }),
               p("targetPath", "string", false, { "target_path" }) },
    one_of = { "targetUri", "targetPath" } },
  { name = "cancel_consult", op = "CancelConsult", params = {} },
  { name = "attach_user_data", op = "AttachUserData",
    params = { p("userData", "userdata", true, { "user_data" }) }, positional = "userData" },
  { name = "update_user_data", op = "UpdateUserData",
    params = { p("userData", "userdata", true, { "user_data" }) }, positional = "userData" },
  { name = "delete_user_data", op = "DeleteUserData",
    params = { p("keys", "keys", true) }, positional = "keys" },
  { name = "set_disposition", op = "SetDisposition",
    params = { p("disposition", "string", true),
               p("dispositionKey", "string", false, { "disposition_key", "key" }) },
    positional = "disposition" },
}

M.by_name = {}
for _, e in ipairs(M.list) do
  M.by_name[e.name] = e
  -- Lua key (wire name or alias) -> param
  e.lookup = {}
  for _, prm in ipairs(e.params) do
    e.lookup[prm.wire] = prm
    for _, a in ipairs(prm.aliases) do e.lookup[a] = prm end
  end
  -- string_positional: the wire name when a plain string argument alone makes a whole,
  -- valid body (send_message(id, "hi")): no other required param and no one_of. Such calls
  -- take build's fast path, which checks the string with string_problem only.
  local prm = e.positional and e.lookup[e.positional]
  if prm and prm.type == "string" and not e.one_of then
    local alone = true
    for _, q in ipairs(e.params) do
      if q.required and q ~= prm then alone = false end
    end
    e.string_positional = alone and prm.wire or nil
  end
end

-- Strings a caller hands us end up in JSON and in an SMS; refuse what can only be a mistake.
M.max_string = 65536
local MAX_KEYS = 1000

--- What is wrong with a string argument, or nil when nothing is.
function M.string_problem(v, max)
  if type(v) ~= "string" then return "expected a string, got " .. type(v) end
  if v == "" then return "must not be empty" end
  if #v > max then return ("is %d bytes, more than the limit of %d"):format(#v, max) end
  if not utf8.len(v) then return "is not valid UTF-8" end
  if v:find("\0", 1, true) then return "contains a NUL byte" end
end
local string_problem = M.string_problem

-- Each check answers nil when the value is fine, else the argument's name and what is wrong
-- with it: nothing here raises, the public function raises at its own level (gws.args).

local function check_string(where, v, max)
  local why = string_problem(v, max)
  if why then return where, why end
end

local function check_number(where, v)
  if v ~= v or v == math.huge or v == -math.huge then return where, "must be a finite number" end
end

local function check_userdata(where, v, max)
  if type(v) ~= "table" then return where, "expected a table of key = string|number, got " .. type(v) end
  if getmetatable(v) ~= nil then return where, "must be a plain table" end
  local n = 0
  for k, val in pairs(v) do
    n = n + 1
    if n > MAX_KEYS then return where, "has more than " .. MAX_KEYS .. " keys" end
    if type(k) ~= "string" then return where, "keys must be strings, found a " .. type(k) end
    local bad, why = check_string(where .. " key", k, 1024)
    if bad then return bad, why end
    local sub = where .. "." .. k
    if type(val) == "number" then
      bad, why = check_number(sub, val)
    elseif type(val) == "string" then
      bad, why = check_string(sub, val, max)
    else
      bad, why = sub, "must be a string or a number, got " .. type(val)
    end
    if bad then return bad, why end
  end
  if n == 0 then return where, "must hold at least one key" end
end

local function check_keys(where, v)
  if type(v) ~= "table" then return where, "expected an array of key strings, got " .. type(v) end
  local n = #v
  if n == 0 then return where, "must hold at least one key" end
  if n > MAX_KEYS then return where, "has more than " .. MAX_KEYS .. " keys" end
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return where, "must be an array (1..n)" end
  end
  for i = 1, n do
    local bad, why = check_string(where .. "[" .. i .. "]", v[i], 1024)
    if bad then return bad, why end
  end
end

local checkers = {
  string = check_string,
  boolean = function(where, v)
    if type(v) ~= "boolean" then return where, "expected a boolean, got " .. type(v) end
  end,
  userdata = check_userdata,
  keys = check_keys,
}

--- Turns the caller's arguments into the wire body: the body, or nil, the name of the bad
-- argument and what is wrong with it (nothing raises here; the caller raises at its level).
-- `arg` is a table of options, or the value of the positional parameter, or nil.
-- The common case, a plain string for a string_positional op (send_message(id, "hi")), is
-- checked without the general path.
function M.build(entry, arg, max)
  max = max or M.max_string
  local wire = entry.string_positional
  if wire and type(arg) == "string" then
    local why = string_problem(arg, max)
    if why then return nil, wire, why end
    return { operationName = entry.op, [wire] = arg }
  end
  local body = { operationName = entry.op }
  local given = {}
  local bad, why
  if type(arg) == "table" and not (entry.positional and
      (entry.lookup[entry.positional].type == "userdata" or entry.lookup[entry.positional].type == "keys")
      and not M.looks_like_options(entry, arg)) then
    for k, v in pairs(arg) do
      local prm = type(k) == "string" and entry.lookup[k]
      if not prm then
        local near = names.closest(k, entry.lookup)
        if near then
          return nil, tostring(k), ("unknown option for %s (did you mean '%s'?)"):format(entry.name, near)
        end
        local wires = {}
        for _, q in ipairs(entry.params) do wires[#wires + 1] = q.wire end
        return nil, tostring(k), ("unknown option for %s (expected %s)"):format(entry.name,
          #wires > 0 and table.concat(wires, ", ") or "no options")
      end
      if given[prm.wire] then return nil, k, "given twice (as " .. given[prm.wire] .. " too)" end
      given[prm.wire] = k
      bad, why = checkers[prm.type](k, v, max)
      if bad then return nil, bad, why end
      body[prm.wire] = v
    end
  elseif arg ~= nil then
    if not entry.positional then
      return nil, "opts", entry.name .. " takes "
        .. (#entry.params > 0 and "an options table" or "no options")
    end
    local prm = entry.lookup[entry.positional]
    bad, why = checkers[prm.type](prm.wire, arg, max)
    if bad then return nil, bad, why end
    body[prm.wire] = arg
  end
  for _, prm in ipairs(entry.params) do
    if prm.required and body[prm.wire] == nil then
      return nil, prm.wire, "is required for " .. entry.name
    end
  end
  if entry.one_of then
    local n = 0
    for _, w in ipairs(entry.one_of) do if body[w] ~= nil then n = n + 1 end end
    if n ~= 1 then
      return nil, entry.one_of[1], entry.name .. " needs exactly one of " .. table.concat(entry.one_of, ", ")
    end
  end
  return body
end

--- A table argument to an op whose positional param is itself a table (user data, keys) is an
-- options table only when its keys are all known option names.
function M.looks_like_options(entry, t)
  if next(t) == nil then return false end
  for k in pairs(t) do
    if type(k) ~= "string" or not entry.lookup[k] then return false end
  end
  return true
end

--- What each operation does, one sentence each: the reference's entry for the generated
-- methods (client:NAME, session:NAME, sms.NAME; scripts/docs.lua writes them out, and
-- spec/unit/docs_spec.lua fails for an operation without one).
M.docs = {
  accept = "Accepts an offered session (state Invited): the agent joins and it becomes Chatting.",
  reject = "Rejects an offered session: it is offered elsewhere.",
  complete = "Completes a session the agent has left or is done with (optionally to a queue).",
  leave = "Leaves a session; it stays open for the other participants (LeftChat for this agent).",
  transfer = "Transfers the session to another agent (targetUri) or a queue (queueName); "
    .. "the agent leaves once it is accepted. Nobody answering ends in an Error notification.",
  send_message = "Sends a text message to the customer.",
  send_url = "Sends a URL to the customer.",
  send_custom_notice = "Sends a custom notice (a system line) to the session's participants.",
  send_to_agents = "Sends a text to the other agents in the session only (not the customer).",
  send_custom_notice_to_agents = "Sends a custom notice to the other agents only.",
  start_typing = "Tells the customer the agent started typing.",
  stop_typing = "Tells the customer the agent stopped typing.",
  start_typing_to_agents = "Tells the other agents this agent started typing.",
  stop_typing_to_agents = "Tells the other agents this agent stopped typing.",
  invite = "Invites another agent (targetUri) or a queue (targetPath) into a conference.",
  consult = "Starts a private consultation with another agent (targetUri) or queue (targetPath).",
  cancel_consult = "Cancels a consultation nobody has answered yet.",
  attach_user_data = "Attaches user data (key = string or number) to the session.",
  update_user_data = "Updates attached user data.",
  delete_user_data = "Deletes user data by key.",
  set_disposition = "Sets the session's disposition (kept in its user data).",
}

return M
