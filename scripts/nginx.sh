#!/usr/bin/env bash
# Makes sure nginx is there (installing Debian's package if it is missing) and
# prints the path of the binary, the way scripts/redis.sh does for Redis.
# `coach cluster up` runs nginx itself, in the foreground, with a config it
# writes under var/run/; Debian's own nginx service is never used.
#   scripts/nginx.sh            same as install
#   scripts/nginx.sh install    only make sure nginx is there, print its path
set -euo pipefail

case "${1:-install}" in
  install) ;;
  *)
    echo "Gebruik: scripts/nginx.sh [install]" >&2
    exit 2
    ;;
esac

find_nginx() { command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true; }
server="$(find_nginx)"
if [ -z "$server" ]; then
  echo "==> nginx installeren (Debian-pakket nginx)..." >&2
  log="$(mktemp)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends nginx; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "nginx kon niet worden geinstalleerd (zie hierboven)." >&2
    exit 1
  fi
  rm -f "$log"
  # Debian starts its own service on port 80; this project never uses it.
  (service nginx stop || true) >/dev/null 2>&1
  server="$(find_nginx)"
fi
if [ -z "$server" ]; then
  echo "nginx is geinstalleerd maar niet gevonden." >&2
  exit 1
fi
echo "$server"
