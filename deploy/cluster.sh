#!/usr/bin/env bash
# Several Cityscape instances behind nginx on this machine, started with one command and
# stopped with Ctrl-C:
#
#   deploy/cluster.sh                          # 3 instances, simulated, http://127.0.0.1:8080
#   INSTANCES=4 PORT=9000 deploy/cluster.sh --upstream live
#   CLUSTER_DATABASE=sqlite deploy/cluster.sh  # one SQLite file instead of PostgreSQL
#
# The instances share a throwaway PostgreSQL database (Debian's postgresql: initdb and pg_ctl
# in CLUSTER_DIR, run as an unprivileged user; see deploy/postgres-lib.sh), one data directory
# and one secret file under CLUSTER_DIR (a new temporary directory unless given); their logs
# are JSON lines there, and nginx's access log names each request by the id the instance logs
# too. Installs nginx and postgresql with apt-get when missing. Flags after the command go to
# every instance. Ctrl-C stops the instances, nginx and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/cluster-lib.sh

INSTANCES=${INSTANCES:-3}
PORT=${PORT:-8080}
CLUSTER_DIR=${CLUSTER_DIR:-$(mktemp -d)}
if ! command -v nginx >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nginx >/dev/null
fi
cargo build --release --quiet --bin cityscape
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(--upstream simulated)

trap 'stop_cluster; echo "stopped; files kept in $CLUSTER_DIR"' EXIT
trap 'exit 0' INT TERM
start_cluster "$INSTANCES" "$PORT" "${flags[@]}"
echo "Cityscape: http://127.0.0.1:$PORT/ ($INSTANCES instances: ports ${INSTANCE_PORTS[*]}; database $CLUSTER_DATABASE_URL; files in $CLUSTER_DIR). Ctrl-C stops it."
wait
