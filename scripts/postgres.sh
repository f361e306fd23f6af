#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the tests (installing
# Debian's package first if it is missing) and prints its database URL.
# Idempotent: a server already running on the port is reused.
set -euo pipefail
port="${COACH_PG_PORT:-55432}"
dir="${COACH_PG_DIR:-/tmp/gesprekscoach-pg-$port}"
db="${COACH_PG_DB:-coach_test}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
bin="$(pg_bin)"
if [ -z "$bin" ]; then
  echo "==> PostgreSQL installeren (Debian-pakket)..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin="$(pg_bin)"
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir" -A trust -U coach -E UTF8 >/dev/null
  fi
  echo "==> PostgreSQL starten op 127.0.0.1:$port ($dir)" >&2
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
fi
if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U coach -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U coach "$db"
fi
echo "postgresql://coach@127.0.0.1:$port/$db"
