"""A plain SQLite store encrypted in place with SQLCipher: the central store made before it was.

Central stores made before ccodesk encrypted them are plain SQLite files. Opening one encrypts
it, once, with the centre's database key (`encrypt_in_place`):

1. Its schema is read first: a newer one is refused with nothing changed.
2. It must be the only connection to the file: leaving WAL mode needs that, so another program
   still holding the store open is named as the reason to close it, and nothing is changed.
3. Under an exclusive lock, SQLCipher's `sqlcipher_export` writes an encrypted copy beside the
   store (`central.db.encrypting`); the two are compared table by table (the same tables, the
   same number of rows in each), and the copy is flushed to the disk.
4. The copy goes into `backups/` first: the store as it was, encrypted too (so the conversion
   leaves no new plain file behind). Then it replaces the store in one step (`os.replace`) and
   the folder is flushed.

Stopped at any step (a full disk, a crash, another program), the plain store is as it was and
the temporary file is removed: the next opening starts again. Copies taken into `backups/` by
older versions stay plain; `Encrypted.notice` names them, for the officer to delete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ccodesk.errors import KnownError, StoreBusy, StoreError
from ccodesk.failures import file_problem, store_problem
from ccodesk.store.schema import refuse_newer

log = logging.getLogger(__name__)

HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every plain SQLite file
SUFFIX = ".encrypting"  # the encrypted copy being written, beside the store


def is_plain(path: Path) -> bool:
    """Whether `path` is a plain (unencrypted) SQLite file; False when it does not exist."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(HEADER)) == HEADER
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise file_problem(exc, path, "read") from exc


@dataclass(frozen=True)
class Encrypted:
    """A plain store just encrypted: where the copy of it went, and what is still in clear."""

    path: Path
    backup: Path  # the store as it was, encrypted with the same key
    revision: str | None
    plain_backups: list[Path] = field(default_factory=list)  # older copies, still plain

    def notice(self) -> str:
        """What the officer should know, in plain words."""
        text = (
            f"The central store {self.path} was not encrypted (an older ccodesk made it). It "
            "is now encrypted, with its key kept like the centre's other keys. A copy of it "
            f"as it was, encrypted too, is in {self.backup}."
        )
        if self.plain_backups:
            many = len(self.plain_backups) > 1
            text += (
                f" {len(self.plain_backups)} older {'copies' if many else 'copy'} in "
                f"{self.backup.parent} {'are' if many else 'is'} not encrypted: once you are "
                f"satisfied the store is as it should be, delete {'them' if many else 'it'}."
            )
        return text


def _key(database_key: bytes) -> str:
    return f"x'{database_key.hex()}'"


def _connect(path: Path) -> Any:
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA cipher_log_level = NONE")
    return conn


def _revision(conn: Any) -> str | None:
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if has is None:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def _tables(conn: Any, schema: str) -> dict[str, int]:
    """Each ordinary table of `schema` and its number of rows (FTS shadow tables included)."""
    names = [
        str(row[0])
        for row in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    return {
        name: int(conn.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0])
        for name in names
    }


def _objects(conn: Any, schema: str) -> set[tuple[str, str]]:
    return {
        (str(kind), str(name))
        for kind, name in conn.execute(f"SELECT type, name FROM {schema}.sqlite_master")
    }


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every system can flush a folder
        _fsync(folder)


def _copy_into(source: Path, backups: Path, name: str) -> Path:
    """Copy `source` into `backups` as `name` (a temp file, flushed, then renamed)."""
    target = backups / name
    tmp = target.with_suffix(".tmp")
    try:
        backups.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp)
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync_folder(backups)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise file_problem(exc, target, "write the backup") from exc
    return target


def encrypt_in_place(path: Path, backups: Path, database_key: bytes, what: str) -> Encrypted | None:
    """Encrypt the plain SQLite store `path` with `database_key`, after a copy into `backups`.

    `what` names the store in a refusal ("The central store …"). None when the file was no
    longer plain once locked (another program had just encrypted it).
    """
    tmp = path.with_name(path.name + SUFFIX)
    backup: Path | None = None
    conn = None
    mode = None  # the store's journal mode, put back if it is left plain
    try:
        conn = _connect(path)
        revision = _revision(conn)
        refuse_newer(revision, what)  # before anything is written
        try:
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
            conn.execute("PRAGMA journal_mode = DELETE")  # only the one connection may do it
        except Exception as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(
                    f"The central store {path} is open in another ccodesk program (an older "
                    "one, or a command still running). Close it, then open the store again: "
                    "this ccodesk encrypts it first, and nothing was changed."
                ) from exc
            raise
        if not is_plain(path):
            return None
        tmp.unlink(missing_ok=True)  # left by an attempt that was stopped
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(tmp), _key(database_key)))
        conn.execute("BEGIN EXCLUSIVE")
        seen = conn.execute("PRAGMA main.data_version").fetchone()[0]
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute("COMMIT")  # writes the copy; the store itself is only read
        conn.execute("BEGIN EXCLUSIVE")  # and locked again while the copy replaces it
        if conn.execute("PRAGMA main.data_version").fetchone()[0] != seen:
            raise StoreBusy(
                f"The central store {path} was written to by another program while it was "
                "being encrypted. Close every other ccodesk program, then open it again; "
                "nothing was changed."
            )
        if _objects(conn, "main") != _objects(conn, "encrypted") or _tables(
            conn, "main"
        ) != _tables(conn, "encrypted"):
            raise StoreError(
                f"The encrypted copy of the central store {path} did not match it, so it was "
                "not used; nothing was changed. Keep the store and tell whoever supports "
                "ccodesk."
            )
        _fsync(tmp)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        label = f"before-encryption-schema-{revision}" if revision else "before-encryption"
        backup = _copy_into(tmp, backups, f"{path.stem}-{stamp}-{label}.db")
        os.replace(tmp, path)
        mode = None  # the plain store is gone
        _fsync_folder(path.parent)
        conn.execute("ROLLBACK")
    except KnownError:
        _clean(path, tmp, backup)
        raise
    except OSError as exc:
        _clean(path, tmp, backup)
        raise file_problem(exc, path, "encrypt") from exc
    except Exception as exc:
        _clean(path, tmp, backup)
        known = store_problem(exc, path, backups)
        if known is None:
            raise
        raise known from exc
    finally:
        if conn is not None:
            with contextlib.suppress(Exception):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if mode is not None and mode != "delete" and is_plain(path):
                    conn.execute(f"PRAGMA main.journal_mode = {mode}")  # as it was
            with contextlib.suppress(Exception):
                conn.close()
    done = Encrypted(path, backup, revision, _plain_copies(backups))
    log.info("%s", done.notice())
    return done


def _clean(path: Path, tmp: Path, backup: Path | None) -> None:
    """Remove what an encryption stopped part-way wrote, the store itself still plain."""
    for name in (tmp, Path(f"{tmp}-journal")):
        with contextlib.suppress(OSError):
            name.unlink(missing_ok=True)
    with contextlib.suppress(OSError, KnownError):
        if backup is not None and is_plain(path):  # the store was not replaced: no copy of it
            backup.unlink(missing_ok=True)


def _plain_copies(backups: Path) -> list[Path]:
    try:
        return sorted(p for p in backups.glob("*.db") if is_plain(p))
    except (OSError, KnownError):
        return []
