#!/bin/sh
# Builds every libFuzzer harness (fuzz/fuzz_*.c) into build/fuzz/ (or $FUZZ_OUT) and runs each
# for SECONDS over a scratch copy of its committed seeds (fuzz/corpus/<harness>/ is never
# written to).
# Usage: scripts/fuzz.sh SECONDS [HARNESS...]      (default: all harnesses)
# FUZZ_OUT: where binaries, logs and artifacts go (default build/fuzz; another directory lets
# two people fuzz at once); FUZZ_CORPUS: the scratch corpus root (default $FUZZ_OUT/corpus,
# kept between runs so they build on each other); FUZZ_CC: the compiler (default clang).
# Prints, per harness, executions, final corpus size and crashes; exits 1 if any harness
# crashed (sanitizer report, invariant, leak, timeout or out-of-memory), 2 on a build error.
# A crash leaves its input in build/fuzz/artifacts/<harness>/: reproduce with
#   build/fuzz/<harness> build/fuzz/artifacts/<harness>/crash-…   (FUZZ_VERBOSE=1 says more)
# then fix, and commit the input to fuzz/corpus/<harness>/ as a regression seed.
set -eu
cd "$(dirname "$0")/.."

seconds=${1:?usage: scripts/fuzz.sh SECONDS [HARNESS...]}
shift
CC=${FUZZ_CC:-clang}
out=${FUZZ_OUT:-build/fuzz}
FLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -DGWS_VERSION=\"fuzz\""

all=$(for f in fuzz/fuzz_*.c; do basename "$f" .c; done)
harnesses=${*:-$all}

# What each harness is built from (besides what it #includes), the libraries it needs, and
# the dictionary it fuzzes with. The engine and header harnesses are plain C: the engine,
# transfers and header lists know no Lua; only request checking and result tables do.
sources() {
  case "$1" in
    fuzz_headers)     echo "csrc/headers.c csrc/jar.c csrc/sockets.c" ;;
    fuzz_request)     echo "csrc/headers.c csrc/jar.c csrc/request_lua.c csrc/sockets.c csrc/text.c csrc/transfer.c" ;;
    fuzz_response)    echo "csrc/headers.c csrc/jar.c csrc/json.c csrc/json_scan.c csrc/result_lua.c csrc/sockets.c csrc/text.c" ;;
    fuzz_json)        echo csrc/*.c ;;
    fuzz_engine)      echo "csrc/headers.c csrc/jar.c csrc/sockets.c csrc/text.c csrc/transfer.c" ;;
    fuzz_text)        echo "" ;; # includes csrc/text.c itself
    fuzz_sim_request) echo "sim/http_request.c sim/http_log.c" ;;
    fuzz_sim_bayeux)  echo "sim/bayeux.c sim/bayeux_clients.c sim/faults.c sim/badanswer.c sim/http_reply.c sim/http_session.c" ;;
    fuzz_sim_store)   echo sim/store*.c ;;
    *) echo "fuzz.sh: no build recipe for $1" >&2; return 1 ;;
  esac
}
packages() {
  case "$1" in
    fuzz_sim_*)                echo "libmicrohttpd jansson" ;;
    fuzz_engine|fuzz_headers|fuzz_text) echo "libcurl" ;; # fuzz_text: none, but pkg-config wants one
    *)                         echo "lua5.4 libcurl" ;;
  esac
}
dict() {
  case "$1" in
    fuzz_headers|fuzz_request|fuzz_sim_request|fuzz_engine) echo fuzz/http.dict ;;
    *) echo fuzz/json.dict ;;
  esac
}

# Inputs libFuzzer saved for a finding (not slow-unit-*, which are only slow).
findings() {
  find "$1" -mindepth 1 -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | wc -l
}
count_files() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }
nharnesses=$(echo "$harnesses" | wc -w)

mkdir -p "$out"
echo "== fuzz: building $nharnesses harnesses with $CC"
for h in $harnesses; do
  src=$(sources "$h") || exit 2
  bin=$out/$h
  # Rebuilt whenever anything it could include or link changed.
  if [ -x "$bin" ] && [ -z "$(find fuzz csrc sim -newer "$bin" -name '*.[ch]' | head -n 1)" ]; then
    continue
  fi
  # shellcheck disable=SC2046,SC2086
  if ! $CC $FLAGS -pthread $(pkg-config --cflags $(packages "$h")) "fuzz/$h.c" $src \
      -o "$bin" $(pkg-config --libs $(packages "$h")) -lm 2>"$out/$h.build.log"; then
    cat "$out/$h.build.log" >&2
    echo "== fuzz: FAILED to build $h" >&2
    exit 2
  fi
done

failed=0
summary=""
for h in $harnesses; do
  corpus=${FUZZ_CORPUS:-$out/corpus}/$h
  artifacts=$out/artifacts/$h
  log=$out/$h.log
  mkdir -p "$corpus" "$artifacts"
  # The committed seeds join the scratch corpus (which keeps what earlier runs found).
  if [ -d "fuzz/corpus/$h" ]; then
    cp -p "fuzz/corpus/$h"/* "$corpus"/ 2>/dev/null || true
  fi
  before=$(findings "$artifacts")
  echo "== fuzz: $h for ${seconds}s ($(count_files "$corpus") inputs to start from)"
  set +e
  "$out/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$(dict "$h")" -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  size=$(count_files "$corpus")
  crashes=$(( $(findings "$artifacts") - before ))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes=1 # died without writing an input (e.g. in a build-time initialiser)
  fi
  line=$(printf '%-17s executions %9s  corpus %5s  crashes %s' "$h" "${execs:-?}" "$size" "$crashes")
  echo "   $line"
  summary="$summary   $line
"
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "== fuzz: $h FOUND A CRASH (exit $rc); log: $log" >&2
    grep -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" | head -n 20 >&2 || true
  fi
done

printf '== fuzz: summary (%ss each)\n%s' "$seconds" "$summary"
if [ "$failed" -ne 0 ]; then
  echo "== fuzz: FAILED: crashes found (inputs under $out/artifacts/)" >&2
  exit 1
fi
echo "== fuzz: OK: no crash in $nharnesses harnesses"
