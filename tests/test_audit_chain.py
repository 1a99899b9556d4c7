"""The tamper-evident audit trail (issue 15): every event is chained to the one before it by
its hash, `ccodesk-cli audit verify` finds the first altered or deleted event, and the
migration chains the events a store already held."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import select, text

from ccodesk.models import AuditEvent
from ccodesk.services import edits, records
from ccodesk.services.audit import verify
from ccodesk.store import Store, open_store
from ccodesk.store.audit_chain import GENESIS

CLI = str(Path(sys.executable).parent / "ccodesk-cli")
FIXTURE = Path(__file__).parent / "fixtures" / "store-0001"


def _raw(store: Store, sql: str, *params: object) -> None:
    """Write to the store with the SQLCipher driver alone, as an attacker holding the key could."""
    conn = sqlcipher3.connect(str(store.path))
    try:
        conn.execute(f"PRAGMA key = \"x'{store.database_key().hex()}'\"")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def _edits(store: Store, n: int = 5) -> list[int]:
    """`n` ordinary edits (each an action created, then its text changed): their event ids."""
    for i in range(n):
        with store.transaction() as s:
            action = records.add_action(s, f"Ask about the bins ({i})")
        with store.transaction() as s:
            edits.update_action(s, action.id, description=f"Ask the council about bins ({i})")
    with store.session() as s:
        return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _cli_verify(store: Store) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "--data-dir", str(store.data_dir), "audit", "verify"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_every_event_is_chained_to_the_one_before(store: Store) -> None:
    ids = _edits(store)
    with store.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.id for e in events] == list(range(1, len(events) + 1)) == ids
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in events}) == len(events)
    with store.session() as s:
        check = verify(s)
    assert check.intact and check.events == len(events) and check.head_hash == events[-1].hash


def test_an_empty_trail_verifies(store: Store) -> None:
    with store.session() as s:
        check = verify(s)
    assert check.intact and check.events == 0 and check.head_id == 0


def test_verify_reports_an_intact_chain(store: Store) -> None:
    ids = _edits(store, 3)
    done = _cli_verify(store)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{len(ids)} events, chain intact (head: event {ids[-1]})"


@pytest.fixture(params=["sqlite-json", "python"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Verify with SQLite writing the canonical JSON, or with Python (as on PostgreSQL)."""
    from ccodesk.services import audit

    if request.param == "python":
        monkeypatch.setattr(audit, "_sqlite_pages", audit._python_pages)
    return str(request.param)


@pytest.mark.usefixtures("reader")
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("officer", "Someone Else"),
        ("summary", "nothing happened"),
        ("at", "2020-01-01 00:00:00.000000"),
    ],
)
def test_an_event_altered_with_the_key_is_found_at_that_event(
    store: Store, column: str, value: str
) -> None:
    ids = _edits(store)
    target = ids[4]
    _raw(store, f"UPDATE audit_event SET {column} = ? WHERE id = ?", value, target)
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None
    assert check.broken.event_id == target
    assert "changed after it was written" in check.broken.what
    assert check.events == target - 1

    done = _cli_verify(store)
    assert done.returncode == 1, done.stdout
    assert f"broken at event {target} (" in done.stdout
    assert "changed after it was written" in done.stdout


def test_an_event_rehashed_by_someone_who_knows_the_formula_breaks_the_next_link(
    store: Store,
) -> None:
    from ccodesk.store.audit_chain import event_hash

    ids = _edits(store)
    target = ids[3]
    with store.session() as s:
        e = s.get(AuditEvent, target)
        assert e is not None
        forged = event_hash(
            e.prev_hash, e.id, e.at, e.device_id, "Mallory", e.entity, e.entity_id,
            e.action, e.changes, e.summary,
        )  # fmt: skip
    _raw(store, "UPDATE audit_event SET officer = 'Mallory', hash = ? WHERE id = ?", forged, target)
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None and check.broken.event_id == target + 1
    assert f"does not follow event {target}" in check.broken.what


@pytest.mark.usefixtures("reader")
def test_a_deleted_event_is_found(store: Store) -> None:
    ids = _edits(store)
    _raw(store, "DELETE FROM audit_event WHERE id = ?", ids[2])
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None
    assert check.broken.event_id == ids[3]
    assert check.broken.what == f"event {ids[2]} is missing before it (deleted)"
    done = _cli_verify(store)
    assert done.returncode == 1
    assert f"event {ids[2]} is missing" in done.stdout


def test_deleting_the_first_events_is_found(store: Store) -> None:
    ids = _edits(store)
    _raw(store, "DELETE FROM audit_event WHERE id <= 2")
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None and check.broken.event_id == ids[2]
    assert check.broken.what == "events 1 to 2 are missing before it (deleted)"


def test_a_text_sqlite_writes_otherwise_is_checked_again_in_python(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should SQLite's JSON ever differ from Python's, no event is reported altered for it."""
    from ccodesk.services import audit

    ids = _edits(store, 2)
    monkeypatch.setattr(
        audit, "_CHAIN_SQLITE", audit._CHAIN_SQLITE.replace("json_array(id,", "json_array(id, 'x',")
    )
    with store.session() as s:
        check = verify(s)
    assert check.intact and check.events == len(ids)
    _raw(store, "UPDATE audit_event SET summary = 'forged' WHERE id = ?", ids[1])
    with store.session() as s:
        check = verify(s)
    assert check.broken is not None and check.broken.event_id == ids[1]


def test_events_written_outside_the_sync_stamping_are_chained_too(demo_store: Store) -> None:
    """Bulk loads (demo data, imports) and keyed paper forms add their own events."""
    with demo_store.session() as s:
        actions = set(s.scalars(select(AuditEvent.action).distinct()))
        check = verify(s)
    assert "bulk-create" in actions
    assert check.intact and check.events > 0


def test_the_migration_chains_the_events_already_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ccodesk.store import make_engine
    from ccodesk.store.keys import KeyFileKeys

    monkeypatch.setenv("CCODESK_PASSPHRASE", "fixture passphrase 0001")
    target = tmp_path / "store-0001"
    shutil.copytree(FIXTURE, target)
    engine = make_engine(
        target / "ccodesk.db", KeyFileKeys(target / "keys.enc").load().database_key
    )
    try:  # events as an older ccodesk wrote them, before the chain
        with engine.begin() as conn:
            for i in range(7):
                conn.execute(
                    text(
                        "INSERT INTO audit_event (at, device_id, officer, entity, entity_id,"
                        " action, changes, summary) VALUES (:at, 'd', 'Old Officer', 'contact',"
                        " :eid, 'update', :changes, '')"
                    ),
                    {
                        "at": f"2026-0{i + 1}-01 09:00:00.000000",
                        "eid": f"c{i}",
                        "changes": '["email"]',
                    },
                )
    finally:
        engine.dispose()
    with open_store(target) as store:
        with store.session() as s:
            held = s.scalar(text("SELECT count(*) FROM audit_event"))
            unchained = s.scalar(text("SELECT count(*) FROM audit_event WHERE hash = ''"))
            check = verify(s)
        assert held == 7 and not unchained
        assert check.intact and check.events == 7
        _edits(store, 1)  # new events extend the migrated chain
        with store.session() as s:
            assert verify(s).events == 9
