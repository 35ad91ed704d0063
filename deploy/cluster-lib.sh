# Starting and stopping a small cluster on this machine (sourced by deploy/cluster.sh and
# bench/cluster.sh): N Cityscape instances on loopback ports behind nginx, sharing one database,
# one data directory (photos, and the cities' file each instance reads) and one secret file.
# The database is a throwaway PostgreSQL (deploy/postgres-lib.sh), or with
# CLUSTER_DATABASE=sqlite one SQLite file (WAL lets several processes on one machine use it).
# Everything lives in $CLUSTER_DIR; nothing listens beyond 127.0.0.1.

# free_port, wait_until_up
. bench/common.sh
# start_postgres, stop_postgres, postgres_bin
. deploy/postgres-lib.sh

CLUSTER_DATABASE=${CLUSTER_DATABASE:-postgres}

CITYSCAPE_BIN=${CITYSCAPE_BIN:-target/release/cityscape}
declare -a INSTANCE_PIDS INSTANCE_PORTS

# start_instance I [flags…]: instance I on its port (a new one the first time), with `flags`.
start_instance() {
  local i=$1; shift
  INSTANCE_PORTS[$i]=${INSTANCE_PORTS[$i]:-$(free_port)}
  TOKIO_WORKER_THREADS=$CONNECTION_THREADS "$CITYSCAPE_BIN" --bind "127.0.0.1:${INSTANCE_PORTS[$i]}" \
    --database-url "$CLUSTER_DATABASE_URL" \
    --data-dir "$CLUSTER_DIR/data" --secret-file "$CLUSTER_DIR/secret" \
    --log-format json "$@" 2>>"$CLUSTER_DIR/instance-$i.log" &
  INSTANCE_PIDS[$i]=$!
}

# start_cluster N PORT [flags…]: N instances, then nginx on PORT in front of them.
start_cluster() {
  local n=$1 port=$2; shift 2
  # The instances share this machine's cores: each gets its share of connection threads (one
  # per core on a machine of its own). Three instances on two cores with two threads each
  # served the course's load at 10,000 connections at 0.916 – 0.927 of the limit; with one
  # each, 0.933 – 0.941 (bench/cluster.sh, 2026-11-28).
  CONNECTION_THREADS=${CONNECTION_THREADS:-$(( $(nproc) / n > 0 ? $(nproc) / n : 1 ))}
  mkdir -p "$CLUSTER_DIR"
  start_database
  # The first instance creates and migrates the database alone; the others then open it.
  start_instance 0 "$@"
  wait_until_up "${INSTANCE_PORTS[0]}"
  for i in $(seq 1 $((n - 1))); do start_instance "$i" "$@"; done
  local upstreams=""
  for i in $(seq 0 $((n - 1))); do
    wait_until_up "${INSTANCE_PORTS[$i]}"
    upstreams+="        server 127.0.0.1:${INSTANCE_PORTS[$i]} max_fails=1 fail_timeout=2s;"$'\n'
  done
  sed -e "s|@DIR@|$CLUSTER_DIR|g" -e "s|@PORT@|$port|g" -e "s|@POST_RATE@|${POST_RATE:-30r/m}|g" -e "s|@POST_BURST@|${POST_BURST:-10}|g" \
    deploy/nginx.conf.template |
    awk -v ups="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", ups; else print }' \
      >"$CLUSTER_DIR/nginx.conf"
  nginx -c "$CLUSTER_DIR/nginx.conf" -p "$CLUSTER_DIR"
  wait_until_up "$port"
}

stop_cluster() {
  # An instance already gone (killed by a proof) is not an error: PostgreSQL must stop too.
  if [ -f "$CLUSTER_DIR/nginx.pid" ]; then kill "$(cat "$CLUSTER_DIR/nginx.pid")" 2>/dev/null || true; fi
  for pid in "${INSTANCE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null
  stop_postgres "$CLUSTER_DIR/postgres"
  return 0
}

# The database the instances share: sets CLUSTER_DATABASE_URL. A PostgreSQL cluster of its own
# (a new one each time: a cluster stopped and started again begins empty), durable as shipped.
start_database() {
  case "$CLUSTER_DATABASE" in
    sqlite)
      CLUSTER_DATABASE_URL="sqlite://$CLUSTER_DIR/cityscape.db?mode=rwc"
      ;;
    postgres)
      chmod 755 "$CLUSTER_DIR"
      stop_postgres "$CLUSTER_DIR/postgres"
      rm -rf "$CLUSTER_DIR/postgres"
      start_postgres "$CLUSTER_DIR/postgres" "$(free_port)" max_connections=200
      "$(postgres_bin)/createdb" --maintenance-db "$POSTGRES_URL/postgres" cityscape
      CLUSTER_DATABASE_URL="$POSTGRES_URL/cityscape"
      ;;
    *)
      echo "CLUSTER_DATABASE is postgres or sqlite, not $CLUSTER_DATABASE" >&2
      return 1
      ;;
  esac
}

# cluster_query SQL: the answer's rows, one per line (columns joined by |), from either
# database.
cluster_query() {
  case "$CLUSTER_DATABASE" in
    sqlite)
      python3 - "$CLUSTER_DIR/cityscape.db" "$1" <<'PY'
import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
      ;;
    postgres)
      "$(postgres_bin)/psql" --no-psqlrc -Atq "$CLUSTER_DATABASE_URL" -c "$1"
      ;;
  esac
}
