# The two commands of the README: `make run` and `make test`. Both set up
# everything they need (venv, pinned dependencies, model) on a fresh machine.
SHELL := /bin/bash
VENV := .venv
COACH := $(VENV)/bin/coach
PY := $(VENV)/bin/python

.PHONY: run test bench train setup lint serve cluster clean

setup:
	@bash scripts/bootstrap.sh

train: setup
	@$(COACH) train

# With TELEGRAM_BOT_TOKEN set, run serves the bot (and the dashboard) instead of the terminal chat.
run: train
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(COACH) serve; else $(COACH) chat $(if $(PERSONA),--persona $(PERSONA)); fi

serve: train
	@$(COACH) serve

# Two Rasa replicas behind nginx with one Redis and one PostgreSQL (docs/scaling.md).
cluster: train
	@$(COACH) cluster up

test: train
	@bash scripts/test.sh

bench: train
	@$(PY) -m bench
	@$(PY) -m bench.dashboard
	@$(PY) -m bench.workshop
	@$(PY) -m bench.telegram
	@$(PY) -m bench.fuzz

lint: setup
	@$(VENV)/bin/ruff check gesprekscoach coach dashboard coach_nlu coach_channel actions bench tests scripts migrations bot
	@$(VENV)/bin/ruff format --check gesprekscoach coach dashboard coach_nlu coach_channel actions bench tests scripts migrations bot
	@$(VENV)/bin/mypy
	@$(PY) -m pytest -q -p no:cacheprovider tests/test_architecture.py

clean:
	rm -rf models var results
