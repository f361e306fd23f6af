"""Fixtures of the bot's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from gesprekscoach.storage.migrate import upgrade


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A migrated SQLite database of the test's own."""
    url = f"sqlite:///{tmp_path / 'coach.db'}"
    upgrade(url)
    return url
