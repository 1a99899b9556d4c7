"""Opening the central store (SQLite): only `init` creates one, and `upgrade` migrates it.

Migrating each released schema (with its backup) and refusing a newer one are in
test_migrations.py; PostgreSQL's refusal of an older schema is in test_sync_postgres.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from ccodesk.cli.central import main
from ccodesk.errors import StoreDamaged
from ccodesk.store.schema import SCHEMA_HEAD, current_revision
from ccodesk.sync.central import init_central, open_central
from tests.test_migrations import _central_engine, _copy_central, _counts


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A central unit set up by init, on its own central.db."""
    home = tmp_path / "centre"
    init_central(home, None, "MPA Central Unit").close()
    return home


def _left(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir())


def test_a_missing_central_store_is_refused_not_recreated(home: Path) -> None:
    (home / "central.db").unlink()
    left = _left(home)
    for upgrade in (False, True):  # not by `upgrade` either: only init creates a central store
        with pytest.raises(StoreDamaged, match=r"central\.db is missing.*'ccodesk-central init'"):
            open_central(home, None, upgrade=upgrade)
    assert _left(home) == left


def test_an_empty_central_store_is_refused_untouched(home: Path) -> None:
    (home / "central.db").write_bytes(b"")
    for name in ("central.db-wal", "central.db-shm"):
        (home / name).unlink(missing_ok=True)
    left = _left(home)
    with pytest.raises(StoreDamaged, match=r"central\.db is empty: it holds no ccodesk data"):
        open_central(home, None)
    assert _left(home) == left
    assert (home / "central.db").stat().st_size == 0


def test_the_command_line_says_so_in_one_line(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "central.db").unlink()
    assert main(["--home", str(home), "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ccodesk-central: error: The central store ")
    assert "is missing" in err and "Traceback" not in err
    assert not (home / "central.db").exists()


def test_a_new_database_is_set_up_only_when_asked(home: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    with pytest.raises(StoreDamaged, match=r"other\.db is missing.* --db sqlite:///.* upgrade'"):
        open_central(home, url)
    assert not (tmp_path / "other.db").exists()
    assert main(["--home", str(home), "--db", url, "upgrade", "--yes"]) == 0
    with open_central(home, url) as central:
        assert current_revision(central.engine) == SCHEMA_HEAD
        assert central.backup is None  # nothing was there to copy


def test_upgrade_migrates_an_older_central_store_after_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _copy_central("0012", tmp_path, monkeypatch)
    original = hashlib.sha256((home / "central.db").read_bytes()).hexdigest()
    before = _counts(create_engine(f"sqlite:///{home / 'central.db'}"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--home", str(home), "upgrade"]) == 1  # no terminal to confirm on
    assert "Nothing was changed" in capsys.readouterr().err
    assert not (home / "backups").exists()
    assert hashlib.sha256((home / "central.db").read_bytes()).hexdigest() == original
    assert main(["--home", str(home), "upgrade", "--yes"]) == 0
    out, err = capsys.readouterr()
    assert f"is at schema {SCHEMA_HEAD} (a copy of it before: " in out
    assert "was not encrypted" in err and "is now encrypted" in err  # said once, on stderr
    (copy,) = (home / "backups").glob("central-*-schema-0012.db")
    assert _counts(_central_engine(home, copy)) == before  # the store as it was, encrypted
    engine = _central_engine(home)
    try:
        assert current_revision(engine) == SCHEMA_HEAD
    finally:
        engine.dispose()
    assert main(["--home", str(home), "upgrade", "--yes"]) == 0  # at the head: nothing to do
    assert "(a copy" not in capsys.readouterr().out
    assert len(list((home / "backups").glob("*.db"))) == 1
