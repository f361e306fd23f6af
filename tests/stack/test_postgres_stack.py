"""The whole stack on PostgreSQL: Rasa's tracker store and the session log in one database."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from coach.stack import Stack
from gesprekscoach.rasa_client import RasaClient
from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.models import PracticeSession, TurnRecord
from tests.conftest import free_port, fresh_postgres

pytestmark = pytest.mark.stack


def test_a_practice_on_postgresql(postgres_server: str, model: Path, tmp_path: Path) -> None:
    url = fresh_postgres(postgres_server)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "COACH_VAR_DIR": str(tmp_path),
    }
    with Stack(load_settings(env), model) as stack:
        client = RasaClient.for_settings(stack.settings, metadata={"channel": "terminal"})
        client.start_practice("pg-1", "henk", seed=1)
        client.send("pg-1", "Goedemiddag meneer Visser, ik ben Sanne van de gemeente.")
        client.send("pg-1", "Wat zou u nu het meeste helpen?")
        end = client.stop_practice("pg-1")
        assert end.payload["kind"] == "end"
    engine = make_engine(url)
    try:
        assert "events" in inspect(engine).get_table_names(), "Rasa's trackers live here too"
        deadline = time.monotonic() + 20
        while True:
            with engine.connect() as conn:
                numbers = list(
                    conn.execute(
                        select(TurnRecord.number)
                        .where(TurnRecord.session_id == "pg-1")
                        .order_by(TurnRecord.number)
                    ).scalars()
                )
                ended = conn.execute(
                    select(PracticeSession.ended_at).where(PracticeSession.id == "pg-1")
                ).scalar_one_or_none()
            if (numbers == [1, 2] and ended is not None) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert numbers == [1, 2] and ended is not None
    finally:
        engine.dispose()
