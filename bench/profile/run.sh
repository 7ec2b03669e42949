#!/bin/sh
# The per-operation profiles of bench/README.md ("Where the instructions go"), reproducible:
# callgrind instructions by C function (through a lua5.4 with symbols, lua_syms.c), Lua VM
# instructions and bytes allocated by Lua function and line (vmprof.lua), system calls per
# operation (strace -c). Each is the difference of two runs (small and large N) divided by
# the difference of N, so start-up and set-up cancel out.
#
#   make BUILD=build/NAME all && BUILD=build/NAME bench/profile/run.sh [OUT_DIR]
#
# Needs valgrind and strace (scripts/deps.sh bench), build/NAME/bench/raw_curl and c_floor
# (make BUILD=build/NAME bench builds them). Takes about 6 minutes; not part of `make bench`.
# Every receiving client is an agent of its own (f1..f10, one session each): a client's first
# resync adopts its agent's sessions, recently ended ones too, and an earlier run's flooded
# session would be charged to the larger run.
set -e
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${1:-bench/out/profile}
mkdir -p "$OUT"
export LUA_PATH='./lua/?.lua;./lua/?/init.lua;./spec/?.lua;;'
export LUA_CPATH="./$BUILD/?.so;;"
export GWS_SIM="./$BUILD/gws-sim"
LUA_SYMS=$BUILD/bench/lua_syms
gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror $(pkg-config --cflags lua5.4) \
  bench/profile/lua_syms.c -o "$LUA_SYMS" \
  -Wl,-E -Wl,--whole-archive -l:liblua5.4.a -Wl,--no-whole-archive -lm -ldl

TEXT="Hello, this is the bot speaking."
BODY='{"operationName":"SendMessage","text":"Hello, this is the bot speaking."}'

# A simulator with chatting sessions for agent1 (senders) and f1..f10 (receivers), kept by a
# Lua process until $OUT/sim.env is removed.
rm -f "$OUT/sim.env"
lua5.4 bench/profile/keep_sim.lua "$OUT/sim.env" 1800 agent1:12 \
  f1:1 f2:1 f3:1 f4:1 f5:1 f6:1 f7:1 f8:1 f9:1 f10:1 &
KEEPER=$!
trap 'rm -f "$OUT/sim.env"; wait $KEEPER' EXIT
while [ ! -s "$OUT/sim.env" ]; do sleep 0.2; done
set -- $(cat "$OUT/sim.env")
URL=$1; shift
A1=$1 A2=$2 A3=$3; shift 12
F1=$1 F2=$2 F3=$3 F4=$4 F5=$5 F6=$6 F7=$7 F8=$8 F9=$9 F10=${10}

cg() { out=$1; shift; valgrind --tool=callgrind --callgrind-out-file="$OUT/$out" "$@" >/dev/null 2>&1; }

echo "profile: send_message (callgrind, 500 and 3500 calls; raw libcurl the same)" >&2
for n in 500 3500; do
  cg send_$n.out "$LUA_SYMS" bench/send_loop.lua "$URL" agent1 password "$A1" $n "$TEXT"
  cg raw_$n.out "$BUILD/bench/raw_curl" "$URL" agent1 password "$A1" $n "$BODY"
done
lua5.4 bench/profile/cgdiff.lua "$OUT/send_500.out" 500 "$OUT/send_3500.out" 3500 40 \
  "$OUT/raw_500.out" 500 "$OUT/raw_3500.out" 3500 > "$OUT/send_callgrind.txt"
echo "profile: LuaSocket on one kept-alive connection (B2's peer; callgrind, 500 and 3500 calls)" >&2
for n in 500 3500; do
  cg kept_$n.out "$LUA_SYMS" bench/luasocket_loop.lua "$URL" agent1 password "$A1" $n kept
done
lua5.4 bench/profile/cgdiff.lua "$OUT/send_500.out" 500 "$OUT/send_3500.out" 3500 40 \
  "$OUT/kept_500.out" 500 "$OUT/kept_3500.out" 3500 > "$OUT/send_vs_luasocket_callgrind.txt"
lua5.4 bench/profile/cgdiff.lua "$OUT/kept_500.out" 500 "$OUT/kept_3500.out" 3500 30 > "$OUT/luasocket_callgrind.txt"

echo "profile: send_message (Lua VM, 200 and 1200 calls)" >&2
for n in 200 1200; do
  lua5.4 bench/profile/vmprof.lua "$OUT/vm_send_$n.lua" bench/send_loop.lua "$URL" agent1 password "$A2" $n "$TEXT" >/dev/null
done
lua5.4 bench/profile/vmprof_diff.lua "$OUT/vm_send_200.lua" 200 "$OUT/vm_send_1200.lua" 1200 30 > "$OUT/send_vm.txt"

echo "profile: system calls per send (strace -c, 500 and 2500 calls)" >&2
for n in 500 2500; do
  strace -f -c -o "$OUT/st_client_$n.txt" lua5.4 bench/send_loop.lua "$URL" agent1 password "$A3" $n "$TEXT" >/dev/null
  strace -f -c -o "$OUT/st_raw_$n.txt" "$BUILD/bench/raw_curl" "$URL" agent1 password "$A3" $n "$BODY" >/dev/null
  strace -f -c -o "$OUT/st_kept_$n.txt" lua5.4 bench/luasocket_loop.lua "$URL" agent1 password "$A3" $n kept >/dev/null
done
for w in client raw kept; do
  printf '%s: ' $w
  lua5.4 bench/profile/stdiff.lua "$OUT/st_${w}_500.txt" "$OUT/st_${w}_2500.txt" 2000
done > "$OUT/send_syscalls.txt"

echo "profile: NewMessages notifications (callgrind, 2000 and 12000 events)" >&2
cg full_2000.out "$LUA_SYMS" bench/notify.lua "$URL" f1 password "$F1" 2000
cg full_12000.out "$LUA_SYMS" bench/notify.lua "$URL" f2 password "$F2" 12000
cg bare_2000.out "$LUA_SYMS" bench/notify_bayeux.lua "$URL" f3 password "$F3" 2000
cg bare_12000.out "$LUA_SYMS" bench/notify_bayeux.lua "$URL" f4 password "$F4" 12000
cg c_2000.out "$BUILD/bench/c_floor" "$URL" f5 password "$F5" 2000
cg c_12000.out "$BUILD/bench/c_floor" "$URL" f6 password "$F6" 12000
lua5.4 bench/profile/cgdiff.lua "$OUT/full_2000.out" 2000 "$OUT/full_12000.out" 12000 50 \
  "$OUT/bare_2000.out" 2000 "$OUT/bare_12000.out" 12000 > "$OUT/notify_full_callgrind.txt"
lua5.4 bench/profile/cgdiff.lua "$OUT/bare_2000.out" 2000 "$OUT/bare_12000.out" 12000 40 \
  "$OUT/c_2000.out" 2000 "$OUT/c_12000.out" 12000 > "$OUT/notify_bare_callgrind.txt"

echo "profile: NewMessages notifications (Lua VM, 1000 and 6000 events)" >&2
lua5.4 bench/profile/vmprof.lua "$OUT/vm_full_1000.lua" bench/notify.lua "$URL" f7 password "$F7" 1000 >/dev/null
lua5.4 bench/profile/vmprof.lua "$OUT/vm_full_6000.lua" bench/notify.lua "$URL" f8 password "$F8" 6000 >/dev/null
lua5.4 bench/profile/vmprof_diff.lua "$OUT/vm_full_1000.lua" 1000 "$OUT/vm_full_6000.lua" 6000 30 > "$OUT/notify_full_vm.txt"
lua5.4 bench/profile/vmprof.lua "$OUT/vm_bare_1000.lua" bench/notify_bayeux.lua "$URL" f9 password "$F9" 1000 >/dev/null
lua5.4 bench/profile/vmprof.lua "$OUT/vm_bare_6000.lua" bench/notify_bayeux.lua "$URL" f10 password "$F10" 6000 >/dev/null
lua5.4 bench/profile/vmprof_diff.lua "$OUT/vm_bare_1000.lua" 1000 "$OUT/vm_bare_6000.lua" 6000 20 > "$OUT/notify_bare_vm.txt"
echo "profile: done; tables in $OUT/*.txt" >&2
