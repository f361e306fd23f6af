"""A fresh migrated SQLite database per test, with a trainer's open workshop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from gesprekscoach.domain import Catalogues
from gesprekscoach.storage.db import session_factory
from gesprekscoach.workshops.service import WorkshopPlan, create_workshop, set_status
from tests.conftest import migrated_sqlite


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = migrated_sqlite(tmp_path)
    yield eng
    eng.dispose()


def new_workshop(
    engine: Engine, catalogues: Catalogues, status: str = "open", form: str = "parallel"
) -> str:
    with session_factory(engine)() as db, db.begin():
        plan = WorkshopPlan("Werkatelier schulden", date(2026, 11, 27), ("henk",), form)
        workshop = create_workshop(db, plan, tuple(catalogues.personas.personas), None)
        set_status(db, workshop, status)
        return str(workshop.code)
