#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests of the review dashboard
# (Playwright's own browser download is not used) and prints its path.
# Idempotent: an installed chromium is reused.
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> Chromium installeren (Debian-pakket)..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
path="$(command -v chromium || true)"
if [ -z "$path" ]; then
  echo "==> Chromium niet gevonden na installatie" >&2
  exit 1
fi
echo "$path"
