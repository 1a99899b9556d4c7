"""The central store on SQLite is encrypted with SQLCipher, under the centre's database key.

A stolen central laptop must not yield the boroughs' merged records: the file holds nothing in
clear, its WAL neither. A plain store made before (every released schema's is migrated in
test_migrations.py) is encrypted in place when opened, after an encrypted copy into backups/;
stopped part-way it is left as it was. A wrong key or a damaged file is one plain message.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from ccodesk.cli.central import main as central_main
from ccodesk.errors import DiskFull, StoreBusy, StoreDamaged, WrongKey
from ccodesk.models import Contact
from ccodesk.services.directory import ContactDraft, save_contact
from ccodesk.store.encrypting import HEADER, SUFFIX
from ccodesk.store.schema import checkpoint
from ccodesk.sync.central import Central, open_central
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.export import export_bundle
from tests.test_faults_disk_full import fill, small_disk  # noqa: F401  (a fixture)
from tests.test_migrations import _central_engine, _copy_central, _counts
from tests.test_sync import add_engagement, make_borough, make_central, titles

LAST_PLAIN = "0015"  # central stores ccodesk wrote before it encrypted them
TITLE = "Quillfeather Estate walkabout"
NAME = "Philippa Ravensworth-Okonjo"
EMAIL = "p.ravensworth@example.org"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = make_central(tmp_path / "central")
    yield c
    c.close()


def _files(home: Path) -> dict[str, object]:
    """What `home` holds: each file's bytes, the plain store's rows instead of its bytes (the
    journal mode, switched to take the store alone and back, changes its header's counter)."""
    from sqlalchemy import create_engine

    found: dict[str, object] = {}
    for path in sorted(home.iterdir()):
        if path.name == "central.db" and path.read_bytes().startswith(HEADER):
            found[path.name] = _counts(create_engine(f"sqlite:///{path}"))
        elif path.is_file():
            found[path.name] = path.read_bytes()
    return found


def _journal_mode(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def _in_clear(data: bytes) -> list[str]:
    words = (HEADER.decode("ascii").rstrip("\0"), TITLE, NAME, EMAIL, "Camden")
    return [w for w in words if w.encode() in data or w.encode("utf-16-le") in data]


def test_a_merged_central_store_holds_nothing_in_clear(tmp_path: Path, central: Central) -> None:
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    engagement = add_engagement(camden, TITLE)
    with camden.transaction() as s:
        save_contact(
            s,
            ContactDraft(
                name=NAME,
                email=EMAIL,
                phone="020 7946 0321",
                consent_given=True,
                consent_date=dt.date(2026, 11, 1),
                shareable=True,
            ),
        )
    bundle = tmp_path / "camden-1.ccbundle"
    export_bundle(camden, bundle)
    camden.close()
    assert merge_bundle(central, bundle).ok
    assert titles(central)[engagement] == (TITLE, False)
    with central.session() as s:
        assert s.scalars(select(Contact.email).where(Contact.name == NAME)).one() == EMAIL
    db = central.home / "central.db"
    wal = Path(f"{db}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the merge is in the WAL: checked too
    for path in (db, wal):
        assert _in_clear(path.read_bytes()) == [], path
    checkpoint(central.engine)
    central.close()
    for path in central.home.rglob("central*"):  # the store, its WAL if left, any copy
        assert _in_clear(path.read_bytes()) == [], path
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):  # no key, no store
        sqlite3.connect(db).execute("SELECT count(*) FROM sqlite_master").fetchone()
    with open_central(central.home, None) as again:  # the centre's own key opens it
        assert titles(again)[engagement] == (TITLE, False)
        assert again.encrypted is None and again.backup is None


def test_a_plain_store_is_encrypted_when_opened_its_data_intact_and_a_copy_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import create_engine

    from ccodesk.store.schema import SCHEMA_HEAD

    home = _copy_central(LAST_PLAIN, tmp_path, monkeypatch)  # the last schema made plain
    before = _counts(create_engine(f"sqlite:///{home / 'central.db'}"))
    old = home / "backups" / "central-20261120-101010-000000-schema-0012.db"
    old.parent.mkdir()
    shutil.copyfile(home / "central.db", old)  # a copy an older ccodesk took: plain
    assert central_main(["--home", str(home), "status"]) == 0
    out, err = capsys.readouterr()
    assert "Bundles merged" in out or "bundles" in out.lower()
    (line,) = err.splitlines()
    assert line.startswith(f"The central store {home / 'central.db'} was not encrypted")
    assert "A copy of it as it was, encrypted too, is in " in line
    assert f"1 older copy in {home / 'backups'} is not encrypted" in line
    assert "delete it" in line
    assert not (home / "central.db").read_bytes().startswith(HEADER)
    (copy,) = (home / "backups").glob(f"*-before-encryption-schema-{LAST_PLAIN}.db")
    # the store encrypted, then migrated to this program's schema; the copy as it was
    revision, after = _counts(_central_engine(home))
    assert revision == SCHEMA_HEAD and {k: after[k] for k in before[1]} == before[1]
    assert _counts(_central_engine(home, copy)) == before
    assert not copy.read_bytes().startswith(HEADER)
    assert not list(home.glob(f"*{SUFFIX}*"))
    assert central_main(["--home", str(home), "status"]) == 0  # once only
    assert capsys.readouterr().err == ""
    assert len(list((home / "backups").glob("*.db"))) == 2


@pytest.mark.parametrize("fails", ["the copy", "the replacement"])
def test_a_plain_store_stopped_part_way_is_left_as_it_was(
    fails: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _copy_central("0015", tmp_path, monkeypatch)
    before = _files(home)
    replace = os.replace

    def full(source: object, target: object) -> None:
        if (Path(str(target)).name == "central.db") == (fails == "the replacement"):
            raise OSError(errno.ENOSPC, "No space left on device")
        replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr("ccodesk.store.encrypting.os.replace", full)
    with pytest.raises(DiskFull, match="the disk is full"):
        open_central(home, None)
    monkeypatch.setattr("ccodesk.store.encrypting.os.replace", replace)
    assert _files(home) == before  # the plain store as it was; no temporary file
    assert _journal_mode(home / "central.db") == "wal"
    assert not (home / "backups").exists() or not list((home / "backups").iterdir())
    with open_central(home, None) as central:  # and the next opening encrypts it
        assert central.encrypted is not None
    assert not (home / "central.db").read_bytes().startswith(HEADER)


def test_a_plain_store_on_a_full_disk_is_left_as_it_was(
    small_disk: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = _copy_central("0015", tmp_path, monkeypatch)
    home = shutil.copytree(source, small_disk / "central")
    before = _files(home)
    filler = fill(small_disk, 64 * 1024)  # room for less than the encrypted copy
    assert central_main(["--home", str(home), "status"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("ccodesk-central: error: ") and "full" in line, line
    assert _files(home) == before
    assert not (home / "backups").exists() or not list((home / "backups").iterdir())
    filler.unlink()
    assert central_main(["--home", str(home), "status"]) == 0
    assert not (home / "central.db").read_bytes().startswith(HEADER)


HOLDER = """
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM engagement").fetchone()
print("open", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.05)
conn.close()
"""


def test_a_plain_store_open_in_another_program_is_not_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _copy_central("0015", tmp_path, monkeypatch)
    db, done = home / "central.db", tmp_path / "done"
    older = subprocess.Popen(  # an older ccodesk, still running (its own process: its locks)
        [sys.executable, "-c", HOLDER, str(db), str(done)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert older.stdout is not None and older.stdout.readline() == "open\n"
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        with pytest.raises(StoreBusy, match=r"open in another ccodesk program.*Close it"):
            open_central(home, None)
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        assert not (home / "backups").exists()
    finally:
        done.touch()
        older.communicate(timeout=30)  # and its pipe closed
    with open_central(home, None) as central:
        assert central.encrypted is not None


def test_another_centres_key_is_one_plain_message(
    tmp_path: Path, central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    central.close()
    other = make_central(tmp_path / "other")
    other.close()
    home = central.home
    shutil.copyfile(other.home / "central.db", home / "central.db")
    for suffix in ("-wal", "-shm"):
        Path(f"{home / 'central.db'}{suffix}").unlink(missing_ok=True)
    before = _files(home)
    with pytest.raises(WrongKey, match=r"The key does not open .*central\.db"):
        open_central(home, None)
    assert central_main(["--home", str(home), "status"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("ccodesk-central: error: The key does not open ")
    assert "this central unit's store" in line and "ccodesk-cli" not in line
    assert _files(home) == before


def test_a_damaged_start_is_one_plain_message(
    central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint(central.engine)
    central.close()
    db = central.home / "central.db"
    data = bytearray(db.read_bytes())
    data[100:4096] = bytes(3996)  # the first page: not the salt, the rest of it
    db.write_bytes(bytes(data))
    with pytest.raises(StoreDamaged, match=r"damaged at its start.*\(the key is right\)"):
        open_central(central.home, None)
    assert central_main(["--home", str(central.home), "status"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("ccodesk-central: error: The store ") and "damaged" in line


def test_the_desktop_says_once_that_a_plain_store_was_encrypted(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ccodesk.settings import Settings
    from ccodesk.ui.central_window import CentralWindow

    home = _copy_central("0015", tmp_path, monkeypatch)
    for attempt in (1, 2):
        window = CentralWindow(None, Settings(), home=home)
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.central_ready, timeout=60_000):
            window.open_in_background(None, "fixture passphrase 0015")
        notice = getattr(window, "encrypted_notice", None)
        if attempt == 1:
            assert notice is not None and notice.isVisible()
            assert "is now encrypted" in notice.text()
            notice.accept()
        else:
            assert notice is None  # encrypted already: nothing to say
        window.close_store()
        window.close()
