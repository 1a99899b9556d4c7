"""Alembic environment: runs on the connection the store hands over (config.attributes)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from ccodesk.models import Base

config = context.config


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # FTS5 virtual tables and their shadow tables are managed by hand in the revisions.
    return not (type_ == "table" and name is not None and "_fts" in name)


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # developer use: `alembic` against a plain SQLite file
        url = config.get_main_option("sqlalchemy.url") or "sqlite:///dev-schema.db"
        connection = create_engine(url).connect()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        transaction_per_migration=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
