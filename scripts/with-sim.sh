#!/bin/sh
# Runs a command against a fresh simulator on a free loopback port, then stops the simulator.
# The command sees GWS_URL (e.g. http://127.0.0.1:40123). Extra simulator flags: GWS_SIM_FLAGS.
# Exit status: the command's.
set -eu
sim=${GWS_SIM:-./build/gws-sim}
out=$(mktemp)
# shellcheck disable=SC2086
"$sim" --port 0 ${GWS_SIM_FLAGS:-} >"$out" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT INT TERM
i=0
until grep -q '^listening on ' "$out"; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
    echo "with-sim.sh: the simulator did not start" >&2; exit 1
  fi
  sleep 0.05
done
GWS_URL=$(sed -n 's/^listening on //p' "$out" | head -n 1)
export GWS_URL
"$@"
