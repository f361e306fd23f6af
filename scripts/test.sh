#!/usr/bin/env bash
# Runs the whole test suite on the current model: lint, unit tests, Rasa's
# data validation, the NLU hold-out evaluation, the test stories, and the
# tests that drive the real Rasa server and action server.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore

echo "==> Stijlcontrole (ruff) en typecontrole (mypy)"
.venv/bin/ruff check gesprekscoach coach dashboard coach_nlu coach_channel actions bench tests scripts migrations bot
.venv/bin/ruff format --check gesprekscoach coach dashboard coach_nlu coach_channel actions bench tests scripts migrations bot
.venv/bin/mypy

echo "==> PostgreSQL voor de opslagtests"
TEST_POSTGRES_URL="$(bash scripts/postgres.sh)"
export TEST_POSTGRES_URL

echo "==> Redis voor de lock store (workers, replica's)"
TEST_REDIS_URL="$(bash scripts/redis.sh)"
export TEST_REDIS_URL

echo "==> Chromium voor de browsertests"
CHROMIUM_PATH="$(bash scripts/chromium.sh)"
export CHROMIUM_PATH

echo "==> Tests (pytest)"
.venv/bin/python -m pytest "$@"
