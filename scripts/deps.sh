#!/bin/sh
# Installs the Debian packages a make target needs, and only the missing ones.
# Usage: scripts/deps.sh [build|bench|check|browser|interop]...   (default: build)
# "build" covers make, make test and make demo; it is the whole list a fresh Debian 12 machine
# needs for them (checked by ../shared/tools/fresh-machine.sh). The specs need no LuaSocket:
# LuaSocket is a peer the benchmarks measure against, so it is in "bench" only. tinyproxy is
# the real forward proxy spec/e2e/proxy_spec.lua sends a conversation through; LDoc (which runs
# on Lua 5.1) and discount (its Markdown, tables included) make the reference (make docs, make install, docs_spec).
set -e
build="make gcc pkg-config lua5.4 liblua5.4-dev libcurl4-openssl-dev lua-cjson libmicrohttpd-dev
 libjansson-dev lua-busted lua-check luarocks lua-luv lua-cqueues openssl ca-certificates tinyproxy
 lua-ldoc lua-discount lua5.1"
bench="wrk valgrind linux-perf lua-socket"
check="clang libfuzzer-14-dev libclang-rt-14-dev valgrind"
# The console's browser test (make check): headless chromium driven from Node, no npm package.
browser="chromium nodejs"
# The official CometD client against gws-sim (spec/interop/; make interop, make check): Node,
# and the npm packages pinned by spec/cometd/package-lock.json (npm ci, from the npm registry).
# Debian 12's nodejs is 18.20: the proxy-agent packages cometd-nodejs-client imports say
# "node >= 20" (npm ci warns, EBADENGINE, below --loglevel=error) yet run on it, and the
# interop passes there (checked in a fresh Debian 12 root); spec/cometd/interop.mjs and B4's
# bench/cometd_notify.mjs keep to what Node 18 has (no fetch Headers.getSetCookie()).
interop="nodejs"
npm_dir=""

want=""
for set in ${*:-build}; do
  case "$set" in
    build) want="$want $build" ;;
    # B4's peer is the official CometD client: the interop set's Node and npm packages.
    bench) want="$want $build $bench $interop"; npm_dir="spec/cometd" ;;
    check) want="$want $build $check" ;;
    browser) want="$want $build $browser" ;;
    interop) want="$want $build $interop"; npm_dir="spec/cometd" ;;
    *) echo "deps.sh: unknown set '$set' (build, bench, check, browser or interop)" >&2; exit 2 ;;
  esac
done

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Debian's nodejs comes without npm (NodeSource's includes it).
[ -n "$npm_dir" ] && ! command -v npm >/dev/null 2>&1 && missing="$missing npm"

if [ -n "$missing" ]; then
  echo "deps.sh: installing Debian packages:$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# npm ci only when the installed tree is missing or older than the lockfile.
if [ -n "$npm_dir" ]; then
  cd "$(dirname "$0")/.."
  if [ ! -f "$npm_dir/node_modules/.package-lock.json" ] ||
     [ "$npm_dir/package-lock.json" -nt "$npm_dir/node_modules/.package-lock.json" ]; then
    echo "deps.sh: npm ci in $npm_dir"
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
