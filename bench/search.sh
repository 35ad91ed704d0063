#!/usr/bin/env bash
# Finding a place by name: 1,000 distinct queries (names, prefixes, typos, other scripts, names
# with a region; bench/search-queries.py) sent to /api/search by wrk -t2 -c64, against a bare
# axum "hello" (examples/hello.rs) in the same run on the same machine. Three servers, all
# release builds on 127.0.0.1 in simulated mode:
#   - Cityscape with its answers kept (the default): after one pass every query is in memory;
#   - Cityscape with --cache off: every query goes to SQLite (exact, prefix, typo look-ups);
#   - Cityscape with one city only (--cities-file), for what the cities cost in memory.
# Prints req/s as a fraction of hello's, p99 latency (hello's too: wrk shares the two cores),
# and the servers' resident memory at rest and after the load.
#
#   bench/search.sh                 # DURATION=8s by default
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/common.sh
DURATION=${DURATION:-8s}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

# Built apart, so the binary is the one people run (not one with the example's dev features).
cargo build --release --quiet --bin cityscape
cargo build --release --quiet --example hello
work=$(mktemp -d)
python3 bench/search-queries.py 1000 > "$work/queries.txt"
python3 - "$work/queries.txt" "$work/paths.txt" <<'PY'
import sys, urllib.parse
with open(sys.argv[1]) as queries, open(sys.argv[2], "w") as paths:
    for q in queries.read().splitlines():
        paths.write("/api/search?" + urllib.parse.urlencode({"q": q, "limit": 10}) + "\n")
PY
python3 - "$work/one-city.tsv.gz" <<'PY'
import gzip, sys
line = "5746545\tPortland\tUS\tUnited States\tOR\tOregon\t45.52345\t-122.67621\t652503\tAmerica/Los_Angeles\tPDX\n"
with gzip.open(sys.argv[1], "wt") as f:
    f.write(line)
PY

start() { # name port [flags…]: a Cityscape on port with its own database
  local name=$1 port=$2; shift 2
  RUST_LOG=warn target/release/cityscape --bind "127.0.0.1:$port" --upstream simulated \
    --database-url "sqlite://$work/$name.db?mode=rwc" --data-dir "$work/$name-data" "$@" \
    >/dev/null 2>"$work/$name.log" &
  echo $!
}
kept_port=$(free_port); uncached_port=$(free_port); few_port=$(free_port); hello_port=$(free_port)
kept=$(start kept "$kept_port")
uncached=$(start uncached "$uncached_port" --cache off)
few=$(start few "$few_port" --cities-file "$work/one-city.tsv.gz")
target/release/examples/hello "127.0.0.1:$hello_port" &
hello=$!
trap 'kill $kept $uncached $few $hello 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for port in "$kept_port" "$uncached_port" "$few_port"; do wait_until_up "$port"; done
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# Resident memory at rest, once the allocator has given back what the import freed (jemalloc
# returns unused pages after about ten seconds).
sleep 12
kept_idle=$(rss_mib "$kept"); few_idle=$(rss_mib "$few")

load() { # base-url → the JSON line of wrk-paths.lua
  WRK_PATHS="$work/paths.txt" wrk -t2 -c64 -d"$DURATION" -s bench/wrk-paths.lua "$1" | tail -n 1
}

# One pass of every query, one at a time, on the server with nothing kept: each query's own
# time through SQLite, with no queueing.
python3 - "http://127.0.0.1:$uncached_port" "$work/paths.txt" <<'PY'
import sys, time, urllib.request
base, paths = sys.argv[1], open(sys.argv[2]).read().splitlines()
times, found = [], 0
for path in paths:
    start = time.perf_counter()
    with urllib.request.urlopen(base + path) as r:
        body = r.read()
    times.append(time.perf_counter() - start)
    found += b'"id"' in body
times.sort()
pct = lambda p: 1000 * times[min(len(times) - 1, int(p * len(times)))]
print(f"one at a time, nothing kept: {len(paths)} queries, {found} with a city; "
      f"p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms, max {1000 * times[-1]:.2f} ms")
PY

# Warm the kept answers and the one-city server the same way, then load each in turn.
load "http://127.0.0.1:$kept_port" > /dev/null
load "http://127.0.0.1:$few_port" > /dev/null
# And after the search load: SQLite's page caches and the kept answers filled.
sleep 12
kept_rss=$(rss_mib "$kept"); few_rss=$(rss_mib "$few")
hello_json=$(wrk -t2 -c64 -d"$DURATION" -s bench/wrk-report.lua "http://127.0.0.1:$hello_port/" | tail -n 1)
kept_json=$(load "http://127.0.0.1:$kept_port")
uncached_json=$(load "http://127.0.0.1:$uncached_port")
python3 - "$hello_json" "$kept_json" "$uncached_json" "$kept_rss" "$few_rss" "$kept_idle" "$few_idle" <<'PY'
import json, sys
hello, kept, uncached = (json.loads(a) for a in sys.argv[1:4])
kept_rss, few_rss, kept_idle, few_idle = (float(a) for a in sys.argv[4:8])
rps = lambda r: r["requests"] / (r["duration_us"] / 1e6)
errors = lambda r: r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["status_errors"] + r["timeouts"]
h = rps(hello)
print(f"axum hello (baseline)        {h:10.0f} req/s                                   p99 {hello['p99_us'] / 1000:.2f} ms")
for name, r in (("search, answers kept", kept), ("search, every query to SQLite", uncached)):
    p99 = r["p99_us"] / 1000
    print(f"{name:28s} {rps(r):10.0f} req/s  = {rps(r) / h:.3f} × hello (target ≥ 0.3: "
          f"{'met' if rps(r) / h >= 0.3 else 'NOT met'})  p99 {p99:.2f} ms (target ≤ 2: "
          f"{'met' if p99 <= 2 else 'NOT met'})  errors {errors(r)}")
for when, every, one in (("at rest", kept_idle, few_idle), ("after the load", kept_rss, few_rss)):
    grew = every - one
    print(f"resident memory {when}: {every:.1f} MiB with every city, {one:.1f} MiB with one: "
          f"{grew:+.1f} MiB (target ≤ 20: {'met' if grew <= 20 else 'NOT met'})")
PY
