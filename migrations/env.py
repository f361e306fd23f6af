"""Alembic environment: our tables only (Rasa's tracker store keeps its own `events`)."""

from __future__ import annotations

from typing import Any

from alembic import context

from gesprekscoach.settings import load_settings
from gesprekscoach.storage.db import make_engine
from gesprekscoach.storage.models import Base

RASA_TABLES = {"events"}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (type_ == "table" and name in RASA_TABLES)


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
