# A throwaway PostgreSQL (sourced, not run): Debian's `postgresql` package (installed with
# apt-get when missing), a cluster made with initdb in a directory of the caller's, listening
# on 127.0.0.1 only (no Unix socket), run as an unprivileged user (PostgreSQL refuses root:
# `nobody` when this runs as root). One user, `cityscape`, with a random password that
# POSTGRES_URL carries (the server logs the URL without it).
#
#   . deploy/postgres-lib.sh
#   start_postgres DIR PORT [postgres -c settings...]   # prints nothing; sets POSTGRES_URL
#   stop_postgres DIR

# The directory of PostgreSQL's server programs: the newest of Debian's that has initdb (a
# newer client alone may sit beside an older server), or initdb's on PATH.
postgres_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$dir/initdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

install_postgres() {
  [ -n "$(postgres_bin)" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL's server is missing: install Debian's postgresql (apt-get install postgresql)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
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
  # A password of its own, so that other users of this machine cannot connect as its owner.
  local password
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  (umask 077 && echo "$password" >"$dir/password")
  [ "$(id -u)" = 0 ] && chown nobody "$dir/password"
  # The C locale: whatever locale the caller's session names may not exist on this machine.
  as_postgres_owner "$bin/initdb" --pgdata "$dir/data" --username cityscape \
    --auth scram-sha-256 --pwfile "$dir/password" --encoding UTF8 --locale C \
    --no-instructions >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  # TCP on loopback only, no Unix socket (whose path would have to be short and absolute).
  local settings="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=''"
  for setting in "$@"; do settings="$settings -c $setting"; done
  as_postgres_owner "$bin/pg_ctl" --pgdata "$dir/data" --log "$dir/postgres.log" \
    --options "$settings" --wait start >/dev/null ||
    { cat "$dir/postgres.log" >&2; return 1; }
  POSTGRES_URL="postgres://cityscape:$password@127.0.0.1:$port"
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
