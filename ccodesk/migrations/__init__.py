"""Alembic migrations, shipped inside the package and run by the store at open."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).parent


def alembic_config() -> Config:
    """An Alembic configuration pointing at these migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(engine: Engine, config: Config | None = None, revision: str = "head") -> None:
    """Upgrade the database behind `engine` to `revision`, each step in its own transaction."""
    config = config or alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
