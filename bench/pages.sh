#!/usr/bin/env bash
# The paths people use, side by side in one run on this machine (127.0.0.1 only): a bare axum
# "hello" handler built from the same axum (examples/hello.rs) as the framework's own speed,
# Cityscape's place page (everything cached), home page and stylesheet, and the same stylesheet
# from nginx (worker_processes 2; installed with apt-get when missing), and through tower-http's
# ServeDir (`--static-dir`) for comparison. wrk -t2 -c64 -d8s each.
#
#   bench/pages.sh
#
# Prints requests/s and p99 per path, and each target of issue 7 as a ratio: place and home
# page ≥ 0.3 × hello, place page p99 ≤ 5 ms, stylesheet ≥ 0.8 × nginx with and without
# Accept-Encoding.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/common.sh
DURATION=${DURATION:-8s}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if ! command -v nginx >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx libnginx-mod-http-brotli-static >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cargo build --release --quiet --bin cityscape --example hello
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
static_dir=$(ls -td target/release/build/cityscape-*/out/static | head -1)
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

run() { # name url [header]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c64 -d"$DURATION" --latency -H "$3" "$2")
  else
    out=$(wrk -t2 -c64 -d"$DURATION" --latency "$2")
  fi
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  printf '%-32s %12s req/s   p99 %s\n' "$1" "$rps" "$p99" >&2
  echo "$rps"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo >&2
hello_rps=$(run "axum hello (baseline)" "http://127.0.0.1:$hello_port/")
place_rps=$(run "place page, cached" "http://127.0.0.1:$app_port/places/us/97229")
place_browser_rps=$(run "place page, as browsers ask" "http://127.0.0.1:$app_port/places/us/97229" "Accept-Encoding: gzip, deflate, br, zstd")
home_rps=$(run "home page" "http://127.0.0.1:$app_port/")
api_rps=$(run "/api/places, cached" "http://127.0.0.1:$app_port/api/places/us/97229")
css_rps=$(run "stylesheet" "http://127.0.0.1:$app_port/static/style.css")
css_br_rps=$(run "stylesheet, br/gzip" "http://127.0.0.1:$app_port/static/style.css" "Accept-Encoding: br, gzip")
servedir_rps=$(run "stylesheet via ServeDir" "http://127.0.0.1:$servedir_port/static/style.css")
servedir_br_rps=$(run "stylesheet via ServeDir, br/gzip" "http://127.0.0.1:$servedir_port/static/style.css" "Accept-Encoding: br, gzip")
nginx_rps=$(run "nginx stylesheet" "http://127.0.0.1:$nginx_port/static/style.css")
nginx_br_rps=$(run "nginx stylesheet, br/gzip" "http://127.0.0.1:$nginx_port/static/style.css" "Accept-Encoding: br, gzip")
place_p99=$(wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$app_port/places/us/97229" | awk '$1 == "99%" {print $2}')

echo
echo "place page / hello        = $(ratio "$place_rps" "$hello_rps")   (target ≥ 0.3)"
echo "place page compressed / hello = $(ratio "$place_browser_rps" "$hello_rps")   (brotli per request)"
echo "home page / hello         = $(ratio "$home_rps" "$hello_rps")   (target ≥ 0.3)"
echo "/api/places / hello       = $(ratio "$api_rps" "$hello_rps")"
echo "place page p99 at 64 conns = $place_p99   (target ≤ 5 ms)"
echo "stylesheet / nginx        = $(ratio "$css_rps" "$nginx_rps")   (target ≥ 0.8)"
echo "stylesheet br / nginx br  = $(ratio "$css_br_rps" "$nginx_br_rps")   (target ≥ 0.8)"
echo "ServeDir / nginx          = $(ratio "$servedir_rps" "$nginx_rps"), with br: $(ratio "$servedir_br_rps" "$nginx_br_rps")"
