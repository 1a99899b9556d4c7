"""Recovery by IT with stock tools (issue 13, point 3).

`ccodesk-cli key export-database-key` and `ccodesk-cli export-plain` run for real on a demo
store; the plain copy is read by Debian's own `sqlite3` shell, and the encrypted file is opened
by the `sqlcipher3` module with exactly the key file's content and the statements of the
user guide's SQLCipher 4 recipe (read out of docs/user-guide.md, so the guide and the test
cannot drift apart). The guide's plain-copy recipe itself runs in tests/test_docs_commands.py.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from ccodesk.cli.borough import main
from ccodesk.models import Engagement
from ccodesk.store import Store, checkpoint
from ccodesk.store.recovery import SQLCIPHER_SETTINGS, key_from_file_text
from tests.support.sync_attacks import content_digest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "user-guide.md"
needs_sqlite3 = pytest.mark.skipif(
    shutil.which("sqlite3") is None, reason="needs the sqlite3 shell (Debian: sqlite3)"
)


def cli(store: Store, *args: str) -> int:
    return main(["--data-dir", str(store.data_dir), *args])


def guide_sqlcipher_statements() -> list[str]:
    """The SQL lines of the guide's `sqlcipher copy.db <<SQL … SQL` block."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Recovering a store (for IT)", 1)[1]
    heredoc = re.search(r"sqlcipher copy\.db <<SQL\n(.*?)\nSQL\n", section, re.DOTALL)
    assert heredoc, "the guide's SQLCipher 4 recipe is gone"
    return [line for line in heredoc[1].splitlines() if line.strip()]


def engagements(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count(Engagement.id))) or 0)


def test_the_key_file_opens_the_encrypted_store_as_the_guide_says(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "camden-db.key"
    assert cli(demo_store, "key", "export-database-key", "-o", str(key_file), "--yes") == 0
    assert "Wrote the database key to" in capsys.readouterr().out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_text()
    comments = [line for line in content.splitlines() if line.startswith("#")]
    assert any("SQLCipher 4" in line for line in comments)
    for name, value in SQLCIPHER_SETTINGS:  # each setting named in the file
        assert f"{name} = {value}" in content
    key_line = key_from_file_text(content)
    assert re.fullmatch(r"x'[0-9a-f]{64}'", key_line)
    # exactly what `grep -v '^#' camden-db.key` gives the shell
    grepped = subprocess.run(
        ["grep", "-v", "^#", str(key_file)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert grepped == key_line

    checkpoint(demo_store.engine)
    copy = tmp_path / "copy.db"
    shutil.copyfile(demo_store.path, copy)
    statements = guide_sqlcipher_statements()
    assert statements[0] == "PRAGMA key = \"$(grep -v '^#' camden-db.key)\";"
    conn = sqlcipher.connect(str(copy))
    try:
        rows: list[tuple[object, ...]] = []
        for statement in statements:
            rows = conn.execute(
                statement.replace("$(grep -v '^#' camden-db.key)", grepped)
            ).fetchall()
        assert rows == [(engagements(demo_store),)] and rows[0][0] > 100  # type: ignore[operator]
    finally:
        conn.close()
    # the same statements with another key do not open it (the test can fail)
    wrong = sqlcipher.connect(str(copy))
    try:
        wrong.execute(f"PRAGMA key = \"x'{'00' * 32}'\"")
        wrong.execute("PRAGMA cipher_compatibility = 4")
        with pytest.raises(sqlcipher.DatabaseError, match="not a database"):
            wrong.execute("SELECT count(*) FROM engagement").fetchall()
    finally:
        wrong.close()


def test_the_settings_named_are_the_stores_own(store: Store) -> None:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, value in SQLCIPHER_SETTINGS:
            if name == "cipher_compatibility":  # a switch, not a setting it reports
                continue
            assert cursor.execute(f"PRAGMA {name}").fetchone() == (value,), name
        assert cursor.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
    finally:
        raw.close()


@needs_sqlite3
def test_the_plain_copy_opens_in_the_stock_sqlite3_shell(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "camden-plain.db"
    assert cli(demo_store, "export-plain", "-o", str(plain), "--yes") == 0
    captured = capsys.readouterr()
    assert "IN CLEAR" in captured.err and "special-category" in captured.err
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert plain.read_bytes().startswith(b"SQLite format 3\x00")  # not encrypted
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left

    def shell(sql: str) -> str:
        return subprocess.run(
            ["sqlite3", str(plain), sql], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert shell("select count(*) from engagement") == str(engagements(demo_store))
    assert shell("pragma integrity_check") == "ok"
    assert shell("select count(*) from engagement_fts where engagement_fts match 'pccg'") != "0"
    # every row of every table is there, as it is in the encrypted store
    with demo_store.session() as s:
        expected = content_digest(s)
    engine = create_engine(f"sqlite:///{plain}")
    try:
        with Session(engine) as s:
            assert content_digest(s) == expected
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", ["export-plain", "key export-database-key"])
def test_refusals_write_nothing(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    argv = command.split()
    existing = tmp_path / "there.db"
    existing.write_bytes(b"keep me")
    assert cli(store, *argv, "-o", str(existing), "--yes") == 1
    assert capsys.readouterr().err.strip().endswith("already exists; it was left as it is.")
    assert existing.read_bytes() == b"keep me"

    missing = tmp_path / "no-such-folder" / "out.db"
    assert cli(store, *argv, "-o", str(missing), "--yes") == 1
    assert "does not exist; nothing was written" in capsys.readouterr().err
    assert not missing.parent.exists()

    target = tmp_path / "out.db"
    assert cli(store, *argv, "-o", str(target)) == 1  # no terminal to ask on (pytest's stdin)
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        "ccodesk-cli: error: Nothing was written: no terminal to confirm on (pass --yes)."
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: "n")
    assert cli(store, *argv, "-o", str(target)) == 1
    assert capsys.readouterr().err.strip().endswith("error: Nothing was written.")
    monkeypatch.setattr("builtins.input", lambda _prompt: "yes")
    assert cli(store, *argv, "-o", str(target)) == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "store") == [
        "home",
        "keyring.json",
        "out.db",
        "there.db",
    ]
