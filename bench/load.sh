#!/usr/bin/env bash
# The course's load test, against Cityscape: the release build in simulated mode with the cache
# off, so every request waits on a simulated geocoder and sun service (0.94488 s on average),
# loaded by wrk at 20 and at 1,000 connections. Then the place page, sequentially, to show its
# waits overlap. Only 127.0.0.1 is contacted.
#
#   bench/load.sh                       # 20 and 1000 connections, 15 s each
#   CONNECTIONS="20 1000 10000" bench/load.sh
#
# Prints, per run: requests/s, mean and p99 latency, errors and timeouts, the server's peak RSS,
# CPU seconds per request, and requests/s ÷ (connections ÷ 0.94488 s): the fraction of the
# physical limit reached (a perfect server scores about 0.97 in a 15 s closed loop).
# Each load is also run, in the same run, against a bare axum handler that makes the same two
# waits and answers "Hello, World!" (examples/hello.rs, `/waits`, on axum's own `serve`): its
# line is the framework's floor on this machine, and the last column is Cityscape's CPU per
# request as a multiple of that floor. BASELINE=0 skips it.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/common.sh
CONNECTIONS=${CONNECTIONS:-"20 1000"}
DURATION=${DURATION:-15s}
MEAN_WAIT=0.94488   # mean simulated geocoding wait + mean simulated sun wait, in seconds
PAGE_REQUESTS=${PAGE_REQUESTS:-30}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Thousands of connections arrive at once: let the kernel queue them all rather than drop SYNs
# (a dropped SYN is retried a second later and shows as a lost request). Needs root; the
# server asks for a backlog of 65535 and the kernel caps it at net.core.somaxconn.
max_conns=$(printf '%s\n' $CONNECTIONS | sort -n | tail -1)
if [ "$(cat /proc/sys/net/core/somaxconn)" -lt "$max_conns" ]; then
  if sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535 2>/dev/null; then
    echo "raised net.core.somaxconn and tcp_max_syn_backlog to 65535 for $max_conns connections"
  else
    echo "note: net.core.somaxconn is $(cat /proc/sys/net/core/somaxconn); SYNs beyond it may be dropped"
  fi
fi

# SERVER=path/to/cityscape runs another build (an older commit's, to compare) instead.
BASELINE=${BASELINE:-1}
if [ -z "${SERVER:-}" ]; then
  cargo build --release --quiet
  SERVER=target/release/cityscape
fi
[ "$BASELINE" = 0 ] || cargo build --release --quiet --example hello
work=$(mktemp -d)
port=$(free_port)
RUST_LOG=warn "$SERVER" --bind "127.0.0.1:$port" --upstream simulated --cache off \
  --database-url "sqlite://$work/bench.db?mode=rwc" --data-dir "$work/data" --post-limit 0 \
  2>"$work/server.log" &
server=$!
hello=
if [ "$BASELINE" != 0 ]; then
  hello_port=$(free_port)
  target/release/examples/hello "127.0.0.1:$hello_port" &
  hello=$!
fi
trap 'kill $server $hello 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
wait_until_up "$port"
[ -z "$hello" ] || until curl -fs "http://127.0.0.1:$hello_port/" >/dev/null; do sleep 0.1; done

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One load against one server: prints its line, and leaves its CPU ms/request in $cpu_per_request.
measure() {
  local name=$1 pid=$2 url=$3 c=$4 floor=${5:-} threads before after result
  threads=$(( c < 20 ? c : (c == 20 ? 20 : 4) ))
  # Reset the peak-RSS mark so each run reports its own peak.
  echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true
  before=$(cpu_ticks "$pid")
  result=$(wrk -t"$threads" -c"$c" -d"$DURATION" -s bench/wrk-report.lua "$url" | tail -n 1)
  after=$(cpu_ticks "$pid")
  cpu_per_request=$(python3 - "$name" "$c" "$result" "$((after - before))" "$ticks" \
    "$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")" "$MEAN_WAIT" "$floor" <<'PY'
import json, sys
name, c, r, cpu, ticks, rss, wait, floor = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), sys.argv[8]
rps = r["requests"] / (r["duration_us"] / 1e6)
errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["status_errors"]
per_request = 1000 * cpu / ticks / max(r["requests"], 1)
of_floor = f'{per_request / float(floor):9.2f}' if floor else f'{"":9s}'
print(f'{name:<10s} {c:<6d} {rps:9.1f} {rps / (c / wait):8.3f} {r["mean_us"]/1000:10.1f} {r["p99_us"]/1000:10.1f} '
      f'{errors:7d} {r["timeouts"]:9d} {rss/1024:10.1f} {per_request:11.3f} {of_floor}', file=sys.stderr)
print(f'{per_request:.6f}')
PY
  )
}

printf '\n%-10s %-6s %9s %8s %10s %10s %7s %9s %10s %11s %9s\n' \
  server conns "req/s" ratio "mean ms" "p99 ms" errors timeouts "peak MiB" "CPU ms/req" "× floor"
for c in $CONNECTIONS; do
  floor=
  if [ -n "$hello" ]; then
    measure "bare axum" "$hello" "http://127.0.0.1:$hello_port/waits" "$c"
    floor=$cpu_per_request
  fi
  measure cityscape "$server" "http://127.0.0.1:$port/api/sun/97229/us" "$c" "$floor"
done

# The place page with the cache off: a geocoding wait, then weather, sun and SQLite together.
echo
echo "Place page, cache off, $PAGE_REQUESTS requests one after another:"
python3 - "http://127.0.0.1:$port/places/us/97229" "$PAGE_REQUESTS" <<'PY'
import sys, time, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
total = sums = critical = 0.0
for _ in range(n):
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        response.read()
        timing = response.headers["Server-Timing"]
    total += time.perf_counter() - start
    waits = {e.split(";dur=")[0]: float(e.split(";dur=")[1]) / 1000 for e in timing.split(", ")}
    sums += sum(waits.values())
    critical += waits["geocode"] + max(waits["weather"], waits["sun"], waits["db"])
print(f"  mean latency               {1000 * total / n:8.1f} ms")
print(f"  mean sum of its waits      {1000 * sums / n:8.1f} ms  (what waiting one after another would take)")
print(f"  mean geocode + longest     {1000 * critical / n:8.1f} ms  (the floor when the rest overlap)")
print(f"  latency / sum of waits     {total / sums:8.3f}")
print(f"  latency / overlapped floor {total / critical:8.3f}")
PY
