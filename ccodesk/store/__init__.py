"""Opening a store, the borough's and the central unit's: engine, keys, schema, backups.

The modules: `borough` (the borough's encrypted store: engine, `Store`, `open_store`,
`create_store`), `central` (the central unit's engine and schema at open), `schema` (the
steps both share: the revision check, the refusal of a newer schema, the backup before
migrating, the migrations), `keys` (the keyring or the passphrase key file), `info` (what a
store directory holds, readable without opening it), `health` (a damaged store or another
key?), `stamping` (the change stamps of every synced row), `audit_chain`, `search_index`,
`snapshot` (the dashboard's first paint, read without SQLAlchemy) and `recovery` (IT's
plain copies).

This package is imported before the desktop's window shows (`info`, `snapshot`), so it
imports nothing heavy itself: its public names (`from ccodesk.store import Store, open_store`)
are looked up in their modules when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ccodesk.store.borough import Store, create_store, make_engine, migrate, open_store, writer
    from ccodesk.store.info import (
        BACKUP_DIR,
        DATA_DIR_ENV,
        DB_FILE,
        INFO_FILE,
        StoreInfo,
        default_data_dir,
        store_exists,
    )
    from ccodesk.store.keys import keys_for
    from ccodesk.store.schema import SCHEMA_HEAD, checkpoint, current_revision

__all__ = [
    "BACKUP_DIR",
    "DATA_DIR_ENV",
    "DB_FILE",
    "INFO_FILE",
    "SCHEMA_HEAD",
    "Store",
    "StoreInfo",
    "checkpoint",
    "create_store",
    "current_revision",
    "default_data_dir",
    "keys_for",
    "make_engine",
    "migrate",
    "open_store",
    "store_exists",
    "writer",
]

_BOROUGH = ("Store", "create_store", "make_engine", "migrate", "open_store", "writer")
_SCHEMA = ("SCHEMA_HEAD", "checkpoint", "current_revision")
# where each public name is defined: store.json's are light (the desktop's start reads them)
_WHERE = {name: "borough" for name in _BOROUGH} | {name: "schema" for name in _SCHEMA}
_WHERE |= {"keys_for": "keys"} | {name: "info" for name in __all__ if name not in _WHERE}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:  # a submodule not imported yet: the import system imports it
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
