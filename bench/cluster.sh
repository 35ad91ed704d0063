#!/usr/bin/env bash
# Proofs of the cluster (deploy/): three instances on one PostgreSQL database (a throwaway
# cluster, deploy/postgres-lib.sh) behind nginx, simulated; CLUSTER_DATABASE=sqlite runs them
# on one SQLite file instead.
#   1. posts: 500 posts from 50 clients through nginx; one instance is killed (SIGKILL) while
#      they run. Every post answered 303 must be stored exactly once; the killed instance is
#      started again and must serve again through nginx.
#   2. page views: 10,000 views through nginx, spread over the three; once the flush interval
#      has passed the stored count must have grown by exactly 10,000.
#   3. the post rate limit is nginx's: with its default (30 a minute, bursts of 10) 40 posts
#      from one address at once get 429s beyond the burst.
#
#   4. the course's load through nginx: /api/sun with the caches off (every request waits on the
#      simulated geocoder and sun service, 0.94488 s on average), at 1,000 connections (and
#      10,000 with CONNECTIONS="1000 10000"): requests/s as a fraction of connections ÷ wait.
#
#   bench/cluster.sh
#   CONNECTIONS="1000 10000" CLUSTER_DATABASE=sqlite bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/cluster-lib.sh
command -v nginx >/dev/null || { echo "nginx is missing: apt-get install nginx" >&2; exit 1; }

cargo build --release --quiet --bin cityscape
CLUSTER_DIR=$(mktemp -d)
trap 'stop_cluster; rm -rf "$CLUSTER_DIR"' EXIT
port=$(free_port)
# No limit here (nginx counts within a millisecond without refill, so a high rate alone is not
# enough: the burst too).
POST_RATE=60000000r/m POST_BURST=100000 start_cluster 3 "$port" --upstream simulated --post-limit 0
base="http://127.0.0.1:$port"

# 1. Posts, with an instance killed half-way.
python3 bench/poster.py "$base" --clients 50 --posts 10 --seconds 120 \
  --acknowledged "$CLUSTER_DIR/acked.txt" >"$CLUSTER_DIR/posts.txt" &
poster=$!
# Killed once a fifth of the posts are stored: mid-stream, whatever this machine's speed.
until [ "$(cluster_query 'SELECT count(*) FROM events' 2>/dev/null || echo 0)" -ge 100 ]; do
  sleep 0.02
done
kill -9 "${INSTANCE_PIDS[1]}"
wait "${INSTANCE_PIDS[1]}" 2>/dev/null || true # its "Killed" is the point
wait "$poster" || true
acked=$(wc -l <"$CLUSTER_DIR/acked.txt")
cluster_query "SELECT title FROM events WHERE title LIKE 'Bench post %'" >"$CLUSTER_DIR/stored.txt"
python3 - "$CLUSTER_DIR/stored.txt" "$CLUSTER_DIR/acked.txt" <<'PY'
import sys
from collections import Counter
stored = Counter(open(sys.argv[1]).read().split("\n")[:-1])
acked = open(sys.argv[2]).read().split("\n")[:-1]
missing = [t for t in acked if stored[t] == 0]
twice = [t for t, n in stored.items() if n > 1]
print(f"posts: {len(acked)} answered 303 of 500, {sum(stored.values())} stored; "
      f"acknowledged but missing {len(missing)}, stored twice {len(twice)}"
      + ("  (target 0 and 0: met)" if not missing and not twice else "  (target 0 and 0: NOT met)"))
PY
echo "  poster: $(cat "$CLUSTER_DIR/posts.txt")"
echo "  the killed instance had answered $(grep '"served"' "$CLUSTER_DIR/instance-1.log" | grep -c '"method":"POST"' || true) posts; the rest went to the other two"
start_instance 1 --upstream simulated --post-limit 0
wait_until_up "${INSTANCE_PORTS[1]}"
sleep 2.5 # nginx's fail_timeout: the instance is tried again after it
for _ in $(seq 30); do curl -fs -o /dev/null "$base/healthz"; done
served=$(python3 - "$CLUSTER_DIR/nginx-access.log" "$CLUSTER_DIR/instance-1.log" <<'PY'
import json, sys
count = 0
for line in open(sys.argv[2]):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("fields", {}).get("message") == "served" and entry.get("span", {}).get("path") == "/healthz":
        count += 1
print(count)
PY
)
echo "restarted instance: answered $served of the next 30 health checks through nginx (target > 0: $([ "$served" -gt 0 ] && echo met || echo NOT met))"

# 2. Page views.
count() {
  local stored
  stored=$(cluster_query "SELECT view_count FROM places WHERE source = 'simulated' AND postal_code = '97229'")
  echo "${stored:-0}"
}
before=$(count)
curl -sZ --no-progress-meter --parallel-max 64 "$base/places/us/97229?view=[1-10000]" >/dev/null 2>&1
sleep 2.5
after=$(count)
echo "page views: 10000 sent, stored count grew by $((after - before)) (target 10000: $([ $((after - before)) -eq 10000 ] && echo met || echo NOT met))"

# 3. The rate limit, with nginx's default.
stop_cluster
INSTANCE_PIDS=()
INSTANCE_PORTS=()
port=$(free_port)
start_cluster 3 "$port" --upstream simulated --post-limit 0
python3 bench/poster.py "http://127.0.0.1:$port" --clients 40 --posts 1 --seconds 60 \
  >"$CLUSTER_DIR/limited.txt" || true
echo "rate limit through nginx (30/min, burst 10): $(cat "$CLUSTER_DIR/limited.txt")"

# 4. The course's load through nginx, caches off.
stop_cluster
INSTANCE_PIDS=()
INSTANCE_PORTS=()
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
port=$(free_port)
# Logging warnings only, as bench/load.sh runs the single server.
RUST_LOG=warn POST_RATE=30r/m start_cluster 3 "$port" --upstream simulated --cache off --post-limit 0
for c in ${CONNECTIONS:-1000}; do
  result=$(wrk -t4 -c"$c" -d15s -s bench/wrk-report.lua "http://127.0.0.1:$port/api/sun/97229/us" | tail -n 1)
  python3 - "$c" "$result" <<'PY'
import json, sys
c, r = int(sys.argv[1]), json.loads(sys.argv[2])
rps = r["requests"] / (r["duration_us"] / 1e6)
errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["status_errors"]
fraction = rps / (c / 0.94488)
print(f"course load through nginx, {c} connections: {rps:.1f} req/s = {fraction:.3f} of the limit, "
      f"p99 {r['p99_us'] / 1000:.0f} ms, errors {errors}, timeouts {r['timeouts']} "
      f"(target >= 0.93 and 0 errors: {'met' if fraction >= 0.93 and errors == 0 and r['timeouts'] == 0 else 'NOT met'})")
PY
done
