#!/usr/bin/env bash
# The integration suite (tests/api) once more, on PostgreSQL: a throwaway cluster in a temp
# directory (deploy/postgres-lib.sh: Debian's postgresql, installed when missing, run as an
# unprivileged user), a fresh database per test, stopped and removed at the end.
#
#   bash tests/postgres.sh            # as .ci/run does
#   bash tests/postgres.sh some_test  # arguments go to cargo test
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
. deploy/postgres-lib.sh

work=$(mktemp -d)
chmod 755 "$work"
trap 'stop_postgres "$work/postgres"; rm -rf "$work"' EXIT
# Durability is not under test here (the proofs in bench/cluster.sh keep it): a faster cluster,
# with room for every test's pools at once.
start_postgres "$work/postgres" "$(free_port)" fsync=off synchronous_commit=off \
  full_page_writes=off max_connections=1000
CITYSCAPE_TEST_POSTGRES_URL=$POSTGRES_URL cargo test --test api -- "$@"
