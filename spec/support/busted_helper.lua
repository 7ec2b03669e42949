-- Loaded by busted once, before any spec file (.busted: `helper`).
--
-- busted runs each spec file insulated: the modules a file loads are unloaded after it, so the
-- next file's `require` runs their luaopen again in the same Lua state. luv cannot take that:
-- a second luaopen_luv while handles made by the first are still alive (closed, waiting for
-- the collector) crashes inside uv_run (core_messages_spec then core_spec did, with a use of
-- freed memory; /tmp-free reproduction: require luv, close a handle, unload, require again,
-- collect, run). Loaded here, luv is loaded once for the whole run and never unloaded.
-- spec/unit/busted_helper_spec.lua checks that this file ran.
local ok = pcall(require, "luv")
assert(ok, "spec/support/busted_helper.lua: luv (Debian's lua-luv) is missing; run scripts/deps.sh test")
