"""Two processes writing to one borough store at once (the desktop and a command line, say):
every read-then-write transaction waits for the other's write lock; none fails with
"database is locked", and every change gets its own change_seq."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from ccodesk.errors import StoreBusy
from ccodesk.failures import translate_store_errors

WRITES = 50

WRITER = """
import datetime as dt, sys, time
from pathlib import Path
from sqlalchemy import func, select
from ccodesk.models import Engagement, EngagementKind
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import open_store

data_dir, go, name, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
with open_store(data_dir) as store:
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.01)
    for i in range(count):
        with store.transaction() as s:  # reads, then writes (stamping's allocation)
            s.scalar(select(func.count()).select_from(Engagement))
            save_engagement(s, EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title=f"{name} {i}",
                starts_at=dt.datetime(2026, 12, 1, 18, 0) + dt.timedelta(days=i),
            ))
print("done", name)
"""


def test_two_writer_processes_never_see_database_is_locked(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ccodesk.models import DeviceState, Engagement

    data_dir = store.data_dir
    go = tmp_path / "go"
    env = dict(os.environ)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir), str(go), name, str(WRITES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name in ("desktop", "cli")
    ]
    for writer in writers:  # both have opened the store: start them together
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    go.touch()
    results = [w.communicate(timeout=300) for w in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert "locked" not in err and "Traceback" not in err, err
        assert writer.returncode == 0, err
        assert out.startswith("done")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Engagement)) == 2 * WRITES
        seqs = list(s.scalars(select(Engagement.change_seq)))
        assert len(set(seqs)) == 2 * WRITES
        assert s.scalars(select(DeviceState)).one().change_seq == max(seqs)


def test_a_lock_held_longer_than_the_wait_is_store_busy_in_plain_words(tmp_path: Path) -> None:
    """SQLite's real "database is locked", through the translation every store engine has."""
    path = tmp_path / "central.db"
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    translate_store_errors(engine, path, tmp_path / "backups")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy) as caught, engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()
    assert str(caught.value) == (
        f"The store {path} is busy: another ccodesk program is writing to it. Try again when "
        "it has finished."
    )


HOLDER = """
import sys, time
from pathlib import Path
from sqlalchemy import text
from ccodesk.store import open_store

data_dir, done = Path(sys.argv[1]), Path(sys.argv[2])
with open_store(data_dir) as store, store.transaction() as s:
    s.execute(text("UPDATE device_state SET officer_name = officer_name"))  # holds the lock
    print("holding", flush=True)
    for _ in range(600):
        if done.exists():
            break
        time.sleep(0.1)
"""


def test_reading_while_another_process_writes(store, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A long write elsewhere (an import, demo data) never keeps the command line from
    opening the store and reading it: only writers wait for the write lock."""
    from ccodesk.cli.borough import main

    done = tmp_path / "done"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.data_dir), str(done)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        assert main(["--data-dir", str(store.data_dir), "list", "engagements"]) == 0
        assert "0 of 0 engagements" in capsys.readouterr().out
    finally:
        done.touch()
        _out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0, err
