# Starting and stopping a small cluster on this machine (sourced by deploy/cluster.sh and
# bench/cluster.sh): N Cityscape instances on loopback ports, sharing one SQLite file (WAL lets
# several processes use it), one data directory for photos and one secret file, behind nginx.
# Everything lives in $CLUSTER_DIR; nothing listens beyond 127.0.0.1.

# free_port, wait_until_up
. bench/common.sh

CITYSCAPE_BIN=${CITYSCAPE_BIN:-target/release/cityscape}
declare -a INSTANCE_PIDS INSTANCE_PORTS

# start_instance I [flags…]: instance I on its port (a new one the first time), with `flags`.
start_instance() {
  local i=$1; shift
  INSTANCE_PORTS[$i]=${INSTANCE_PORTS[$i]:-$(free_port)}
  "$CITYSCAPE_BIN" --bind "127.0.0.1:${INSTANCE_PORTS[$i]}" \
    --database-url "sqlite://$CLUSTER_DIR/cityscape.db?mode=rwc" \
    --data-dir "$CLUSTER_DIR/data" --secret-file "$CLUSTER_DIR/secret" \
    --log-format json "$@" 2>>"$CLUSTER_DIR/instance-$i.log" &
  INSTANCE_PIDS[$i]=$!
}

# start_cluster N PORT [flags…]: N instances, then nginx on PORT in front of them.
start_cluster() {
  local n=$1 port=$2; shift 2
  mkdir -p "$CLUSTER_DIR"
  # The first instance creates and migrates the database alone; the others then open it.
  start_instance 0 "$@"
  wait_until_up "${INSTANCE_PORTS[0]}"
  for i in $(seq 1 $((n - 1))); do start_instance "$i" "$@"; done
  local upstreams=""
  for i in $(seq 0 $((n - 1))); do
    wait_until_up "${INSTANCE_PORTS[$i]}"
    upstreams+="        server 127.0.0.1:${INSTANCE_PORTS[$i]} max_fails=1 fail_timeout=2s;"$'\n'
  done
  sed -e "s|@DIR@|$CLUSTER_DIR|g" -e "s|@PORT@|$port|g" -e "s|@POST_RATE@|${POST_RATE:-30r/m}|g" \
    deploy/nginx.conf.template |
    awk -v ups="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", ups; else print }' \
      >"$CLUSTER_DIR/nginx.conf"
  nginx -c "$CLUSTER_DIR/nginx.conf" -p "$CLUSTER_DIR"
  wait_until_up "$port"
}

stop_cluster() {
  [ -f "$CLUSTER_DIR/nginx.pid" ] && kill "$(cat "$CLUSTER_DIR/nginx.pid")" 2>/dev/null
  for pid in "${INSTANCE_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  return 0
}
