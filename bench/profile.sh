#!/usr/bin/env bash
# Where a path's time goes: the release build in simulated mode, loaded by wrk -t2 -c64 for 9 s
# on 127.0.0.1, sampled by perf (999 Hz, DWARF call graphs) for 4 s in the middle. Prints the
# functions with the most samples of their own, and with the most beneath them.
#
#   bench/profile.sh /places/us/97229
#   bench/profile.sh /static/style.css "Accept-Encoding: br"
#
# perf is installed with apt-get (linux-perf) when missing; the recording stays in
# target/profile.data for `perf report -i target/profile.data`.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/common.sh
path=${1:-/places/us/97229}
header=${2:-}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if ! command -v perf >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null
fi
ulimit -n "$(ulimit -Hn)"

cargo build --release --quiet --bin cityscape
work=$(mktemp -d)
port=$(free_port)
RUST_LOG=warn target/release/cityscape --bind "127.0.0.1:$port" --upstream simulated \
  --database-url "sqlite://$work/bench.db?mode=rwc" --data-dir "$work/data" --post-limit 0 \
  2>"$work/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
wait_until_up "$port"
# Everything the path waits on is looked up once; the profile is of the cached path.
curl -fs "http://127.0.0.1:$port$path" >/dev/null

if [ -n "$header" ]; then
  wrk -t2 -c64 -d9s -H "$header" "http://127.0.0.1:$port$path" > "$work/wrk.txt" &
else
  wrk -t2 -c64 -d9s "http://127.0.0.1:$port$path" > "$work/wrk.txt" &
fi
load=$!
sleep 2
perf record -F 999 -g --call-graph dwarf,16384 -p "$server" -o target/profile.data -- sleep 4 \
  >/dev/null 2>&1
wait "$load"
grep 'Requests/sec' "$work/wrk.txt"

echo; echo "== most samples of their own"
perf report -i target/profile.data --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
  | grep '%' | head -25 | cut -c1-150
echo; echo "== most samples beneath them (Cityscape's own frames and the layers)"
perf report -i target/profile.data --children --sort symbol --stdio -g none 2>/dev/null \
  | grep '%' | grep -v 'inlined\|catch_unwind\|call_once\|do_call' \
  | grep -i 'cityscape::\|askama\|csrf\|tower_http\|sqlx\|moka\|blocking' | head -30 | cut -c1-150
