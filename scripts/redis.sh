#!/usr/bin/env bash
# Starts a throwaway Redis server on loopback (installing Debian's package
# first if it is missing) and prints its URL, the way scripts/postgres.sh does
# for PostgreSQL. Nothing is written to disk: the lock store only holds locks
# that live for seconds.
#   scripts/redis.sh            start (or reuse) the server, print redis://...
#   scripts/redis.sh install    only make sure redis-server is there, print its path
#   scripts/redis.sh stop       stop the server on the port
# Idempotent: a server already answering on the port is reused.
set -euo pipefail
port="${COACH_REDIS_PORT:-56379}"
dir="${COACH_REDIS_DIR:-/tmp/gesprekscoach-redis-$port}"

server="$(command -v redis-server || true)"
if [ -z "$server" ]; then
  echo "==> Redis installeren (Debian-pakket redis-server)..." >&2
  log="$(mktemp)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends redis-server; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "Redis kon niet worden geinstalleerd (zie hierboven)." >&2
    exit 1
  fi
  rm -f "$log"
  # Debian starts its own service on 6379; this project never uses it.
  (service redis-server stop || true) >/dev/null 2>&1
  server="$(command -v redis-server)"
fi
cli="$(command -v redis-cli)"

case "${1:-start}" in
  install)
    echo "$server"
    exit 0
    ;;
  stop)
    "$cli" -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    exit 0
    ;;
  start) ;;
  *)
    echo "Gebruik: scripts/redis.sh [start|install|stop]" >&2
    exit 2
    ;;
esac

if ! "$cli" -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  mkdir -p "$dir"
  echo "==> Redis starten op 127.0.0.1:$port ($dir)" >&2
  "$server" --bind 127.0.0.1 --port "$port" --protected-mode yes --save "" --appendonly no \
    --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/server.log" >/dev/null
  for _ in $(seq 50); do
    "$cli" -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
echo "redis://127.0.0.1:$port/0"
