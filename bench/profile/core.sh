#!/bin/sh
# The C core's share of the issue 14 profile, quick enough to run before and after each change
# to csrc/ (about 2 minutes): instructions per send_message and per delivered NewMessages
# event (bare gws.bayeux and the full client), and system calls per send. The same method as
# run.sh (two runs, small and large N, subtracted), without the peers and the Lua VM profile.
#
#   make BUILD=build/NAME all && BUILD=build/NAME bench/profile/core.sh [OUT_DIR [LUA_DIR]]
#
# LUA_DIR (default ./lua) is the Lua tree to load: a snapshot of it (e.g. `git archive HEAD lua`
# unpacked elsewhere) keeps other engineers' edits to lua/ out of a before/after comparison.
# Prints one summary line per figure; the full tables are in OUT_DIR/*.txt.
set -e
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${1:-bench/out/profile-core}
LUA_DIR=${2:-./lua}
mkdir -p "$OUT"
export LUA_PATH="$LUA_DIR/?.lua;$LUA_DIR/?/init.lua;./spec/?.lua;;"
export LUA_CPATH="./$BUILD/?.so;;"
export GWS_SIM="./$BUILD/gws-sim"
LUA_SYMS=$BUILD/bench/lua_syms
mkdir -p "$BUILD/bench"
gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror $(pkg-config --cflags lua5.4) \
  bench/profile/lua_syms.c -o "$LUA_SYMS" \
  -Wl,-E -Wl,--whole-archive -l:liblua5.4.a -Wl,--no-whole-archive -lm -ldl

TEXT="Hello, this is the bot speaking."

# A simulator with a chatting session for agent1 (sender) and one each for f1..f4 (receivers:
# an agent per receiving run, so no run's first resync adopts another's flooded session).
rm -f "$OUT/sim.env"
lua5.4 bench/profile/keep_sim.lua "$OUT/sim.env" 900 agent1:1 f1:1 f2:1 f3:1 f4:1 &
KEEPER=$!
trap 'rm -f "$OUT/sim.env"; wait $KEEPER' EXIT
while [ ! -s "$OUT/sim.env" ]; do sleep 0.2; done
set -- $(cat "$OUT/sim.env")
URL=$1 A1=$2 F1=$3 F2=$4 F3=$5 F4=$6

cg() { out=$1; shift; valgrind --tool=callgrind --callgrind-out-file="$OUT/$out" "$@" >/dev/null 2>&1; }

for n in 500 3500; do
  cg send_$n.out "$LUA_SYMS" bench/send_loop.lua "$URL" agent1 password "$A1" $n "$TEXT"
done
lua5.4 bench/profile/cgdiff.lua "$OUT/send_500.out" 500 "$OUT/send_3500.out" 3500 40 > "$OUT/send.txt"

cg bare_2000.out "$LUA_SYMS" bench/notify_bayeux.lua "$URL" f1 password "$F1" 2000
cg bare_12000.out "$LUA_SYMS" bench/notify_bayeux.lua "$URL" f2 password "$F2" 12000
lua5.4 bench/profile/cgdiff.lua "$OUT/bare_2000.out" 2000 "$OUT/bare_12000.out" 12000 40 > "$OUT/bare.txt"
cg full_2000.out "$LUA_SYMS" bench/notify.lua "$URL" f3 password "$F3" 2000
cg full_12000.out "$LUA_SYMS" bench/notify.lua "$URL" f4 password "$F4" 12000
lua5.4 bench/profile/cgdiff.lua "$OUT/full_2000.out" 2000 "$OUT/full_12000.out" 12000 40 > "$OUT/full.txt"

for n in 500 2500; do
  strace -f -c -o "$OUT/st_$n.txt" lua5.4 bench/send_loop.lua "$URL" agent1 password "$A1" $n "$TEXT" >/dev/null
done
lua5.4 bench/profile/stdiff.lua "$OUT/st_500.txt" "$OUT/st_2500.txt" 2000 > "$OUT/syscalls.txt"

for f in send bare full; do printf '%-5s %s\n' "$f" "$(head -n 1 "$OUT/$f.txt")"; done
printf 'sys   %s\n' "$(cat "$OUT/syscalls.txt")"
