"""A store's schema brought to this program's: one path for the borough and the central store.

Check the revision recorded in the store; refuse a newer one, naming both versions, with
nothing changed; back up before migrating (a copy of the SQLite file, its WAL folded in
first); run each migration step in its own transaction (`ccodesk.migrations`). A PostgreSQL
database cannot be copied as a file, so its caller migrates it only when the administrator
asks (after `pg_dump`): `migrate` takes the backup as a function, or none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from ccodesk.errors import StoreTooNew
from ccodesk.failures import file_problem

# The newest schema this program knows; a test checks it matches the Alembic head.
SCHEMA_HEAD = "0016"


def current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the store, or None for a database without one."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:
    """Every schema revision this program can migrate from."""
    from alembic.script import ScriptDirectory

    from ccodesk.migrations import alembic_config

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def refuse_newer(revision: str | None, what: str) -> None:
    """Raise `StoreTooNew` when `revision` is one this program does not know.

    `what` names the store as the message's subject ("This store", "The central store X").
    """
    if revision is None or revision == SCHEMA_HEAD or revision in known_revisions():
        return
    raise StoreTooNew(
        f"{what} uses schema {revision}, newer than this ccodesk understands "
        f"(up to {SCHEMA_HEAD}). Install a newer ccodesk to open it; nothing was changed."
    )


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the database file (outside any transaction, so it completes)."""
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def backup_file(db_file: Path, backups: Path, engine: Engine, label: str) -> Path:
    """Copy the SQLite file `db_file` (WAL folded in) into `backups`; the copy's path.

    The copy is named after the file, the time and `label`: `ccodesk-20261206-…-schema-0012.db`.
    """
    checkpoint(engine)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = backups / f"{db_file.stem}-{stamp}-{label}.db"
    tmp = target.with_suffix(".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db_file, tmp)
        os.replace(tmp, target)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise file_problem(e, target, "write the backup") from e
    return target


BackUp = Callable[[str], Path]  # called with the store's revision before it is migrated


def migrate(engine: Engine, what: str, back_up: BackUp | None) -> Path | None:
    """Bring the store behind `engine` to SCHEMA_HEAD; refuse a newer one untouched.

    `back_up(revision)` runs first when the store holds a schema (a new, empty database has
    nothing to keep). Returns the backup's path when one was made.
    """
    revision = current_revision(engine)
    if revision == SCHEMA_HEAD:
        return None
    refuse_newer(revision, what)
    saved = back_up(revision) if back_up is not None and revision is not None else None
    from ccodesk.migrations import upgrade

    upgrade(engine)
    return saved
