#!/usr/bin/env bash
# The paths people use, side by side in one run on this machine (127.0.0.1 only): a bare axum
# "hello" handler built from the same axum (examples/hello.rs) as the framework's own speed,
# Cityscape's place page (everything cached), home page and stylesheet, and the same stylesheet
# from nginx (worker_processes 2; installed with apt-get when missing), and through tower-http's
# ServeDir (`--static-dir`) for comparison. wrk -t2 -c64 for 5 s each, in 3 rounds.
#
#   bench/pages.sh
#   ROUNDS=5 DURATION=8s bench/pages.sh
#
# Prints requests/s and p99 per path and round, and each target of issue 7 as the median over
# the rounds of a ratio taken within each round: place and home page ≥ 0.3 × hello, place page
# p99 ≤ 5 ms, stylesheet ≥ 0.8 × nginx with and without Accept-Encoding.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/common.sh
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if ! command -v nginx >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx libnginx-mod-http-brotli-static >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# Built apart: built together, the binary would take the example's dev-dependency features and
# be another build than the one people run (and be linked again for every other bench script).
cargo build --release --quiet --bin cityscape
cargo build --release --quiet --example hello
work=$(mktemp -d)
app_port=$(free_port); hello_port=$(free_port); nginx_port=$(free_port)
RUST_LOG=warn target/release/cityscape --bind "127.0.0.1:$app_port" --upstream simulated \
  --database-url "sqlite://$work/bench.db?mode=rwc" --data-dir "$work/data" --post-limit 0 \
  2>"$work/server.log" &
app=$!
target/release/examples/hello "127.0.0.1:$hello_port" &
hello=$!
trap 'kill "$app" "$hello" 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
wait_until_up "$app_port"
# The place is geocoded and its weather and sun fetched once; every request after is cached.
curl -fs "http://127.0.0.1:$app_port/places/us/97229" >/dev/null

# nginx serves the very files built into Cityscape, with the same .br and .gz variants (build.rs
# made them in the build's output directory).
# An absolute path: nginx reads a relative one against its prefix (`-p`), where there is no
# such directory, and would answer every request with its 404 page.
static_dir=$(cd "$(ls -td target/release/build/cityscape-*/out/static | head -1)" && pwd)
brotli_module=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
{
  echo "user root; worker_processes 2; daemon on; pid $work/nginx.pid; error_log $work/nginx.log;"
  [ -f "$brotli_module" ] && echo "load_module $brotli_module;"
  echo "events { worker_connections 4096; }"
  echo "http { include /etc/nginx/mime.types; access_log off; sendfile on; tcp_nopush on;"
  echo "  server { listen 127.0.0.1:$nginx_port; location /static/ { alias $static_dir/;"
  echo "    gzip_static on; $([ -f "$brotli_module" ] && echo 'brotli_static on;') } } }"
} > "$work/nginx.conf"
nginx -c "$work/nginx.conf" -p "$work"

# The same files through tower-http's ServeDir (the development override), to compare with the
# embedded files served from memory.
servedir_port=$(free_port)
RUST_LOG=warn target/release/cityscape --bind "127.0.0.1:$servedir_port" --upstream simulated \
  --database-url "sqlite://$work/servedir.db?mode=rwc" --data-dir "$work/servedir-data" \
  --static-dir "$static_dir" 2>"$work/servedir.log" &
servedir=$!
trap 'kill "$app" "$hello" "$servedir" 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
wait_until_up "$servedir_port"

run() { # url [header] → "requests/s p99"
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t2 -c64 -d"$DURATION" --latency -H "$2" "$1")
  else
    out=$(wrk -t2 -c64 -d"$DURATION" --latency "$1")
  fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "99%" {print $2}')"
}

# Each path is measured once per round, next to its reference, and each ratio is taken within
# its round: this machine is shared, and a neighbour's load moves every figure of a round
# together. The median of the rounds is the figure; the range shows the noise.
paths=(
  "hello|axum hello (baseline)|http://127.0.0.1:$hello_port/|"
  "place|place page, cached|http://127.0.0.1:$app_port/places/us/97229|"
  "place_browser|place page, as browsers ask|http://127.0.0.1:$app_port/places/us/97229|Accept-Encoding: gzip, deflate, br, zstd"
  "home|home page|http://127.0.0.1:$app_port/|"
  "api|/api/places, cached|http://127.0.0.1:$app_port/api/places/us/97229|"
  "css|stylesheet|http://127.0.0.1:$app_port/static/style.css|"
  "css_br|stylesheet, br/gzip|http://127.0.0.1:$app_port/static/style.css|Accept-Encoding: br, gzip"
  "servedir|stylesheet via ServeDir|http://127.0.0.1:$servedir_port/static/style.css|"
  "servedir_br|stylesheet via ServeDir, br/gzip|http://127.0.0.1:$servedir_port/static/style.css|Accept-Encoding: br, gzip"
  "nginx|nginx stylesheet|http://127.0.0.1:$nginx_port/static/style.css|"
  "nginx_br|nginx stylesheet, br/gzip|http://127.0.0.1:$nginx_port/static/style.css|Accept-Encoding: br, gzip"
)
# Every server answers each path with 200 before any is timed (a 404 page is fast, and timing
# one would compare nothing), and nginx serves the very bytes Cityscape does.
for entry in "${paths[@]}"; do
  IFS='|' read -r key name url header <<< "$entry"
  status=$(curl -s -o /dev/null -w '%{http_code}' ${header:+-H "$header"} "$url")
  [ "$status" = 200 ] || { echo "$name ($url) answered $status, not 200" >&2; exit 1; }
done
for server in "$app_port" "$nginx_port"; do
  curl -fs "http://127.0.0.1:$server/static/style.css" | cmp -s - "$static_dir/style.css" ||
    { echo "the stylesheet on port $server is not the built file" >&2; exit 1; }
done

results="$work/results"   # round key requests/s p99
: > "$results"
for round in $(seq 1 "$ROUNDS"); do
  echo >&2
  echo "round $round of $ROUNDS" >&2
  for entry in "${paths[@]}"; do
    IFS='|' read -r key name url header <<< "$entry"
    read -r rps p99 <<< "$(run "$url" "$header")"
    printf '  %-32s %12s req/s   p99 %s\n' "$name" "$rps" "$p99" >&2
    echo "$round $key $rps $p99" >> "$results"
  done
done

# ratio NAME KEY REF [TARGET]: the median and range over the rounds of KEY's req/s ÷ REF's.
ratio() {
  awk -v key="$2" -v ref="$3" -v name="$1" -v target="${4:-}" '
    $2 == key { a[$1] = $3 } $2 == ref { b[$1] = $3 }
    END {
      n = 0; for (r in a) if (b[r] > 0) v[++n] = a[r] / b[r]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      median = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "%-30s = %.3f  (rounds %.3f – %.3f)", name, median, v[1], v[n]
      if (target != "") printf "   target ≥ %s: %s", target, (median >= target ? "met" : "NOT met")
      printf "\n"
    }' "$results"
}
# wrk's latencies ("850.00us", "3.2ms", "1.01s") in milliseconds, for the awk programs below.
to_ms='function ms(text) { if (text ~ /us$/) return text / 1000; if (text ~ /ms$/) return text + 0; return text * 1000 }'
# p99 NAME KEY [TARGET_MS]: the median p99 over the rounds.
p99() {
  awk -v key="$2" -v name="$1" -v target="${3:-}" "$to_ms"'
    $2 == key { v[++n] = ms($4) }
    END {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      median = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "%-30s = %.2f ms  (rounds %.2f – %.2f)", name, median, v[1], v[n]
      if (target != "") printf "   target ≤ %s ms: %s", target, (median <= target ? "met" : "NOT met")
      printf "\n"
    }' "$results"
}

# p99_ratio NAME KEY REF: the median and range over the rounds of KEY's p99 ÷ REF's p99. The
# place page's p99 target is in milliseconds, so it moves with the machine: this ratio, taken
# within each round, shows how much of it is the machine's own tail (hello's; and nginx's p99
# on the 16 KB stylesheet is the machine's tail for a static file).
p99_ratio() {
  awk -v key="$2" -v ref="$3" -v name="$1" "$to_ms"'
    $2 == key { a[$1] = ms($4) } $2 == ref { b[$1] = ms($4) }
    END {
      n = 0; for (r in a) if (b[r] > 0) v[++n] = a[r] / b[r]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      median = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "%-30s = %.2f  (rounds %.2f – %.2f)\n", name, median, v[1], v[n]
    }' "$results"
}

echo
ratio "place page / hello" place hello 0.3
ratio "home page / hello" home hello 0.3
ratio "place page as browsers ask / hello" place_browser hello
ratio "/api/places / hello" api hello
p99 "place page p99 at 64 conns" place 5
p99 "hello p99 at 64 conns" hello
p99 "nginx stylesheet p99" nginx
p99_ratio "place page p99 / hello p99" place hello
ratio "stylesheet / nginx" css nginx 0.8
ratio "stylesheet br / nginx br" css_br nginx_br 0.8
ratio "ServeDir / nginx" servedir nginx
ratio "ServeDir br / nginx br" servedir_br nginx_br
