"""Databases for the storage tests: a fresh SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """URL of the loopback PostgreSQL that scripts/postgres.sh starts (or that make test did)."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        url = subprocess.run(
            ["bash", str(ROOT / "scripts/postgres.sh")], check=True, capture_output=True,
            text=True, timeout=600,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
    return url


def _fresh_postgres(server_url: str) -> str:
    """A new, empty database on the test server, so tests never see each other's rows."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(str(make_url(server_url).set(database="postgres")))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(make_url(server_url).set(database=name))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'coach.db'}"
    return _fresh_postgres(request.getfixturevalue("postgres_server"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()
