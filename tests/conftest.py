"""Shared fixtures: the real catalogues, and one real Rasa stack per test run."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from coach.processes import free_port
from coach.stack import Stack
from coach.training import current_model, train
from gesprekscoach.domain import Catalogues, load_catalogues
from gesprekscoach.language.jargon import JargonLexicon, load_jargon
from gesprekscoach.moves import MoveCatalogue, load_moves
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.settings import Settings, load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]


def _service_url(variable: str, script: str) -> str:
    """The URL in `variable` (make test sets it), or what the start script prints."""
    url = os.environ.get(variable)
    if not url:
        command = ["bash", str(ROOT / "scripts" / script)]
        started = subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
        url = started.stdout.strip().splitlines()[-1]
    return url


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """URL of the loopback PostgreSQL that scripts/postgres.sh starts (or that make test did)."""
    return _service_url("TEST_POSTGRES_URL", "postgres.sh")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the loopback Redis that scripts/redis.sh starts (or that make test did)."""
    return _service_url("TEST_REDIS_URL", "redis.sh")


def fresh_postgres(server_url: str) -> str:
    """A new, empty database on the test server, so tests never see each other's rows."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(str(make_url(server_url).set(database="postgres")))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(make_url(server_url).set(database=name))


def migrated_sqlite(folder: Path) -> Engine:
    """An engine on a fresh SQLite file in `folder`, migrated to the newest schema."""
    url = f"sqlite:///{folder / 'coach.db'}"
    upgrade(url)
    return make_engine(url)


@pytest.fixture(scope="session")
def catalogues() -> Catalogues:
    return load_catalogues(ROOT / "data")


@pytest.fixture(scope="session")
def moves() -> MoveCatalogue:
    return load_moves(ROOT / "data/catalogues/moves.yml")


@pytest.fixture(scope="session")
def lexicon() -> JargonLexicon:
    return load_jargon(ROOT / "data/catalogues/jargon.yml")


@pytest.fixture(scope="session")
def stack_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Free ports and a database of the test run's own (never the developer's var/)."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "COACH_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        }
    )
    return load_settings(env)


@pytest.fixture(scope="session")
def model() -> Path:
    """The current model: `make test` trained it; train here if pytest runs alone."""
    settings = load_settings()
    return current_model(settings) or train(settings).model


@pytest.fixture(scope="session")
def stack(stack_settings: Settings, model: Path) -> Iterator[Stack]:
    """The real Rasa server and action server, on free loopback ports."""
    with Stack(stack_settings, model) as running:
        yield running


@pytest.fixture(scope="session")
def client(stack: Stack) -> RasaClient:
    return RasaClient.for_settings(stack.settings)
