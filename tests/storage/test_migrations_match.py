"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL.

A column added to `storage/models.py` without its Alembic revision (or the reverse)
fails here with the difference, not later on a production database.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.migrate import upgrade
from gesprekscoach.storage.models import Base


def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "models and migrations differ; add an Alembic revision"
