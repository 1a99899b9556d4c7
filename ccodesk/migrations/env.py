"""Alembic environment: runs on the connection the store hands over (config.attributes)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ccodesk.migrations.env_filters import include_object
from ccodesk.models import Base

config = context.config


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
