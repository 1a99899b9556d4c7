"""Errors the user can act on, each with a message in plain words (no tracebacks)."""

from __future__ import annotations


class KnownError(Exception):
    """An error whose message is fit to show a user as it is."""


class StoreError(KnownError):
    """The store cannot be created or opened."""


class StoreNotFound(StoreError):
    """There is no store in the data directory."""


class StoreExists(StoreError):
    """A store already exists where a new one was to be created."""


class WrongKey(StoreError):
    """The database key or passphrase does not open this store."""


class DatabaseLoginRefused(StoreError):
    """The central database refused the user name and password."""


class StoreTooNew(StoreError):
    """The store was written by a newer ccodesk than this one."""


class StoreNeedsUpgrade(StoreError):
    """The store is older than this ccodesk and is migrated only when asked (PostgreSQL)."""


class KeyUnavailable(StoreError):
    """The key cannot be reached: no keyring entry, or no passphrase given."""


class ValidationError(KnownError):
    """Input that breaks a rule; `problems` lists every one of them."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class NotFound(KnownError):
    """No record with the given id."""


class Cancelled(Exception):
    """The user pressed Cancel: the work stopped and nothing of it was written.

    Not a `KnownError`: nothing went wrong, so there is nothing to warn about. Every long job
    that offers Cancel raises it (from a check of its `cancelled()` flag) inside its
    transaction, which then rolls back.
    """

    def __init__(self, message: str = "Cancelled; nothing was written.") -> None:
        super().__init__(message)


class FileProblem(KnownError):
    """A file could not be read or written: the disk is full or read-only, no permission…"""


class DiskFull(FileProblem):
    """The disk holding a file or the store is full."""


class StoreBusy(StoreError):
    """Another program holds the store's write lock for longer than we wait."""


class StoreDamaged(StoreError):
    """The store's file is damaged: restore it from a backup."""
