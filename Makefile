# The two commands of the README: `make run` and `make test`. Both set up
# everything they need (venv, pinned dependencies, model) on a fresh machine.
SHELL := /bin/bash
VENV := .venv
COACH := $(VENV)/bin/coach
PY := $(VENV)/bin/python

.PHONY: run test bench train setup lint serve clean

setup:
	@bash scripts/bootstrap.sh

train: setup
	@$(COACH) train

run: train
	@$(COACH) chat $(if $(PERSONA),--persona $(PERSONA))

serve: train
	@$(COACH) serve

test: train
	@bash scripts/test.sh

bench: train
	@$(PY) -m bench
	@$(PY) -m bench.dashboard

lint: setup
	@$(VENV)/bin/ruff check gesprekscoach coach_nlu actions bench tests scripts migrations
	@$(VENV)/bin/ruff format --check gesprekscoach coach_nlu actions bench tests scripts migrations
	@$(VENV)/bin/mypy

clean:
	rm -rf models var results
