"""What a store directory holds, readable without opening the store.

Light on purpose: the desktop app reads these before it shows its window, and leaves importing
SQLAlchemy, the models and the key handling to a background thread (see `ccodesk.ui.app`); the
few heavier imports here are made inside the functions that need them.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ccodesk.errors import StoreError, StoreNotFound

DB_FILE = "ccodesk.db"
INFO_FILE = "store.json"
BACKUP_DIR = "backups"
DATA_DIR_ENV = "CCODESK_DATA_DIR"
PASSPHRASE_ENV = "CCODESK_PASSPHRASE"  # unlocks a key file without a prompt


def default_data_dir() -> Path:
    """The store's directory: $CCODESK_DATA_DIR, else the platform's user data directory."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs  # ~4 ms: imported when needed, not at start-up

    return platformdirs.user_data_path("ccodesk", appauthor=False)


@dataclass(frozen=True)
class StoreInfo:
    """The non-secret facts in store.json."""

    store_id: str
    device_id: str
    protection: str  # "keyring" or "keyfile"
    created: str
    format: int = 1

    @classmethod
    def read(cls, data_dir: Path) -> StoreInfo:
        path = data_dir / INFO_FILE
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError as e:
            raise StoreNotFound(
                f"There is no ccodesk store in {data_dir}. Create one with "
                "'ccodesk-cli init --borough NAME --officer NAME'."
            ) from e
        except (ValueError, RecursionError) as e:
            raise StoreError(f"{path} is damaged ({e}); restore it from a backup.") from e
        except OSError as e:
            from ccodesk.failures import file_problem

            raise file_problem(e, path, "read") from e
        try:
            fields = {k: doc[k] for k in ("store_id", "device_id", "protection", "created")}
        except KeyError as e:
            raise StoreError(f"{path} is missing {e}; restore it from a backup.") from e
        except TypeError as e:
            raise StoreError(f"{path} is damaged ({e}); restore it from a backup.") from e
        if not all(isinstance(v, str) for v in fields.values()):
            raise StoreError(f"{path} is damaged (a field is not text); restore it from a backup.")
        return cls(**fields)

    def write(self, data_dir: Path) -> None:
        from ccodesk.failures import file_boundary
        from ccodesk.fileio import atomic_write_bytes

        with file_boundary(data_dir / INFO_FILE):
            atomic_write_bytes(data_dir / INFO_FILE, json.dumps(asdict(self), indent=2).encode())


def store_exists(data_dir: Path) -> bool:
    """Whether `data_dir` holds a store (its store.json), without opening it."""
    return (data_dir / INFO_FILE).exists()
