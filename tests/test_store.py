"""The encrypted store: keys, wrong keys, protection by passphrase, refusal of newer stores."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path

import keyring
import pytest
from sqlalchemy import text

from ccodesk.errors import (
    KeyUnavailable,
    StoreError,
    StoreExists,
    StoreNotFound,
    StoreTooNew,
    WrongKey,
)
from ccodesk.models import Organisation, OrganisationType
from ccodesk.store import DB_FILE, Store, StoreInfo, create_store, open_store
from ccodesk.store.keys import KeyringKeys, Secrets
from ccodesk.store.search_index import INDEXED


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files_digest(data_dir: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in sorted(data_dir.rglob("*")) if p.is_file()}


def test_database_file_is_encrypted(store: Store) -> None:
    with store.transaction() as s:
        s.add(Organisation(name="Somers Town Mosque", org_type=OrganisationType.FAITH_GROUP))
    store.close()
    raw = (store.data_dir / DB_FILE).read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"Somers Town" not in raw
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(store.data_dir / DB_FILE).execute("SELECT * FROM sqlite_master").fetchall()


def test_plain_sqlite3_command_cannot_read_it(store: Store) -> None:
    import shutil

    store.close()
    if shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 command is not installed")
    result = subprocess.run(
        ["sqlite3", str(store.data_dir / DB_FILE), ".tables"], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "not a database" in result.stderr


def test_reopen_keeps_data_and_identity(store: Store) -> None:
    with store.transaction() as s:
        s.add(Organisation(name="Kentish Town Residents", org_type=OrganisationType.OTHER))
    device, key = store.device_id, store.public_key_openssh()
    store.close()
    with open_store(store.data_dir) as again, again.session() as s:
        assert again.device_id == device
        assert again.public_key_openssh() == key
        assert again.borough_code == "camden"
        assert s.scalar(text("SELECT count(*) FROM organisation")) == 1


def test_public_key_is_openssh_ed25519(store: Store) -> None:
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    line = store.public_key_openssh()
    assert line.startswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5")
    load_ssh_public_key(" ".join(line.split()[:2]).encode())
    assert line.endswith(f"ccodesk:camden:{store.device_id}")


def test_wrong_key_is_refused_and_changes_nothing(store: Store) -> None:
    store.close()
    data_dir = store.data_dir
    before = _files_digest(data_dir)
    info = StoreInfo.read(data_dir)
    KeyringKeys(info.store_id).save(Secrets.generate())  # another store's key
    with pytest.raises(WrongKey, match="does not open"):
        open_store(data_dir)
    assert _files_digest(data_dir) == before


def test_missing_keyring_entry_gives_a_clear_error(store: Store) -> None:
    store.close()
    KeyringKeys(store.info.store_id).forget()
    with pytest.raises(KeyUnavailable, match="not in this computer's keyring"):
        open_store(store.data_dir)


def test_no_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match="ccodesk-cli init"):
        open_store(tmp_path / "nothing-here")


def test_create_refuses_to_overwrite(store: Store) -> None:
    store.close()
    before = _files_digest(store.data_dir)
    with pytest.raises(StoreExists):
        create_store(store.data_dir, borough_code="camden", officer_name="Someone Else")
    assert _files_digest(store.data_dir) == before


def test_newer_store_is_refused_untouched(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    before = _files_digest(store.data_dir)
    with pytest.raises(StoreTooNew, match="newer than this ccodesk"):
        open_store(store.data_dir)
    assert _files_digest(store.data_dir) == before
    assert not (store.data_dir / "backups").exists()


class TestPassphraseProtection:
    """Where no keyring works, a key file sealed with a passphrase protects the keys."""

    @pytest.fixture(autouse=True)
    def no_keyring(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from keyring.backends import fail

        keyring.set_keyring(fail.Keyring())

    def test_falls_back_to_key_file(self, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CCODESK_PASSPHRASE", "correct horse battery")
        with create_store(data_dir, borough_code="camden", officer_name="Ada") as s:
            assert s.info.protection == "keyfile"
        sealed = json.loads((data_dir / "keys.enc").read_text())
        assert sealed["kdf"]["name"] == "scrypt"
        assert oct((data_dir / "keys.enc").stat().st_mode & 0o777) == "0o600"
        with open_store(data_dir) as again:
            assert again.officer_name == "Ada"

    def test_wrong_passphrase(self, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CCODESK_PASSPHRASE", "correct horse battery")
        create_store(data_dir, borough_code="camden", officer_name="Ada").close()
        before = _files_digest(data_dir)
        monkeypatch.setenv("CCODESK_PASSPHRASE", "wrong horse battery")
        with pytest.raises(WrongKey, match="Wrong passphrase"):
            open_store(data_dir)
        assert _files_digest(data_dir) == before

    def test_prompt_is_used_when_no_environment(self, data_dir: Path) -> None:
        asked: list[bool] = []

        def prompt(confirm: bool) -> str:
            asked.append(confirm)
            return "a long enough passphrase"

        create_store(data_dir, borough_code="camden", officer_name="Ada", prompt=prompt).close()
        open_store(data_dir, prompt=prompt).close()
        assert asked == [True, False]

    def test_no_passphrase_at_all(self, data_dir: Path) -> None:
        with pytest.raises(KeyUnavailable, match="CCODESK_PASSPHRASE"):
            create_store(data_dir, borough_code="camden", officer_name="Ada")
        assert not (data_dir / DB_FILE).exists()
        assert not (data_dir / "store.json").exists()

    def test_short_passphrase_refused(
        self, data_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CCODESK_PASSPHRASE", "short")
        with pytest.raises(StoreError, match="at least 8"):
            create_store(data_dir, borough_code="camden", officer_name="Ada")
        assert not (data_dir / "store.json").exists()


def test_pragmas(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()
        fts = (
            conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE '%_fts' ORDER BY name"
            )
            .scalars()
            .all()
        )
    assert fts == sorted(f"{table}_fts" for table in INDEXED)


def test_reference_data_loaded(store: Store) -> None:
    with store.session() as s:
        counts = {
            table: s.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in (
                "borough",
                "priority_group",
                "consultation_method",
                "consultation_matrix",
                "topic",
            )
        }
    assert counts["borough"] == 33
    assert counts["priority_group"] == 8
    assert counts["consultation_method"] == 10
    assert counts["consultation_matrix"] == 13
    assert counts["topic"] >= 24
