"""Recovery by IT with stock tools: the database key as SQLCipher takes it, and a plain copy.

The store is a SQLCipher 4 file keyed with a raw 256-bit key (no KDF: the key is random, not
a passphrase). `key_file_text` writes that key in the ``x'…'`` form a SQLCipher shell's
``PRAGMA key`` takes, with comment lines naming the settings; `export_plain` writes an
unencrypted SQLite copy (``sqlcipher_export`` into an attached plaintext database) that
Debian's own ``sqlite3`` opens. docs/user-guide.md, "Recovering a store (for IT)".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import tempfile
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from ccodesk.errors import KnownError
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_create_bytes

# The store's SQLCipher settings: SQLCipher 4's defaults (a test reads them back from a store).
SQLCIPHER_SETTINGS = (
    ("cipher_compatibility", "4"),
    ("cipher_page_size", "4096"),
    ("cipher_hmac_algorithm", "HMAC_SHA512"),
    ("cipher_kdf_algorithm", "PBKDF2_HMAC_SHA512"),
    ("kdf_iter", "256000"),
    ("cipher_plaintext_header_size", "0"),
)


class RecoveryError(KnownError):
    """A recovery file could not be written (nothing was)."""


def key_literal(database_key: bytes) -> str:
    """The key as SQLCipher's PRAGMA key takes a raw key: x'<64 hex digits>'."""
    return f"x'{database_key.hex()}'"


def key_file_text(store: Any) -> str:
    """The content of a database key file: comment lines, then the key line."""
    settings = ", ".join(f"{name} = {value}" for name, value in SQLCIPHER_SETTINGS)
    literal = key_literal(store.database_key())
    return (
        f"# ccodesk database key of the store {store.info.store_id} ({store.path})\n"
        f"# written {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; whoever has this file "
        "and the store can read every record in it\n"
        "# SQLCipher 4, a raw 256-bit key (no KDF is run on it); settings: "
        f"{settings}\n"
        '# in a SQLCipher 4 shell, first: PRAGMA key = "<the line below>"; '
        "PRAGMA cipher_compatibility = 4;\n"
        f"{literal}\n"
    )


def key_from_file_text(text: str) -> str:
    """The key line of a key file's text (the one line that is not a comment)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keys = [line for line in lines if not line.startswith("#")]
    if len(keys) != 1:
        raise RecoveryError("That is not a ccodesk database key file (no single key line).")
    return keys[0]


def _refuse_existing(path: Path) -> None:
    if path.exists() or path.is_symlink():
        raise RecoveryError(f"{path} already exists; it was left as it is.")
    if not path.parent.is_dir():
        raise RecoveryError(f"The folder {path.parent} does not exist; nothing was written.")


def write_key_file(store: Any, path: Path) -> Path:
    """Write the database key file to a new file `path` (mode 0600; never over a file)."""
    _refuse_existing(path)
    try:
        atomic_create_bytes(path, key_file_text(store).encode(), mode=0o600)
    except FileExistsError as exc:
        raise RecoveryError(f"{path} already exists; it was left as it is.") from exc
    except OSError as exc:
        raise RecoveryError(f"Could not write {path}: {os_reason(exc)}") from exc
    return path


_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}


def export_plain(store: Any, path: Path) -> Path:
    """Write an unencrypted SQLite copy of the store to a new file `path` (mode 0600).

    The copy is made by SQLCipher's ``sqlcipher_export`` into a temp file beside `path`,
    attached with an empty key (plaintext), then linked into place: a reader sees no file or
    the whole one, and an existing file is never replaced.
    """
    _refuse_existing(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)  # mkstemp made it 0600; SQLite writes the database into it
    tmp = Path(name)
    try:
        raw = store.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("ATTACH DATABASE ? AS plaintext KEY ''", (str(tmp),))
            try:
                cursor.execute("SELECT sqlcipher_export('plaintext')")
            finally:
                cursor.execute("DETACH DATABASE plaintext")
            cursor.close()
        finally:
            raw.close()
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            atomic_create_bytes(path, tmp.read_bytes(), mode=0o600)  # FAT: no hard links
    except FileExistsError as exc:
        raise RecoveryError(f"{path} already exists; it was left as it is.") from exc
    except OSError as exc:
        raise RecoveryError(f"Could not write {path}: {os_reason(exc)}") from exc
    except sqlcipher.Error as exc:  # SQLite's own (disk full while exporting, …)
        raise RecoveryError(f"Could not write {path}: {exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return path
