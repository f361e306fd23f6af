#!/usr/bin/env bash
# Creates .venv/ with Python 3.10 and the pinned dependencies, once per lock.
# Re-running is cheap: it only reinstalls when requirements.lock or
# pyproject.toml changed since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  for candidate in "${PYTHON310:-}" ~/.pyenv/versions/3.10.*/bin/python3.10 "$(command -v python3.10 || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

stamp=.venv/.installed
want="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/coach ]; then
  exit 0
fi

if [ ! -x .venv/bin/python ]; then
  if ! py="$(find_python)"; then
    echo "FOUT: Python 3.10 is nodig (rasa 3.6 werkt niet met 3.11+, python-telegram-bot 22 niet met 3.9-)." >&2
    echo "      Zet het neer in ~/.pyenv/versions/3.10.x (pyenv install 3.10) of op PATH als python3.10," >&2
    echo "      of wijs het aan met PYTHON310=/pad/naar/python3.10." >&2
    exit 1
  fi
  echo "==> Python 3.10 gevonden: $py"
  echo "==> .venv/ aanmaken"
  "$py" -m venv .venv
fi

echo "==> Afhankelijkheden installeren uit requirements.lock (eerste keer ca. 2 minuten, 1,4 GB)..."
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade 'pip==24.0'
start=$(date +%s)
mkdir -p var
set +o pipefail
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r requirements.lock 2>&1 \
  | tee var/install.log \
  | awk '/^Collecting/{n++; if (n % 25 == 0) {printf "    ... %d pakketten opgehaald\n", n; fflush()}} /^Installing collected/{print "    uitpakken en installeren..."; fflush()}'
status=${PIPESTATUS[0]}
set -o pipefail
if [ "$status" -ne 0 ]; then
  echo "FOUT: installeren mislukt (code $status). Laatste regels van var/install.log:" >&2
  tail -20 var/install.log >&2
  exit "$status"
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
.venv/bin/python -m pip check
echo "==> Installatie klaar in $(( $(date +%s) - start )) s"
echo "$want" > "$stamp"
