#!/usr/bin/env bash
# Writes and health under pressure, on the release build in simulated mode (cache on), against
# 127.0.0.1 only:
#  1. posts alone: 50 clients posting events for 10 s (the baseline);
#  2. posts under read load: wrk on a place page at 200 connections (then 400) while 50 (then
#     100) clients post; every page view also writes its view count, through the same writer;
#  3. photo decodes: 8 clients each post a 36-megapixel photo at once while /healthz is asked
#     every 10 ms; the server's peak resident memory is read from /proc.
#
#   bench/reliability.sh
#
# Prints the posts' p50/p99 per phase with the p99 as a ratio to the 500 ms target and to the
# baseline, the health check's p99 against its 50 ms target, and the peak RSS against 600 MB.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/common.sh
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cargo build --release --quiet
work=$(mktemp -d)
port=$(free_port)
RUST_LOG=warn target/release/cityscape --bind "127.0.0.1:$port" --upstream simulated \
  --database-url "sqlite://$work/bench.db?mode=rwc" --data-dir "$work/data" --post-limit 0 \
  2>"$work/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
wait_until_up "$port"
curl -fs "$base/places/us/97229" >/dev/null   # the place is geocoded and cached once

field() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

alone=$(python3 bench/poster.py "$base" --clients 50 --seconds 10)
alone_p99=$(echo "$alone" | field p99_ms)
printf '\n%-34s %s\n' "posts alone (50 clients):" "$alone"

for load in "200 50" "400 100"; do
  set -- $load
  wrk -t4 -c"$1" -d22s "$base/places/us/97229" >"$work/wrk.txt" 2>&1 &
  wrk_pid=$!
  sleep 1
  under=$(python3 bench/poster.py "$base" --clients "$2" --seconds 20)
  wait "$wrk_pid"
  p99=$(echo "$under" | field p99_ms)
  reads=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  printf '%-34s %s page_req_s=%s\n' "posts under $1 page connections ($2 clients):" "$under" "$reads"
  printf '%-34s p99 / 500 ms target = %s; p99 / baseline p99 = %s\n' "" \
    "$(ratio "$p99" 500)" "$(ratio "$p99" "$alone_p99")"
done

echo 5 > "/proc/$server/clear_refs" 2>/dev/null || true
decodes=$(python3 bench/poster.py "$base" --clients 8 --posts 1 --seconds 600 --photo-side 6000 --probe /healthz)
peak_mib=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")
probe_p99=$(echo "$decodes" | field probe_p99_ms)
printf '%-34s %s peak_rss_mib=%s\n' "8 photos of 36 MP at once:" "$decodes" "$peak_mib"
printf '%-34s healthz p99 / 50 ms target = %s; peak RSS / 600 MB = %s\n' "" \
  "$(ratio "$probe_p99" 50)" "$(ratio "$peak_mib" 600)"
