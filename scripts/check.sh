#!/bin/sh
# Hardening checks, run by `make check` (after `make all`; scripts/deps.sh check installs the
# tools). Five stages; each prints "== <stage>: …" progress and a final summary line, and a
# finding in any of them makes the script exit 1 (after the other stages have run):
#
#   sanitizers  gws.core and gws-sim built with -fsanitize=address,undefined into $BUILD/asan,
#               then the whole busted suite on them: zero ASan/UBSan/LSan reports allowed,
#               from the Lua process and from every simulator the specs spawn.
#   valgrind    memcheck over scripts/soak.lua (10 000 operations with forced reconnects):
#               no error, nothing definitely or indirectly lost, and no byte still held by
#               anything allocated in csrc/; then gws-sim itself under memcheck for a shorter
#               soak: no error, and nothing allocated in sim/ left at exit.
#   fuzz        scripts/fuzz.sh smoke run: every harness over its committed seeds, fuzzing
#               for CHECK_FUZZ_SECONDS (default 15) per harness, one after the other (the
#               stage lasts that times the number of fuzz/fuzz_*.c), from a fresh scratch corpus.
#
#   browser     the simulator's customer console in headless chromium with the echo bot
#               answering (spec/browser/console_test.mjs); screenshot in $BUILD/console.png.
#   interop     the official CometD JavaScript client (npm cometd + cometd-nodejs-client, as
#               pinned by spec/cometd/package-lock.json) against gws-sim: `make interop`.
#
# Usage: scripts/check.sh [sanitizers|valgrind|fuzz|browser|interop]...   (default: all five)
# Environment: BUILD, the regular build directory (default build; `make BUILD=build/me check`
# passes its own, so two people's checks never share a directory: the sanitizer build goes to
# $BUILD/asan, valgrind's logs to $BUILD/valgrind, the fuzzers to $BUILD/fuzz, or ASAN_BUILD,
# FUZZ_OUT); SOAK_OPS (10000), SIM_SOAK_OPS (3000), CHECK_FUZZ_SECONDS (15, per harness).
set -eu
cd "$(dirname "$0")/.."

export LUA_PATH='./lua/?.lua;./lua/?/init.lua;./spec/?.lua;;'
build=${BUILD:-build}
now() { date +%s; }
# Entries of a directory (file names here are ours: hashes, pids).
count_files() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }

# ------------------------------------------------------------------------------------------
stage_sanitizers() {
  asan=${ASAN_BUILD:-$build/asan}
  san='-fsanitize=address,undefined -fno-omit-frame-pointer'
  reports=$PWD/$asan/reports
  echo "== sanitizers: building gws.core and gws-sim with $san into $asan/"
  # Objects built with other flags would be reused by make as up to date: start over then.
  if [ "$(cat "$asan/.san" 2>/dev/null || true)" != "$san" ]; then
    rm -rf "$asan"
  fi
  mkdir -p "$asan"
  ${MAKE:-make} --no-print-directory -s -j"$(nproc)" BUILD="$asan" SAN="$san" all
  echo "$san" >"$asan/.san"

  libasan=$(gcc -print-file-name=libasan.so)
  libubsan=$(gcc -print-file-name=libubsan.so)
  if [ ! -f "$libasan" ] || [ ! -f "$libubsan" ]; then
    echo "sanitizers: gcc has no libasan.so/libubsan.so" >&2
    return 1
  fi
  # lua5.4 is not instrumented, so the runtime is preloaded; every process the specs spawn
  # (sh, the busted launcher, openssl, luarocks and the compiler in rock_spec, the simulators)
  # inherits it. Leak detection is off by default because those tools (gcc's cc1 above all)
  # leak on purpose at exit and LSan would change their exit status; it is switched back on,
  # through per-binary option files (%b = the program's name), for lua5.4 (the suite itself,
  # which closes its state at exit) and for gws-sim. Reports go to files, not to stderr, so
  # a simulator's (whose stderr is a temp file the helper deletes) cannot be lost.
  rm -rf "$reports"
  mkdir -p "$reports"
  printf 'detect_leaks=1\n' >"$asan/asan-lua5.4.opts"
  printf 'detect_leaks=1\n' >"$asan/asan-gws-sim.opts"
  # log_exe_name: a report's file says which program wrote it (asan.<program>.<pid>).
  # intercept_tls_get_addr=0: gcc 12's runtime (like every one up to gcc 13 / LLVM 16) takes
  # a dynamic TLS block at offset 16 of a page for one with a pre-2.25 glibc header and reads
  # the two words before it as its address and size; lua5.4 makes such blocks when it dlopens
  # gws.core (libcurl, OpenSSL), and when malloc happens to place one there, LeakSanitizer's
  # tracer dies at exit ("Tracer caught signal 11", CI run of 824c776, 1 process in the
  # suite). Leak checking loses nothing: those blocks are heap chunks reachable from the
  # thread's DTV, which is scanned with the static TLS.
  ASAN_OPTIONS="halt_on_error=1:detect_leaks=0:intercept_tls_get_addr=0:log_path=$reports/asan:log_exe_name=1:include_if_exists=$PWD/$asan/asan-%b.opts"
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
  export ASAN_OPTIONS UBSAN_OPTIONS

  # gcc's libubsan ignores log_path next to libasan; the shim fixes that (see its source).
  gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$asan/ubsan_log_path.so" \
    scripts/ubsan_log_path.c -ldl
  preload="$libasan $libubsan $PWD/$asan/ubsan_log_path.so"

  # Canary: the same settings must catch each kind of report from a spawned program named
  # like the simulator, or "zero reports" below would mean nothing.
  echo "== sanitizers: canary (a report of each kind must reach $asan/reports/)"
  mkdir -p "$asan/canary"
  # shellcheck disable=SC2086 # $san is a list of flags
  gcc $san -g -o "$asan/canary/gws-sim" scripts/sanitizer_canary.c
  for kind in asan ubsan leak; do
    LD_PRELOAD="$preload" sh -c "'$asan/canary/gws-sim' $kind" >/dev/null 2>&1 || true
    case $kind in ubsan) prefix=ubsan ;; *) prefix=asan ;; esac
    if [ -z "$(find "$reports" -name "$prefix.*")" ]; then
      echo "sanitizers: canary '$kind' produced no report: the checks below would be blind" >&2
      return 1
    fi
    rm -f "$reports"/*
  done

  echo "== sanitizers: busted suite on $asan (GWS_SIM=./$asan/gws-sim)"
  start=$(now)
  log=$asan/busted.log
  set +e
  LD_PRELOAD="$preload" LUA_CPATH="./$asan/?.so;;" GWS_SIM="./$asan/gws-sim" \
    busted --lua=lua5.4 --cpath="./$asan/?.so" spec >"$log" 2>&1
  rc=$?
  set -e
  unset ASAN_OPTIONS UBSAN_OPTIONS
  result=$(tail -n 1 "$log")
  count=$(count_files "$reports")
  echo "   busted: $result (exit $rc, $(( $(now) - start ))s; full output: $log)"
  if [ "$count" -ne 0 ]; then
    for f in "$reports"/*; do
      echo "---- $f" >&2
      head -n 40 "$f" >&2
    done
  fi
  if [ "$rc" -ne 0 ]; then
    grep -E '^\[ +(FAILED|ERROR) +\]' "$log" | head -n 20 >&2 || true
  fi
  echo "== sanitizers: $count sanitizer reports; suite: $result"
  [ "$rc" -eq 0 ] && [ "$count" -eq 0 ]
}

# ------------------------------------------------------------------------------------------
# Bytes of every loss record (any kind, still reachable included) whose stack has a frame in
# a source file under $2 (full paths, thanks to --fullpath-after=). $1: a valgrind log.
bytes_from() {
  awk -v dir="$2" '
    /are (definitely|indirectly|possibly|still) .*lost|are still reachable/ {
      flush(); n = $2; gsub(",", "", n); inrec = 1; hit = 0; next }
    inrec && index($0, dir) { hit = 1 }
    inrec && /^==[0-9]+== *$/ { flush() }
    function flush() { if (inrec && hit) total += n; inrec = 0; hit = 0 }
    END { flush(); print total + 0 }' "$1"
}

VALGRIND="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=all
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --keep-debuginfo=yes
  --fullpath-after= --num-callers=40"

stage_valgrind() {
  out=$build/valgrind
  rm -rf "$out"
  mkdir -p "$out"
  ops=${SOAK_OPS:-10000}
  sim_ops=${SIM_SOAK_OPS:-3000}
  fails=0

  # The client: lua5.4 runs the soak on the regular build (-O2 -g); the simulator it starts
  # is not traced. --keep-debuginfo: lua_close unloads gws.core before the leak check.
  echo "== valgrind: client soak, $ops operations with reconnects (log: $out/client.log)"
  start=$(now)
  set +e
  # shellcheck disable=SC2086
  SOAK_QUIET=1 LUA_CPATH="./$build/?.so;;" GWS_SIM="./$build/gws-sim" \
    $VALGRIND --log-file="$out/client.log" lua5.4 scripts/soak.lua "$ops"
  rc=$?
  set -e
  summary=$(grep -E 'definitely lost:|indirectly lost:|ERROR SUMMARY:' "$out/client.log" |
            sed 's/^==[0-9]*== *//' | tr -s ' ' | paste -sd ';' -)
  core=$(bytes_from "$out/client.log" /csrc/)
  echo "   client: exit $rc, $(( $(now) - start ))s; ${summary:-no leak summary}"
  echo "   client: bytes still allocated at exit by code in csrc/: $core"
  if [ "$rc" -ne 0 ] || [ "$core" -ne 0 ] || [ -z "$summary" ]; then
    fails=1
    echo "valgrind: client soak failed (exit $rc); see $out/client.log" >&2
  fi

  # The simulator under memcheck, driven by an untraced client, stopped with SIGTERM.
  echo "== valgrind: gws-sim under memcheck, $sim_ops-operation soak (log: $out/sim.log)"
  start=$(now)
  # shellcheck disable=SC2086
  $VALGRIND --log-file="$out/sim.log" "./$build/gws-sim" --port 0 --poll-timeout 1000 \
    >"$out/sim.out" 2>"$out/sim.err" &
  pid=$!
  i=0
  until grep -q '^listening on ' "$out/sim.out"; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
      echo "valgrind: gws-sim did not start under valgrind" >&2
      kill -TERM $pid 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
  url=$(sed -n 's/^listening on //p' "$out/sim.out" | head -n 1)
  set +e
  SOAK_QUIET=1 GWS_URL=$url LUA_CPATH="./$build/?.so;;" lua5.4 scripts/soak.lua "$sim_ops"
  soak_rc=$?
  kill -TERM $pid
  wait $pid
  rc=$?
  set -e
  summary=$(grep -E 'in use at exit:|definitely lost:|indirectly lost:|ERROR SUMMARY:|All heap blocks' \
            "$out/sim.log" | sed 's/^==[0-9]*== *//' | tr -s ' ' | paste -sd ';' -)
  sim_bytes=$(bytes_from "$out/sim.log" /sim/)
  echo "   gws-sim: soak exit $soak_rc, valgrind exit $rc, $(( $(now) - start ))s; $summary"
  echo "   gws-sim: bytes still allocated at exit by code in sim/: $sim_bytes"
  if [ "$soak_rc" -ne 0 ] || [ "$rc" -ne 0 ] || [ "$sim_bytes" -ne 0 ]; then
    fails=1
    echo "valgrind: gws-sim check failed; see $out/sim.log" >&2
  fi
  echo "== valgrind: gws.core $core bytes held at exit (client), gws-sim $sim_bytes bytes held at exit; $([ $fails -eq 0 ] && echo clean || echo FINDINGS)"
  [ "$fails" -eq 0 ]
}

# ------------------------------------------------------------------------------------------
stage_fuzz() {
  # A fresh scratch corpus: the smoke run starts from the committed seeds only, every time.
  FUZZ_OUT=${FUZZ_OUT:-$build/fuzz}
  export FUZZ_OUT
  rm -rf "$FUZZ_OUT/smoke-corpus"
  FUZZ_CORPUS=$FUZZ_OUT/smoke-corpus scripts/fuzz.sh "${CHECK_FUZZ_SECONDS:-15}"
}

# ------------------------------------------------------------------------------------------
stage_browser() {
  echo "== browser: customer console in headless chromium, echo bot answering (spec/browser/console_test.mjs)"
  node spec/browser/console_test.mjs --build "$build"
}

# ------------------------------------------------------------------------------------------
stage_interop() {
  echo "== interop: the official CometD JavaScript client against gws-sim (spec/interop/, make interop)"
  log=$build/interop.log
  set +e
  ${MAKE:-make} --no-print-directory -s BUILD="$build" interop >"$log" 2>&1
  rc=$?
  set -e
  result=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  [ "$rc" -eq 0 ] || tail -n 40 "$log" >&2
  echo "== interop: ${result:-no busted result} (exit $rc; full output: $log)"
  [ "$rc" -eq 0 ]
}

# ------------------------------------------------------------------------------------------
if [ $# -eq 1 ] && [ "$1" = --stage ]; then
  echo "check.sh: --stage needs a name" >&2
  exit 2
fi
if [ $# -eq 2 ] && [ "$1" = --stage ]; then
  "stage_$2"
  exit $?
fi

stages=${*:-sanitizers valgrind fuzz browser interop}
${MAKE:-make} --no-print-directory -s BUILD="$build" all
failed=""
report=""
total_start=$(now)
for s in $stages; do
  case $s in sanitizers|valgrind|fuzz|browser|interop) ;; *) echo "check.sh: unknown stage '$s'" >&2; exit 2 ;; esac
  start=$(now)
  # Each stage in its own process, so `set -e` holds inside it and one failure does not
  # hide the results of the next stage.
  if "$PWD/scripts/check.sh" --stage "$s"; then status=ok; else status=FAILED; failed="$failed $s"; fi
  report="$report$(printf '   %-11s %-6s %4ss' "$s" "$status" "$(( $(now) - start ))")
"
done
printf '== check: summary (%ss in all)\n%s' "$(( $(now) - total_start ))" "$report"
if [ -n "$failed" ]; then
  echo "== check: FAILED:$failed" >&2
  exit 1
fi
echo "== check: OK"
