-- The rock and the release around it, as a user meets them: the rockspecs list what the tree
-- holds and agree on one version with gws.sms and gws.core; `make dist` writes the tarball and
-- `luarocks pack` packs it (offline); `luarocks make` installs on a Debian machine (lua-cjson
-- from apt, --deps-mode=none) and on a plain LuaRocks setup, where luarocks itself resolves
-- lua-cjson from a rocks server (here a local one: see cjson_server); neither leaves anything
-- in the source tree; `make install PREFIX=` installs a library, a gws-sms and a gws-sim that
-- work from there. Every install goes to a throwaway directory, and each installed library is
-- loaded by a fresh lua5.4 that can see nothing but that directory (and, for the Debian way,
-- Debian's lua-cjson).
local helper = require "helper"
local files = require "support.files"

local LUAROCKS = "luarocks --lua-version=5.4"

local function q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs a shell command without what the surrounding `make test` exported (its MAKEFLAGS would
-- reach the makes that luarocks starts, its LUA_PATH the luarocks program). Returns
-- true|false, the output (stdout and stderr).
local function sh(cmd)
  local p = assert(io.popen("env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u LUA_PATH -u LUA_CPATH "
    .. "-u LUA_PATH_5_4 -u LUA_CPATH_5_4 sh -c " .. q(cmd) .. " 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  return ok == true, out
end

local function must(cmd)
  local ok, out = sh(cmd)
  assert(ok, "failed: " .. cmd .. "\n" .. out)
  return out
end

local function tmpdir()
  local d = files.scratch_dir()
  finally(function() os.execute("rm -rf " .. q(d)) end)
  return d
end

-- A rockspec is Lua: its fields, evaluated the way luarocks does (no globals of ours).
local function rockspec(path)
  local env = {}
  assert(load(files.read(path), "@" .. path, "t", env))()
  return env
end

-- Every file and directory under dir, as a set of relative names.
local function listing(dir)
  local set = {}
  for name in must("cd " .. q(dir) .. " && find ."):gmatch("[^\n]+") do set[name] = true end
  return set
end

-- What appeared in or vanished from a tree between two listings, sorted.
local function changes(before, after)
  local out = {}
  for name in pairs(after) do if not before[name] then out[#out + 1] = "new: " .. name end end
  for name in pairs(before) do if not after[name] then out[#out + 1] = "gone: " .. name end end
  table.sort(out)
  return out
end

-- Runs `code` in a fresh lua5.4 whose package paths are exactly `lua_dirs` and `c_dirs`
-- (directories), from a directory with nothing in it. Returns its output.
local function probe(lua_dirs, c_dirs, code)
  local lpath, cpath = {}, {}
  for _, d in ipairs(lua_dirs) do lpath[#lpath + 1] = d .. "/?.lua;" .. d .. "/?/init.lua" end
  for _, d in ipairs(c_dirs) do cpath[#cpath + 1] = d .. "/?.so" end
  return must(("cd / && LUA_PATH=%s LUA_CPATH=%s lua5.4 -e %s"):format(
    q(table.concat(lpath, ";")), q(table.concat(cpath, ";")), q(code)))
end

-- What every probe prints: where gws.core and cjson were found, and the versions.
local WHERE = [[local sms, core = require "gws.sms", require "gws.core"
  io.write(package.searchpath("gws.core", package.cpath), "\n", package.searchpath("cjson", package.cpath),
    "\n", sms.VERSION, "\n", core._VERSION, "\n", tostring(core.decode('{"n": 1}').n), "\n")]]

local function lines(s)
  local t = {}
  for l in s:gmatch("[^\n]+") do t[#t + 1] = l end
  return t
end

local sms_version = require("gws.sms").VERSION
local VERSIONED = "rockspec/gws-sms-" .. sms_version .. "-1.rockspec"
local SCM = "rockspec/gws-sms-scm-1.rockspec"
-- Where lua5.4 finds Debian's lua-cjson (cjson.so), e.g. /usr/lib/x86_64-linux-gnu/lua/5.4.
local DEBIAN_CJSON = assert(package.searchpath("cjson", package.cpath)):match("^(.*)/[^/]*$")

-- The release, made once for the whole file: build/dist's tarball and .src.rock.
local dist
local function release()
  if not dist then
    local build = os.tmpname()
    os.remove(build)
    must(("make --no-print-directory BUILD=%s dist"):format(q(build)))
    dist = { build = build, dir = build .. "/dist", name = "gws-sms-" .. sms_version }
  end
  return dist
end

-- A fresh source tree unpacked from the release tarball.
local function unpacked()
  local d = tmpdir()
  local r = release()
  must(("tar -xzf %s/%s.tar.gz -C %s"):format(q(r.dir), r.name, q(d)))
  return d .. "/" .. r.name
end

-- A local rocks server offering lua-cjson, as luarocks.org would. No network here, so the rock
-- is made from the lua-cjson that Debian installed (the same module, cjson.so and cjson.util):
-- a rockspec whose source is a tarball of those files. What is exercised is luarocks' own
-- dependency path: reading the server's manifest, choosing the version, fetching, installing
-- into the tree, and gws-sms loading the cjson that luarocks installed.
local function cjson_server()
  local repo = tmpdir()
  local src = repo .. "/lua-cjson-2.1.0"
  local util = assert(package.searchpath("cjson.util", "/usr/share/lua/5.4/?.lua"))
  must(("mkdir %s && cp %s/cjson.so %s %s/ && cd %s && tar -czf lua-cjson-2.1.0.tar.gz lua-cjson-2.1.0 && rm -r %s")
    :format(q(src), q(DEBIAN_CJSON), q(util), q(src), q(repo), q(src)))
  local f = assert(io.open(repo .. "/lua-cjson-2.1.0-1.rockspec", "w"))
  f:write(([[
rockspec_format = "3.0"
package = "lua-cjson"
version = "2.1.0-1"
source = { url = "file://%s/lua-cjson-2.1.0.tar.gz", dir = "lua-cjson-2.1.0" }
description = { summary = "lua-cjson, the files Debian built", license = "MIT" }
dependencies = { "lua >= 5.1" }
build = { type = "none", install = { lib = { cjson = "cjson.so" }, lua = { ["cjson.util"] = "util.lua" } } }
]]):format(repo))
  f:close()
  must("luarocks-admin --lua-version=5.4 make-manifest " .. q(repo))
  return "file://" .. repo
end

describe("the rock", function()
  lazy_teardown(function()
    if dist then os.execute("rm -rf " .. q(dist.build)) end
  end)

  describe("the rockspecs", function()
    it("install every Lua module of the tree, and only those, and the gws-sms command", function()
      local tree = {}
      for file in must("find lua -name '*.lua' | LC_ALL=C sort"):gmatch("[^\n]+") do
        tree[file:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")] = file
      end
      local bins = {}
      for file in must("find bin -type f 2>/dev/null | LC_ALL=C sort"):gmatch("[^\n]+") do
        bins[file:match("[^/]+$")] = file
      end
      -- Names what one side has and the other lacks, so a new module's fix is obvious.
      local function differences(want, have)
        local out = {}
        for k, v in pairs(want) do
          if have[k] ~= v then out[#out + 1] = ("missing: [%q] = %q"):format(k, v) end
        end
        for k, v in pairs(have) do
          if want[k] ~= v then out[#out + 1] = ("not in the tree: [%q] = %q"):format(k, v) end
        end
        table.sort(out)
        return out
      end
      for _, path in ipairs({ VERSIONED, SCM }) do
        local install = rockspec(path).build.install
        assert.same({}, differences(tree, install.lua), path .. ": build.install.lua differs from lua/")
        assert.same({}, differences(bins, install.bin or {}), path .. ": build.install.bin differs from bin/")
      end
    end)

    it("differ only in version and source, and pass luarocks lint", function()
      local a, b = rockspec(VERSIONED), rockspec(SCM)
      assert.equal("scm-1", b.version)
      a.version, b.version, a.source, b.source = nil, nil, nil, nil
      assert.same(a, b)
      must(LUAROCKS .. " lint " .. VERSIONED)
      must(LUAROCKS .. " lint " .. SCM)
    end)

    it("carry the one version that gws.sms, gws.core and the changelog carry", function()
      assert.truthy(sms_version:match("^%d+%.%d+%.%d+$"), sms_version)
      assert.equal(sms_version .. "-1", rockspec(VERSIONED).version)
      assert.equal("gws.core " .. sms_version, require("gws.core")._VERSION)
      assert.truthy(files.read("CHANGELOG.md"):find("\n## [" .. sms_version .. "] - ", 1, true),
        "CHANGELOG.md has no entry for " .. sms_version)
    end)
  end)

  describe("the release", function()
    it("is a source tarball without build output and a .src.rock that luarocks packed from it", function()
      local r = release()
      local tarball = "\n" .. must(("tar -tzf %s/%s.tar.gz"):format(q(r.dir), r.name))
      for _, want in ipairs({ "Makefile", "LICENSE", "CHANGELOG.md", "README.md", "csrc/core.c",
        "lua/gws/sms.lua", "bin/gws-sms", "sim/main.c", "docs/internals.md", VERSIONED }) do
        assert.truthy(tarball:find("\n" .. r.name .. "/" .. want .. "\n", 1, true), want .. " is not in the tarball")
      end
      assert.falsy(tarball:find("%.o\n") or tarball:find("%.so\n") or tarball:find("/build/"), tarball)
      local rock = must(("unzip -Z1 %s/%s-1.src.rock"):format(q(r.dir), r.name))
      assert.same({ r.name .. "-1.rockspec", r.name .. ".tar.gz" }, lines(rock))
    end)

    it("builds and installs from the .src.rock, and the installed rock packs as a binary rock", function()
      local r, tree, out = release(), tmpdir(), tmpdir()
      must(("cd %s && %s --tree=%s build --deps-mode=none %s/%s-1.src.rock"):format(
        q(out), LUAROCKS, q(tree), q(r.dir), r.name))
      local seen = lines(probe({ tree .. "/share/lua/5.4" }, { tree .. "/lib/lua/5.4", DEBIAN_CJSON }, WHERE))
      assert.equal(tree .. "/lib/lua/5.4/gws/core.so", seen[1])
      must(("cd %s && %s --tree=%s pack gws-sms %s-1"):format(q(out), LUAROCKS, q(tree), sms_version))
      local bin = must(("unzip -Z1 %s/gws-sms-%s-1.*.rock"):format(q(out), sms_version))
      assert.truthy(bin:find("lib/gws/core.so", 1, true), bin)
      assert.truthy(bin:find("lua/gws/sms.lua", 1, true), bin)
    end)
  end)

  describe("luarocks make", function()
    it("on Debian (lua-cjson from apt): --deps-mode=none, and the tree it ran in is left as it was", function()
      local src, tree = unpacked(), tmpdir()
      local before = listing(src)
      must(("cd %s && %s --tree=%s make --deps-mode=none %s"):format(q(src), LUAROCKS, q(tree), VERSIONED))
      assert.same({}, changes(before, listing(src)))
      local seen = lines(probe({ tree .. "/share/lua/5.4" }, { tree .. "/lib/lua/5.4", DEBIAN_CJSON }, WHERE))
      assert.same({ tree .. "/lib/lua/5.4/gws/core.so", DEBIAN_CJSON .. "/cjson.so", sms_version,
        "gws.core " .. sms_version, "1" }, seen)
      -- The command the rock installs runs from the tree, with the paths `luarocks path` gives
      -- (as for any tree other than the system's or the user's).
      local ok, usage = sh(("eval \"$(%s --tree=%s path)\" && %s --help"):format(LUAROCKS, q(tree), q(tree .. "/bin/gws-sms")))
      assert.is_true(ok, usage)
      assert.truthy(usage:find("gws-sms", 1, true), usage)
    end)

    it("with plain LuaRocks: refuses while no server offers lua-cjson, installs it from one that does", function()
      local src, tree = unpacked(), tmpdir()
      local before = listing(src)
      -- A server with nothing on it (an empty manifest): lua-cjson is a real dependency.
      local empty = tmpdir()
      must("luarocks-admin --lua-version=5.4 make-manifest " .. q(empty))
      local ok, out = sh(("cd %s && %s --tree=%s --only-server=file://%s make %s"):format(
        q(src), LUAROCKS, q(tree), empty, VERSIONED))
      assert.is_false(ok, out)
      assert.truthy(out:find("Could not satisfy dependency lua-cjson", 1, true), out)

      must(("cd %s && %s --tree=%s --only-server=%s make %s"):format(q(src), LUAROCKS, q(tree), cjson_server(), VERSIONED))
      assert.same({}, changes(before, listing(src)))
      assert.truthy(must(LUAROCKS .. " --tree=" .. q(tree) .. " list --porcelain"):find("lua-cjson\t2.1.0-1", 1, true))
      -- Nothing but the tree: cjson is the one luarocks installed there.
      local seen = lines(probe({ tree .. "/share/lua/5.4" }, { tree .. "/lib/lua/5.4" }, WHERE))
      assert.same({ tree .. "/lib/lua/5.4/gws/core.so", tree .. "/lib/lua/5.4/cjson.so", sms_version,
        "gws.core " .. sms_version, "1" }, seen)
    end)
  end)

  describe("make install PREFIX=", function()
    it("installs a library, gws-sms, gws-sim and the docs that work from there", function()
      local prefix = tmpdir()
      local build = helper.SIM:match("^(.*)/gws%-sim$")
      must(("make --no-print-directory -s BUILD=%s PREFIX=%s install"):format(q(build), q(prefix)))
      for _, doc in ipairs({ "README.md", "CHANGELOG.md", "LICENSE", "docs/internals.md" }) do
        assert.truthy(io.open(prefix .. "/share/doc/gws-sms/" .. doc), doc .. " is not installed")
      end
      local usage = select(2, sh(q(prefix .. "/bin/gws-sim") .. " --help"))
      assert.truthy(usage:find("usage: gws-sim", 1, true), usage)

      -- The installed simulator, and a client of the installed library talking to it.
      local saved = helper.SIM
      helper.SIM = prefix .. "/bin/gws-sim"
      local ok, sim = pcall(helper.start_sim, { flags = { "--quiet" } })
      helper.SIM = saved
      assert(ok, sim)
      finally(function() sim:stop() end)
      local seen = lines(probe({ prefix .. "/share/lua/5.4" }, { prefix .. "/lib/lua/5.4", DEBIAN_CJSON }, WHERE
        .. ([[local c = sms.new{ url = %q, username = "agent1", password = "password", timeout = 5 }
              local res = assert(c:start_session())
              io.write(res.statusCode, "\n")
              c:close()]]):format(sim.url)))
      assert.same({ prefix .. "/lib/lua/5.4/gws/core.so", DEBIAN_CJSON .. "/cjson.so", sms_version,
        "gws.core " .. sms_version, "1", "0" }, seen)

      local cli_ok, cli = sh(("LUA_PATH=%s LUA_CPATH=%s %s --help"):format(
        q(prefix .. "/share/lua/5.4/?.lua;" .. prefix .. "/share/lua/5.4/?/init.lua"),
        q(prefix .. "/lib/lua/5.4/?.so;" .. DEBIAN_CJSON .. "/?.so"), q(prefix .. "/bin/gws-sms")))
      assert.is_true(cli_ok, cli)
    end)
  end)
end)
