"""Drafts: what they record, and how they stand against the record as saved now."""

from __future__ import annotations

import datetime as dt

from ccodesk.models import Draft, EngagementKind
from ccodesk.services import drafts
from ccodesk.services.drafts import Standing
from ccodesk.services.engagements import (
    EngagementDraft,
    delete_engagement,
    get_engagement,
    save_engagement,
)
from ccodesk.store import Store

START = dt.datetime(2026, 12, 3, 18, 30)
BASE = {"title": "PCCG meeting", "notes": "", "starts_at": "2026-12-03T18:30"}


def _meeting(store: Store) -> str:
    held = dt.datetime(2025, 3, 6, 18, 30)  # in the past, so attendance can be recorded
    with store.transaction() as s:
        return save_engagement(
            s, EngagementDraft(kind=EngagementKind.PCCG_MEETING, title="PCCG", starts_at=held)
        ).id


def test_version_changes_with_any_save_and_is_none_once_deleted(store: Store) -> None:
    from ccodesk.services import records

    eid = _meeting(store)
    with store.session() as s:
        first = drafts.engagement_version(s, eid)
    assert first is not None and first["attendance"] is None
    with store.transaction() as s:
        records.record_attendance(s, eid, total=12, group_counts={})
    with store.session() as s:
        second = drafts.engagement_version(s, eid)
    assert second is not None and second["attendance"] is not None
    assert second != first  # attendance is part of the version
    with store.transaction() as s:
        get_engagement(s, eid).title = "PCCG (renamed)"
    with store.session() as s:
        third = drafts.engagement_version(s, eid)
    assert third is not None and third["engagement"] != first["engagement"]
    with store.transaction() as s:
        delete_engagement(s, eid)
    with store.session() as s:
        assert drafts.engagement_version(s, eid) is None
        assert drafts.engagement_version(s, "no-such-id") is None


def test_a_draft_keeps_what_it_started_from(store: Store) -> None:
    eid = _meeting(store)
    state = {**BASE, "notes": "mine"}
    with store.transaction() as s:
        version = drafts.engagement_version(s, eid)
        drafts.save_draft(
            s, f"engagement:{eid}", state, "PCCG", base_version=version, base_state=BASE
        )
    with store.session() as s:
        draft = drafts.read_draft(s, f"engagement:{eid}")
    assert draft is not None
    assert (draft.state, draft.base_version, draft.base_state) == (state, version, BASE)
    assert draft.saved_at.microsecond == 0


def test_a_draft_from_an_older_ccodesk_reads_with_an_unknown_start(store: Store) -> None:
    with store.transaction() as s:
        s.add(Draft(key="engagement:x", saved_at=START, title="old", content=dict(BASE)))
    with store.session() as s:
        draft = drafts.read_draft(s, "engagement:x")
    assert draft is not None and draft.state == BASE
    assert draft.base_version is None and draft.base_state is None
    saved = {**BASE, "title": "Renamed since"}
    check = drafts.check_draft(draft, saved, {"engagement": {"d": 2}, "attendance": None})
    assert check.standing == Standing.OUTDATED  # never restored without showing both
    assert [(d.field, d.draft, d.saved) for d in check.differences] == [
        ("title", "PCCG meeting", "Renamed since")
    ]


def _draft(state: dict[str, object], base_version: object = None) -> drafts.EditorDraft:
    version = {"engagement": {"d": 1}, "attendance": None} if base_version is None else base_version
    return drafts.EditorDraft("engagement:x", START, "t", dict(state), version, dict(BASE))  # type: ignore[arg-type]


def test_check_draft_standings() -> None:
    v1 = {"engagement": {"d": 1}, "attendance": None}
    v2 = {"engagement": {"d": 2}, "attendance": None}
    mine = {**BASE, "notes": "mine"}
    # the record is as it was: offered as it is
    check = drafts.check_draft(_draft(mine), BASE, v1)
    assert check.standing == Standing.CURRENT and check.restored == mine
    # the draft holds nothing that is not saved: nothing to offer
    assert drafts.check_draft(_draft(BASE), BASE, v1).standing == Standing.NOTHING_NEW
    # saved again with other values: both shown, restoring keeps the newer saved values
    newer = {**BASE, "title": "Moved", "starts_at": "2026-12-10T19:00"}
    check = drafts.check_draft(_draft(mine), newer, v2)
    assert check.standing == Standing.OUTDATED
    assert check.restored == {**newer, "notes": "mine"}
    by_field = {d.field: (d.edited, d.changed_since) for d in check.differences}
    assert by_field == {"notes": (True, False), "title": (False, True), "starts_at": (False, True)}
    # both changed the same field: shown as such, restoring takes the officer's value
    check = drafts.check_draft(_draft({**BASE, "title": "Mine"}), newer, v2)
    assert check.standing == Standing.OUTDATED and check.restored["title"] == "Mine"
    assert {d.field: (d.edited, d.changed_since) for d in check.differences}["title"] == (
        True,
        True,
    )
    # saved again with the same values (the version moved, nothing visible did)
    assert drafts.check_draft(_draft(mine), BASE, v2).standing == Standing.CURRENT
    # the officer's edit was made elsewhere too: nothing new
    same = {**newer, "notes": "mine"}
    assert drafts.check_draft(_draft(mine), same, v2).standing == Standing.NOTHING_NEW
    # deleted since: says so, with what the officer changed
    check = drafts.check_draft(_draft(mine), None, None)
    assert check.standing == Standing.RECORD_DELETED
    assert [(d.field, d.draft) for d in check.differences] == [("notes", "mine")]


def test_check_draft_of_a_new_engagement() -> None:
    draft = drafts.EditorDraft("engagement:new", START, "t", {**BASE, "title": "New"}, None, BASE)
    today = {**BASE, "title": "", "starts_at": "2027-01-05T18:00"}
    check = drafts.check_draft(draft, today, None, new_record=True)
    assert check.standing == Standing.CURRENT
    assert check.restored == draft.state  # a new engagement's draft comes back whole


def test_rebase() -> None:
    started = {"a": 1, "b": 1, "c": 1}
    mine = {"a": 2, "b": 1, "c": 1}
    saved_now = {"a": 1, "b": 3, "c": 1}
    assert drafts.rebase(mine, started, saved_now) == {"a": 2, "b": 3, "c": 1}
