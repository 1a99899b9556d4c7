"""Telling a damaged store from a wrong key, when SQLCipher says "file is not a database".

SQLCipher encrypts and authenticates each 4 KiB page on its own (an HMAC over the page and its
number), keyed from the database key and the salt in the file's first 16 bytes. So when the
first page fails its check, the other pages still tell: if any of them passes, the key is
right and the file is damaged. When none passes (the salt itself is damaged, or the key is
wrong), a backup that opens with the key shows the key is right.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ccodesk.errors import StoreDamaged, StoreError, WrongKey

PAGE = 4096  # SQLCipher 4's page size, which ccodesk keeps
BACKUPS_TRIED = 3


def _connect(path: Path, database_key: bytes):  # type: ignore[no-untyped-def]
    import sqlcipher3

    conn = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")  # its own log lines are noise to a user
    conn.execute(f"PRAGMA key = \"x'{database_key.hex()}'\"")
    return conn


def some_page_verifies(path: Path, database_key: bytes) -> bool:
    """Whether `database_key` authenticates any page of `path` (so the key is right), or the
    file is cut short of a whole page (so it is damaged whatever the key)."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size % PAGE:
        return True
    pages = size // PAGE
    if pages < 2:
        return False
    try:
        conn = _connect(path, database_key)
        try:
            lines = [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
        finally:
            conn.close()
    except Exception:  # the check itself failed: it proves nothing either way
        return False
    failed = sum("HMAC verification failed" in line for line in lines)
    return failed < pages


def backup_opens(data_dir_backups: Path, database_key: bytes) -> Path | None:
    """The newest of the last few backups that opens with `database_key`, if any."""
    try:
        copies = sorted(data_dir_backups.glob("*.db"), reverse=True)[:BACKUPS_TRIED]
    except OSError:
        return None
    for copy in copies:
        with contextlib.suppress(Exception):
            conn = _connect(copy, database_key)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return copy
            finally:
                conn.close()
    return None


def unreadable_store(
    path: Path, backups: Path, database_key: bytes, *, central: bool = False
) -> StoreError:
    """The error for a store that fails at its first page: damaged, or another key.
    `central`: the central unit's store (its recovery is not the borough's command)."""
    if some_page_verifies(path, database_key) or backup_opens(backups, database_key):
        recover = "" if central else ", or ask IT to recover it ('ccodesk-cli recovery')"
        return StoreDamaged(
            f"The store {path} is damaged at its start, so it cannot be opened (the key is "
            f"right). Restore the newest copy from {backups}{recover}."
        )
    whose = "this central unit's store" if central else "this computer's store"
    return WrongKey(
        f"The key does not open {path}: it is encrypted with another key, or it is not a "
        f"ccodesk store, or its very start is damaged. If it is {whose}, restore the newest "
        f"copy from {backups}."
    )
