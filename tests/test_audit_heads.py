"""The audit trail's head travels in each changes bundle (issue 15): the centre keeps the head
each device last sent and notices a device whose history was rewritten after it was sent."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from ccodesk.models import AuditHead
from ccodesk.services import records
from ccodesk.services.audit import verify
from ccodesk.store import Store
from ccodesk.store.audit_chain import GENESIS
from ccodesk.sync.central import Central, central_status
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.export import export_bundle
from tests.support.sync_attacks import members_of, resigned
from tests.test_sync import make_borough, make_central


def _raw(store: Store, sql: str, *params: object) -> None:
    """Write with the SQLCipher driver alone, as someone holding the key could."""
    conn = sqlcipher3.connect(str(store.path))
    try:
        conn.execute(f"PRAGMA key = \"x'{store.database_key().hex()}'\"")
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = make_central(tmp_path / "central")
    yield c
    c.close()


@pytest.fixture
def camden(tmp_path: Path, central: Central) -> Iterator[Store]:
    s = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    yield s
    s.close()


def _work(store: Store, n: int = 3) -> None:
    for i in range(n):
        with store.transaction() as s:
            records.add_action(s, f"Ask about the bins ({i})")


def _send(store: Store, central: Central, name: str) -> tuple[str, dict[str, Any]]:
    path = store.data_dir.parent / f"{name}.ccbundle"
    export_bundle(store, path)
    manifest = json.loads(members_of(path.read_bytes(), central.identity)["manifest.json"])
    outcome = merge_bundle(central, path)
    assert outcome.ok, outcome.message
    return outcome.message, manifest


def _kept(central: Central, store: Store) -> AuditHead | None:
    with central.session() as s:
        return s.get(AuditHead, store.device_id)


def test_the_manifest_carries_the_head_and_the_centre_keeps_it(
    camden: Store, central: Central
) -> None:
    _work(camden)
    with camden.session() as s:
        check = verify(s)
    _message, manifest = _send(camden, central, "b1")
    assert manifest["audit"] == {
        "head_id": check.head_id,
        "head_hash": check.head_hash,
        "earlier": [],
    }
    kept = _kept(central, camden)
    assert kept is not None
    assert (kept.head_id, kept.head_hash, kept.bundle_seq) == (check.head_id, check.head_hash, 1)
    assert kept.rewritten_at is None


def test_a_trail_that_grew_is_accepted_without_a_word(camden: Store, central: Central) -> None:
    _work(camden)
    _send(camden, central, "b1")
    first = _kept(central, camden)
    assert first is not None
    _work(camden)
    message, manifest = _send(camden, central, "b2")
    assert manifest["audit"]["earlier"] == [{"id": first.head_id, "hash": first.head_hash}]
    assert "REWRITTEN" not in message
    kept = _kept(central, camden)
    assert kept is not None and kept.head_id > first.head_id and kept.rewritten_at is None
    with central.session() as s:
        assert central_status(s).rewritten_trails == []


def test_the_centre_notices_a_rewritten_history(
    camden: Store, central: Central, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.central import main as central_cli

    _work(camden)
    _send(camden, central, "b1")
    first = _kept(central, camden)
    assert first is not None
    # The last events sent are deleted: the chain left behind still verifies on the device,
    # and new events take the deleted ids with other hashes.
    _raw(camden, "DELETE FROM audit_event WHERE id >= ?", first.head_id - 1)
    _work(camden)
    with camden.session() as s:
        assert verify(s).intact
    message, _manifest = _send(camden, central, "b2")
    assert "AUDIT TRAIL REWRITTEN on this device: " in message
    assert f"event {first.head_id} now has another hash than bundle 1 reported" in message
    kept = _kept(central, camden)
    assert kept is not None and kept.rewritten_at is not None
    assert kept.rewritten.endswith("(seen in bundle 2)")
    with central.session() as s:
        assert [t.device_id for t in central_status(s).rewritten_trails] == [camden.device_id]

    capsys.readouterr()
    assert central_cli(["--home", str(tmp_path / "central"), "status"]) == 0
    out = capsys.readouterr().out
    assert f"AUDIT TRAIL REWRITTEN: camden {camden.device_id} (first seen " in out

    _work(camden)  # later bundles extend the new head; the finding stays listed
    message, _manifest = _send(camden, central, "b3")
    assert "REWRITTEN" not in message
    with central.session() as s:
        assert len(central_status(s).rewritten_trails) == 1


def test_a_trail_cut_short_is_noticed(camden: Store, central: Central) -> None:
    _work(camden, 4)
    _send(camden, central, "b1")
    first = _kept(central, camden)
    assert first is not None
    _raw(camden, "DELETE FROM audit_event WHERE id >= ?", first.head_id - 1)
    message, manifest = _send(camden, central, "b2")
    assert manifest["audit"]["earlier"] == [{"id": first.head_id, "hash": None}]
    assert f"the trail now ends at event {first.head_id - 2}" in message


def test_an_old_bundle_arriving_late_is_not_compared(camden: Store, central: Central) -> None:
    _work(camden)
    late = camden.data_dir.parent / "b1.ccbundle"
    export_bundle(camden, late)
    _work(camden)
    _send(camden, central, "b2")
    outcome = merge_bundle(central, late)
    assert outcome.ok and "REWRITTEN" not in outcome.message
    kept = _kept(central, camden)
    assert kept is not None and kept.bundle_seq == 2


@pytest.mark.parametrize(
    ("audit", "refusal"),
    [
        ("head", "manifest.json: audit must be an object."),
        ({"head_id": -1, "head_hash": GENESIS}, "audit: head_id -1 is outside"),
        ({"head_id": True, "head_hash": GENESIS}, "audit: head_id must be a whole number"),
        ({"head_id": 3, "head_hash": "ab"}, "audit: head_hash is not a SHA-256 in hex."),
        ({"head_id": 3, "head_hash": GENESIS, "earlier": {}}, "audit: earlier must be a list."),
        (
            {"head_id": 3, "head_hash": GENESIS, "earlier": [{"id": 1, "hash": GENESIS}] * 65},
            "earlier lists 65 heads, more than 64",
        ),
        (
            {"head_id": 3, "head_hash": GENESIS, "earlier": [{"id": 0, "hash": GENESIS}]},
            "audit: earlier entry 1: id 0 is outside",
        ),
        (
            {"head_id": 3, "head_hash": GENESIS, "earlier": [{"id": 2}]},
            "earlier entry 1 has no hash",
        ),
        (
            {"head_id": 3, "head_hash": GENESIS, "earlier": [{"id": 2, "hash": "A" * 64}]},
            "earlier entry 1: hash is not a SHA-256 in hex.",
        ),
    ],
)
def test_the_audit_head_is_read_strictly(
    camden: Store, central: Central, audit: object, refusal: str
) -> None:
    _work(camden, 1)
    path = camden.data_dir.parent / "b1.ccbundle"
    export_bundle(camden, path)
    members = members_of(path.read_bytes(), central.identity)

    def edit(doc: dict[str, Any]) -> None:
        doc["audit"] = audit

    bad = camden.data_dir.parent / "bad.ccbundle"
    bad.write_bytes(
        resigned(members, camden.signing_key(), [central.identity.to_public()], manifest=edit)
    )
    outcome = merge_bundle(central, bad)
    assert not outcome.ok
    assert refusal in outcome.message
    assert _kept(central, camden) is None


# -- the same at a centre on PostgreSQL -----------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip("needs PostgreSQL's server binaries (Debian: postgresql)")
    with postgres_cluster() as url:
        yield url


def test_a_centre_on_postgres_notices_a_rewritten_history_and_verifies_its_own_trail(
    pg_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from ccodesk.models import AuditEvent
    from ccodesk.sync.central import init_central
    from tests.support.postgres import new_database
    from tests.test_sync import make_borough

    on_pg = init_central(tmp_path / "centre", new_database(pg_url, "audit_heads"), "Centre")
    borough = make_borough(tmp_path / "camden", "camden", "Ada", on_pg)
    try:
        _work(borough)
        _send(borough, on_pg, "b1")
        first = _kept(on_pg, borough)
        assert first is not None
        _raw(borough, "DELETE FROM audit_event WHERE id >= ?", first.head_id - 1)
        _work(borough)
        message, _manifest = _send(borough, on_pg, "b2")
        assert f"event {first.head_id} now has another hash than bundle 1 reported" in message
        with on_pg.session() as s:
            assert [t.device_id for t in central_status(s).rewritten_trails] == [borough.device_id]

        with on_pg.transaction() as s:  # the centre's own trail, chained on PostgreSQL too
            s.add(
                AuditEvent(
                    at=dt.datetime(2026, 12, 6, 1, 2, 3, 456789),
                    device_id=on_pg.config.central_id,
                    officer="Centre Officer",
                    entity="contact",
                    entity_id="c1",
                    action="update",
                    changes=["email", "phone"],
                    summary='ünïcode "quoted"',
                )
            )
        with on_pg.session() as s:
            check = verify(s)
            assert check.intact and check.events >= 1
            target = check.head_id
        with on_pg.transaction() as s:
            s.execute(
                text("UPDATE audit_event SET officer = 'Mallory' WHERE id = :id"), {"id": target}
            )
        with on_pg.session() as s:
            check = verify(s)
        assert check.broken is not None and check.broken.event_id == target
        assert "changed after it was written (update contact)" in check.broken.what
    finally:
        borough.close()
        on_pg.close()
