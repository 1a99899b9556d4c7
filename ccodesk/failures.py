"""One failure policy, and the translation of OS and SQLite failures into plain words.

- `KnownError` (disk full, store busy, damaged file, wrong key, refused bundle…): a message the
  user can act on, shown as it is.
- `Cancelled`: the user stopped the work and nothing of it was written; not an error.
- Anything else is a bug: the desktop's crash dialog (`ccodesk.ui.crash`), or on the command
  line one short line and the path of the log that holds the traceback (`run_command`).

OS errors are translated where a file is read or written (`file_problem`, `file_boundary`),
SQLite's at the store's engine (`store_problem`, `translate_store_errors`), so every layer above
sees either a `KnownError` naming the file or a bug.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ccodesk.errors import (
    Cancelled,
    DiskFull,
    FileProblem,
    KnownError,
    StoreBusy,
    StoreDamaged,
    StoreError,
)

# -- files -----------------------------------------------------------------------------------

_FULL = {errno.ENOSPC, errno.EDQUOT}
_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "the file or its folder does not exist",
    errno.ENOTDIR: "part of its path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.EIO: "the disk reported an error",
    errno.ENAMETOOLONG: "the name is too long",
}


def os_reason(exc: OSError) -> str:
    """What went wrong, in plain words: "the disk is full", "permission denied"…"""
    if exc.errno in _FULL:
        return "the disk is full"
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def file_problem(exc: OSError, path: Path | str, doing: str = "write") -> FileProblem:
    """A `FileProblem` (a `DiskFull` when the disk is full) naming `path`, from `exc`."""
    if exc.errno in _FULL:
        return DiskFull(
            f"Cannot {doing} {path}: the disk is full. Free some space and try again; "
            "nothing was lost."
        )
    return FileProblem(f"Cannot {doing} {path}: {os_reason(exc)}.")


@contextlib.contextmanager
def file_boundary(path: Path | str, doing: str = "write") -> Iterator[None]:
    """Turn an OSError raised inside into a `FileProblem` naming `path`."""
    try:
        yield
    except OSError as exc:
        raise file_problem(exc, path, doing) from exc


# -- the store -------------------------------------------------------------------------------


def _damaged(path: Path, backups: Path | None) -> StoreDamaged:
    restore = (
        f"Restore the newest copy from {backups}, or ask IT to recover it ('ccodesk-cli recovery')."
        if backups
        else "Restore it from the newest backup."
    )
    return StoreDamaged(
        f"The store {path} is damaged: part of it cannot be read, so ccodesk stopped before "
        f"writing anything more. {restore}"
    )


def store_problem(
    exc: BaseException,
    path: Path,
    backups: Path | None,
    *,
    unreadable: Callable[[], StoreError] | None = None,
) -> KnownError | None:
    """The `KnownError` for a SQLite failure `exc` on the store `path`; None when it is not
    one of the failures a user can act on (then it is a bug).

    `unreadable`: called for "file is not a database" to tell a wrong key from damage.
    """
    text = str(exc).lower()
    if "database or disk is full" in text or "disk is full" in text or _no_room(text, path):
        return DiskFull(
            f"The disk holding the store {path} is full, so ccodesk stopped without saving "
            "anything half-done (nothing was lost). Free some space and try again."
        )
    if "database is locked" in text or "database is busy" in text or "table is locked" in text:
        return StoreBusy(
            f"The store {path} is busy: another ccodesk program is writing to it. Try again "
            "when it has finished."
        )
    if "readonly database" in text or "read-only" in text:
        return StoreError(
            f"The store {path} is read-only, so ccodesk cannot save to it: "
            f"{_why_not_writable(path)}."
        )
    if "malformed" in text or "corrupt" in text:
        return _damaged(path, backups)
    if "not a database" in text:
        return unreadable() if unreadable else _damaged(path, backups)
    if "unable to open database file" in text:
        return StoreError(f"The store {path} cannot be opened: {_why_not_writable(path)}.")
    if "disk i/o error" in text:
        return StoreError(
            f"The disk holding the store {path} reported an error reading or writing it. "
            "Nothing more was written; check the disk, and keep the store's backups safe."
        )
    return None


def _why_not_writable(path: Path) -> str:
    """Why SQLite could not open or write `path` (it needs to write beside it, even to read)."""
    folder = path.parent
    if not folder.is_dir():
        return f"its folder {folder} does not exist"
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "the disk holding it is read-only"
    except OSError:
        pass
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied: you may not write to it or to its folder"
    return "check the disk, and that you may read and write the file and its folder"


ROOM = 1 << 20  # less free space than this beside the store: an I/O error is a full disk


def _no_room(text: str, path: Path) -> bool:
    """An I/O error (growing the WAL's shared memory, say) on a disk that is all but full."""
    if "disk i/o error" not in text:
        return False
    try:
        return shutil.disk_usage(path.parent).free < ROOM
    except OSError:
        return False


def translate_store_errors(
    engine: Any,
    path: Path,
    backups: Path | None,
    *,
    unreadable: Callable[[], StoreError] | None = None,
) -> None:
    """Have `engine` raise SQLite's failures as `KnownError`s (see `store_problem`)."""
    from sqlalchemy import event

    def handle(context: Any) -> Any:
        original = context.original_exception
        if not _is_sqlite_error(original):
            return None
        known = store_problem(original, path, backups, unreadable=unreadable)
        if known is not None:
            known.__cause__ = original
        return known

    event.listen(engine, "handle_error", handle, retval=True)


def _is_sqlite_error(exc: BaseException) -> bool:
    """SQLite's failures of the file and the lock (not constraints, not bad SQL: bugs)."""
    kind = type(exc)
    return kind.__module__.startswith(("sqlite3", "sqlcipher3", "pysqlite2")) and (
        kind.__name__ in ("OperationalError", "DatabaseError")
    )


# -- Cancel --------------------------------------------------------------------------------


def stop_if_cancelled(cancelled: Callable[[], bool], message: str = "") -> None:
    """Raise `Cancelled` when `cancelled()` is true: call it inside the work's transaction,
    so the rollback leaves nothing written."""
    if cancelled():
        raise Cancelled(message) if message else Cancelled()


# -- the command line ------------------------------------------------------------------------


def run_command(prog: str, command: Callable[[], int], log_name: str) -> int:
    """Run one command line's command under the failure policy; return its exit status.

    KnownError: one plain line, status 1. Cancelled: a line, status 130. Ctrl+C: 130 (the
    commands write atomically, so nothing is left half-done). A broken pipe (`… | head`):
    quiet, 1. Anything else is a bug: one line with the log file's path, status 1; the
    traceback goes to the log only.
    """
    from ccodesk.terminal import printable

    try:
        return int(command())
    except KnownError as exc:
        print(printable(f"{prog}: error: {exc}"), file=sys.stderr)
        return 1
    except Cancelled as exc:
        print(printable(f"{prog}: {exc}"), file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away: stop quietly, as Unix tools do
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 1
    except OSError as exc:
        if exc.errno not in _FULL and exc.errno not in _REASONS:
            print(printable(f"{prog}: {bug_line(exc, log_name)}"), file=sys.stderr)
            return 1
        # not translated where it happened (a bug of its own), yet still the user's to fix
        where = exc.filename or "a file"
        print(printable(f"{prog}: error: {file_problem(exc, where, 'write')}"), file=sys.stderr)
        return 1
    except Exception as exc:
        print(printable(f"{prog}: {bug_line(exc, log_name)}"), file=sys.stderr)
        return 1


def bug_line(exc: BaseException, log_name: str) -> str:
    """Log the bug being handled with its traceback; one line saying where it went."""
    try:
        from ccodesk.logs import log_exception

        where: object = log_exception(f"unexpected {type(exc).__name__}", log_name)
    except Exception:  # the log cannot be written either (a full disk): say so, briefly
        return (
            f"unexpected {type(exc).__name__}: {exc} (a bug in ccodesk; the log could not be "
            "written)"
        )
    return f"unexpected {type(exc).__name__} (a bug in ccodesk); details are in {where}"
