"""The store layer keeps sync metadata and the audit trail, not the callers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ccodesk.models import (
    Attendance,
    AttendanceCount,
    AuditEvent,
    Engagement,
    EngagementKind,
    Organisation,
    OrganisationType,
)
from ccodesk.store import Store
from ccodesk.store.stamping import HardDeleteError


def _engagement() -> Engagement:
    return Engagement(
        kind=EngagementKind.PCCG_MEETING,
        title="Camden PCCG",
        starts_at=dt.datetime(2026, 12, 3, 19, 0),
    )


def test_new_rows_are_stamped(store: Store) -> None:
    with store.transaction() as s:
        org = Organisation(name="Camden Somali Forum", org_type=OrganisationType.COMMUNITY_GROUP)
        eng = _engagement()
        s.add_all([org, eng])
    assert len(org.id) == 36
    assert org.origin_device == store.device_id
    assert (org.change_seq, eng.change_seq) in ((1, 2), (2, 1))
    assert org.version_vector == {store.device_id: org.change_seq}
    assert org.deleted is False
    wall, _counter, device = org.hlc.split(".")
    assert len(wall) == 13 and device == store.device_id
    assert abs(int(wall) / 1000 - dt.datetime.now().timestamp()) < 60


def test_edits_bump_seq_vector_and_hlc(store: Store) -> None:
    with store.transaction() as s:
        org = Organisation(name="Old name", org_type=OrganisationType.OTHER)
        s.add(org)
    first_seq, first_hlc = org.change_seq, org.hlc
    with store.transaction() as s:
        again = s.get(Organisation, org.id)
        again.name = "New name"
    assert again.change_seq == first_seq + 1
    assert again.version_vector == {store.device_id: first_seq + 1}
    assert again.hlc > first_hlc
    with store.transaction() as s:
        unchanged = s.get(Organisation, org.id)
        unchanged.name = "New name"  # same value: not a change
    assert unchanged.change_seq == first_seq + 1


def test_other_devices_entries_are_kept(store: Store) -> None:
    with store.transaction() as s:
        org = Organisation(name="Merged", org_type=OrganisationType.OTHER)
        s.add(org)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE organisation SET version_vector = ? WHERE id = ?",
            (f'{{"{store.device_id}": 1, "centre": 7}}', org.id),
        )
    with store.transaction() as s:
        s.get(Organisation, org.id).notes = "edited here"
    with store.session() as s:
        vector = s.get(Organisation, org.id).version_vector
    assert vector["centre"] == 7
    assert vector[store.device_id] > 1


def test_changed_counts_restamp_their_attendance(store: Store) -> None:
    with store.transaction() as s:
        eng = _engagement()
        att = Attendance(engagement=eng, total=20)
        att.counts.append(AttendanceCount(group_code="older", count=5))
        s.add(eng)
    before = att.change_seq
    with store.transaction() as s:
        row = s.get(Attendance, att.id)
        row.counts[0].count = 6
    with store.session() as s:
        assert s.get(Attendance, att.id).change_seq > before


def test_hard_delete_is_refused(store: Store) -> None:
    with store.transaction() as s:
        org = Organisation(name="Gone", org_type=OrganisationType.OTHER)
        s.add(org)
    with pytest.raises(HardDeleteError), store.transaction() as s:
        s.delete(s.get(Organisation, org.id))
    with store.session() as s:
        assert s.get(Organisation, org.id) is not None


def test_tombstone_is_a_change_and_audited(store: Store) -> None:
    with store.transaction() as s:
        org = Organisation(name="Closed down", org_type=OrganisationType.OTHER)
        s.add(org)
    with store.transaction() as s:
        s.get(Organisation, org.id).deleted = True
    with store.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == org.id).order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["create", "delete"]
    assert events[1].changes == ["deleted"]
    assert all(e.officer == "Ada Officer" and e.device_id == store.device_id for e in events)


def test_pending_changes_counts_unacknowledged(store: Store) -> None:
    assert store.pending_changes() == 0
    with store.transaction() as s:
        s.add_all(
            [Organisation(name=f"Org {i}", org_type=OrganisationType.OTHER) for i in range(3)]
        )
    assert store.pending_changes() == 3


def test_failed_transaction_allocates_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as s:
        s.add(Organisation(name="Rolled back", org_type=OrganisationType.OTHER))
        s.flush()
        raise RuntimeError("boom")
    assert store.pending_changes() == 0
