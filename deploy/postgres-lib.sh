# A throwaway PostgreSQL (sourced, not run): Debian's `postgresql` package (installed with
# apt-get when missing), a cluster made with initdb in a directory of the caller's, listening
# on 127.0.0.1 only, run as an unprivileged user (PostgreSQL refuses root: `nobody` when this
# runs as root). Trust authentication for one user, `cityscape`, on loopback.
#
#   . deploy/postgres-lib.sh
#   start_postgres DIR PORT [postgres -c settings...]   # prints nothing; sets POSTGRES_URL
#   stop_postgres DIR

# The directory of PostgreSQL's programs: the newest Debian installs, or initdb's on PATH.
postgres_bin() {
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then
    echo "$newest"
  elif command -v initdb >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

install_postgres() {
  if [ -z "$(postgres_bin)" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
}

# Runs a command as the cluster's owner.
as_postgres_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

start_postgres() {
  local dir=$1 port=$2
  shift 2
  install_postgres
  local bin
  bin=$(postgres_bin)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown nobody "$dir"
  as_postgres_owner "$bin/initdb" --pgdata "$dir/data" --username cityscape --auth trust \
    --encoding UTF8 --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  local settings="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
  for setting in "$@"; do settings="$settings -c $setting"; done
  as_postgres_owner "$bin/pg_ctl" --pgdata "$dir/data" --log "$dir/postgres.log" \
    --options "$settings" --wait start >/dev/null ||
    { cat "$dir/postgres.log" >&2; return 1; }
  POSTGRES_URL="postgres://cityscape@127.0.0.1:$port"
  export POSTGRES_URL
}

stop_postgres() {
  local dir=$1 bin
  bin=$(postgres_bin)
  # Stopping a cluster already stopped (or never made) is not an error.
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_postgres_owner "$bin/pg_ctl" --pgdata "$dir/data" --mode fast --wait stop >/dev/null 2>&1 || true
  fi
}
