-- What the core says when something fails: running out of file descriptors is reported as
-- exactly that (issue #13), and every message the core builds is bounded and valid UTF-8,
-- whatever bytes it quotes (issue #11 item 6).
local core = require "gws.core"
local core_wait = require "support.core_wait"

local BUILD = (os.getenv("GWS_SIM") or "./build/gws-sim"):match("^(.*)/gws%-sim$") or "build"

local function clean_text(s)
  return type(s) == "string" and utf8.len(s) ~= nil and not s:find("[%z\1-\8\10-\31\127]")
end

-- Submits `req` and steps until its result: returns it.
local function result_of(eng, req)
  return core_wait.submit(eng, req, false, { step = 0.05, within = 5 })
end

describe("gws.core messages", function()
  it("says 'too many open files' with the limit when a socket cannot be opened (EMFILE)", function()
    -- A child with 20 descriptors at most: it uses them all up, then asks for a connection.
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
local core = require "gws.core"
local eng = core.new {}
local port = ...
local function fetch()
  local id = eng:submit { method = "GET", url = "http://127.0.0.1:" .. port .. "/", timeout = 2 }
  while true do
    for _, r in ipairs(eng:step(0.1)) do
      if r.id == id then return r end
    end
  end
end
local before = fetch() -- nothing listens there: a plain refused connection
local hoard = {}
while true do
  local file = io.open("/dev/null")
  if not file then break end
  hoard[#hoard + 1] = file
end
local starved = fetch()
print(before.err.kind .. "|" .. before.err.message)
print(starved.err.kind .. "|" .. starved.err.message)
]])
    f:close()
    -- A port nothing listens on: bind one with luv and close it again.
    local uv = require "luv"
    local probe = uv.new_tcp()
    probe:bind("127.0.0.1", 0)
    local port = probe:getsockname().port
    probe:close()
    uv.run("nowait")
    local cmd = ("LUA_PATH='./lua/?.lua;;' LUA_CPATH='./%s/?.so;;' sh -c 'ulimit -n 20; exec lua5.4 %s %d' 2>&1")
      :format(BUILD, script, port)
    local p = assert(io.popen(cmd))
    local out = p:read("a")
    p:close()
    os.remove(script)
    local before, starved = out:match("^([^\n]*)\n([^\n]*)\n$")
    assert(before, out)
    assert.truthy(before:find("^transport|.*Couldn't connect"), before)
    assert.equals("transport|too many open files (limit 20; raise it with ulimit -n)", starved)
  end)

  it("bounds curl's message when it quotes a long host name", function()
    -- curl 7.88 refuses hosts with raw bytes before it quotes them, but quotes a long one
    -- whole (its buffer holds 255 bytes): the core cuts it to 200 with "...".
    local eng = core.new { connect_timeout = 1 }
    local host = (("a"):rep(60) .. "."):rep(4) .. "invalid"
    local r = result_of(eng, { method = "GET", url = "http://" .. host .. "/", timeout = 2 })
    eng:close()
    assert.is_table(r.err)
    assert.equals(200, #r.err.message, r.err.message)
    assert.truthy(r.err.message:find("^Could not resolve host: aaaa.*%.%.%.$"), r.err.message)
    assert.is_true(clean_text(r.err.message), r.err.message)
  end)

  it("quotes a bad header name bounded and as UTF-8 in the error it raises", function()
    local eng = core.new {}
    local ok, msg = pcall(eng.headers, eng, { ["X\xff\0\n" .. ("y"):rep(500)] = "v" })
    eng:close()
    assert.is_false(ok)
    assert.truthy(msg:find("invalid header name 'X???yyy", 1, true), msg)
    assert.is_true(#msg < 200, msg)
    assert.is_true(clean_text(msg), msg)
  end)

  it("reports a JSON error in clean text, and the body itself untouched", function()
    local value, err = core.decode("\xff\xfe{")
    assert.is_nil(value)
    assert.is_true(clean_text(err), err)
  end)
end)
