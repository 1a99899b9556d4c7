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


class StoreTooNew(StoreError):
    """The store was written by a newer ccodesk than this one."""


class KeyUnavailable(StoreError):
    """The key cannot be reached: no keyring entry, or no passphrase given."""


class ValidationError(KnownError):
    """Input that breaks a rule; `problems` lists every one of them."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class NotFound(KnownError):
    """No record with the given id."""
