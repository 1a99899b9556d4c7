"""Actions have a lifecycle: open, in progress, done, dropped, with the date and a note.

The service's rules; the change from the editor (by mouse and keys) and its effect on the
dashboard; the audit trail; the next sync bundle carries it (and an older bundle without the
note is still read); later packs' action logs print it; schema 0008 upgrades a 0007 store
with its actions intact.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ActionItem,
    ActionStatus,
    AuditEvent,
    EngagementKind,
    EngagementStatus,
)
from ccodesk.printing import documents
from ccodesk.services import followup, records
from ccodesk.services import pack_content as content
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store, current_revision, open_store
from tests.support.fit import LAPTOPS, assert_fits

TODAY = dt.date.today()  # the service checks dates against the real day
HELD = dt.datetime.combine(TODAY - dt.timedelta(days=40), dt.time(18, 30))


def _meeting(store: Store, title: str = "Camden PCCG: last month", when: dt.datetime = HELD) -> str:
    with store.transaction() as s:
        return save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title=title,
                starts_at=when,
                ends_at=when + dt.timedelta(hours=2),
                status=EngagementStatus.HELD if when.date() < TODAY else EngagementStatus.PLANNED,
            ),
        ).id


def _actions(store: Store, eid: str, *names: str) -> list[str]:
    with store.transaction() as s:
        return [
            records.add_action(
                s,
                name,
                engagement_id=eid,
                owner="PS Dean",
                due_on=HELD.date() + dt.timedelta(days=10),
            ).id
            for name in names
        ]


def _state(store: Store, action_id: str) -> followup.ActionState:
    with store.session() as s:
        (state,) = followup.action_states(s, [action_id])
        return state


# -- the service -------------------------------------------------------------------------------


def test_done_dropped_in_progress_and_reopened(store: Store) -> None:
    eid = _meeting(store)
    a, b = _actions(store, eid, "Ask the council about bins", "Book the hall")
    done_on = TODAY - dt.timedelta(days=3)
    with store.transaction() as s:
        before = followup.set_action_status(
            s, [a, b], ActionStatus.DONE, note="  Council replied  ", done_on=done_on
        )
    assert [x.status for x in before] == [ActionStatus.OPEN, ActionStatus.OPEN]
    assert _state(store, a) == (a, ActionStatus.DONE, done_on, "Council replied")
    with store.transaction() as s:  # done without a date: today
        followup.set_action_status(s, [b], ActionStatus.DONE)
    assert _state(store, b) == (b, ActionStatus.DONE, TODAY, None)
    with store.transaction() as s:  # dropped needs no date
        followup.set_action_status(s, [b], ActionStatus.DROPPED, note="Hall closed")
    assert _state(store, b) == (b, ActionStatus.DROPPED, None, "Hall closed")
    with store.transaction() as s:  # reopening clears the date
        followup.set_action_status(s, [a], ActionStatus.IN_PROGRESS)
    assert _state(store, a) == (a, ActionStatus.IN_PROGRESS, None, None)
    with store.transaction() as s:
        followup.restore_action_states(s, before)
    assert _state(store, a) == (a, ActionStatus.OPEN, None, None)
    with store.session() as s:
        assert followup.count_actions(s, followup.ACTIVE) == 2
        assert followup.count_actions(s) == 2
        rows = followup.list_actions(s, None, order="description", descending=True)
        assert [r.description for r in rows] == ["Book the hall", "Ask the council about bins"]
        assert rows[0].engagement_id == eid and rows[0].held_on == HELD.date()


def test_every_problem_at_once_and_nothing_changed(store: Store) -> None:
    eid = _meeting(store)
    (a,) = _actions(store, eid, "Ask the council about bins")
    with store.transaction() as s, pytest.raises(ValidationError) as future:
        followup.set_action_status(s, [a], ActionStatus.DONE, done_on=TODAY + dt.timedelta(days=1))
    assert future.value.problems == [
        f"the date done ({TODAY + dt.timedelta(days=1):%d %b %Y}) is in the future"
    ]
    early = HELD.date() - dt.timedelta(days=1)
    with store.transaction() as s, pytest.raises(ValidationError) as before:
        followup.set_action_status(s, [a], ActionStatus.DROPPED, done_on=early)
    assert before.value.problems == [
        f"“Ask the council about bins” was agreed on {HELD:%d %b %Y}: it cannot have been "
        f"dropped before then ({early:%d %b %Y})"
    ]
    with store.transaction() as s, pytest.raises(ValidationError, match="at least one"):
        followup.set_action_status(s, [], ActionStatus.DONE)
    with store.transaction() as s, pytest.raises(NotFound, match="no longer exists"):
        followup.set_action_status(s, [a, "no-such-action"], ActionStatus.DONE)
    assert _state(store, a) == (a, ActionStatus.OPEN, None, None)


def test_the_change_is_audited_and_an_unchanged_action_is_not_touched(store: Store) -> None:
    eid = _meeting(store)
    (a,) = _actions(store, eid, "Ask the council about bins")

    def trail() -> list[tuple[str, list[str]]]:
        with store.session() as s:
            events = s.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == a).order_by(AuditEvent.id)
            )
            return [(e.action, sorted(e.changes)) for e in events]

    with store.transaction() as s:
        followup.set_action_status(s, [a], ActionStatus.DONE, note="Replied")
    with store.session() as s:
        version = s.get(ActionItem, a).version_vector  # type: ignore[union-attr]
    assert trail()[-1] == ("update", ["completed_on", "status", "status_note"])
    with store.transaction() as s:  # the same again: no edit, no audit, no new version
        followup.set_action_status(s, [a], ActionStatus.DONE, note="Replied")
    assert len(trail()) == 2
    with store.session() as s:
        assert s.get(ActionItem, a).version_vector == version  # type: ignore[union-attr]


# -- from the editor, and the dashboard after it ------------------------------------------------


def test_marked_done_in_the_editor_leaves_the_dashboard_then_undone(
    qtbot: QtBot, store: Store
) -> None:
    from ccodesk.ui.dashboard_page import DashboardPage
    from ccodesk.ui.engagement_editor import EngagementEditor

    eid = _meeting(store)
    (a,) = _actions(store, eid, "Ask the council about bins")
    editor = EngagementEditor(store, eid, restore_draft=False)
    qtbot.addWidget(editor)
    editor.show()
    tab = editor.record
    assert not tab.status_button.isEnabled()  # nothing selected
    line = tab.actions_list.item(0)
    assert line.text().startswith("[Open] Ask the council about bins — PS Dean, due")
    rect = tab.actions_list.visualItemRect(line)
    qtbot.mouseClick(tab.actions_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.status_button.isEnabled()
    tab.actions_list.setFocus()
    qtbot.keyClick(tab.actions_list, Qt.Key.Key_Return)  # Enter asks, like the button
    dialog = tab.status_dialog
    assert dialog is not None and dialog.isVisible()
    assert editor.isVisible()  # Enter went to the action, not to the editor's Save
    assert not dialog.done_on.isVisible()  # open: no date to ask
    dialog.status.setCurrentIndex(dialog.status.findText("Done"))
    assert dialog.done_on.isVisible() and dialog.chosen_date() == TODAY
    qtbot.keyClicks(dialog.note, "Council replied by letter")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert _state(store, a) == (a, ActionStatus.DONE, TODAY, "Council replied by letter")
    assert tab.actions_list.item(0).text().startswith(f"[Done {TODAY:%d %b %Y}] Ask the council")
    assert tab.actions_list.item(0).text().endswith(" · Council replied by letter")

    board = DashboardPage(store)
    qtbot.addWidget(board)
    with qtbot.waitSignal(board.board_shown, timeout=10_000):
        board.show()
    assert board.overdue_box.title() == "Overdue actions (0)"

    assert tab.undo_stack.undoText() == "Mark 1 action done"
    tab.undo_stack.undo()  # the editor's Undo (Ctrl+Z) acts on this stack while the tab shows
    assert _state(store, a) == (a, ActionStatus.OPEN, None, None)
    assert tab.actions_list.item(0).text().startswith("[Open]")
    with qtbot.waitSignal(board.board_shown, timeout=10_000):
        board.refresh()
    assert board.overdue_box.title() == "Overdue actions (1)"


# -- sync ------------------------------------------------------------------------------------


def test_a_status_change_travels_in_the_next_bundle(tmp_path: Path) -> None:
    from ccodesk.sync.central_merge import merge_bundle
    from ccodesk.sync.export import export_bundle
    from ccodesk.sync.receive import import_bundle
    from tests.test_sync import decrypt, make_borough, make_central

    central = make_central(tmp_path / "central")
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    try:
        eid = _meeting(camden)
        (a,) = _actions(camden, eid, "Ask the council about bins")
        first = merge_bundle(
            central, export_bundle(camden, tmp_path / "b1.ccbundle").path, tmp_path / "receipts"
        )
        assert first.ok and first.receipt is not None
        import_bundle(camden, first.receipt)
        assert camden.pending_changes() == 0
        done_on = TODAY - dt.timedelta(days=1)
        with camden.transaction() as s:
            followup.set_action_status(
                s, [a], ActionStatus.DONE, note="Council replied", done_on=done_on
            )
        assert camden.pending_changes() == 1
        export_bundle(camden, tmp_path / "b2.ccbundle")
        members = decrypt((tmp_path / "b2.ccbundle").read_bytes(), central.identity)
        (line,) = members["changes.jsonl"].decode().splitlines()
        record = json.loads(line)
        assert (record["entity"], record["id"]) == ("action_item", a)
        assert record["data"]["status"] == "done"
        assert record["data"]["completed_on"] == done_on.isoformat()
        assert record["data"]["status_note"] == "Council replied"
        assert merge_bundle(central, tmp_path / "b2.ccbundle").ok
        with central.session() as s:
            merged = s.get(ActionItem, a)
            assert merged is not None
            assert (merged.status, merged.completed_on, merged.status_note) == (
                ActionStatus.DONE,
                done_on,
                "Council replied",
            )
    finally:
        camden.close()
        central.close()


def test_an_action_from_an_older_sender_has_no_note() -> None:
    from ccodesk.sync.records import parse_record

    device = "7d1e0a52-55a1-4c5e-8b1e-7d1e0a5255a1"
    record = parse_record(
        {
            "entity": "action_item",
            "id": "5d3c8f3e-3f1b-4c39-9d6b-6d3c8f3e3f1c",
            "origin": device,
            "vv": {device: 4},
            "hlc": f"1763856000000.000001.{device}",
            "deleted": False,
            "data": {
                "engagement_id": None,
                "finding_id": None,
                "description": "Older sender's action",
                "owner": "",
                "due_on": "2026-11-30",
                "status": "done",
                "completed_on": "2026-11-20",
            },
            "children": {},
        }
    )  # no status_note: added in schema 0008
    assert record.data["status_note"] is None and record.data["status"] == "done"


# -- printed packs ------------------------------------------------------------------------------


def _pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_a_later_pack_prints_each_action_with_its_status_date_and_note(
    store: Store, tmp_path: Path
) -> None:
    before = _meeting(store)
    done, dropped, still = _actions(
        store, before, "Ask the council about bins", "Book the hall", "Write to residents"
    )
    done_on = TODAY - dt.timedelta(days=5)
    with store.transaction() as s:
        followup.set_action_status(
            s, [done], ActionStatus.DONE, note="Bins emptied weekly", done_on=done_on
        )
        followup.set_action_status(
            s, [dropped], ActionStatus.DROPPED, note="The hall closed", done_on=done_on
        )
        followup.set_action_status(s, [still], ActionStatus.IN_PROGRESS)
    later = _meeting(
        store,
        "Camden PCCG: next month",
        dt.datetime.combine(TODAY + dt.timedelta(days=20), dt.time(18)),
    )
    with store.session() as s:
        pack = content.pack_content(s, later)
    assert [(a.what, a.where_it_stands) for a in pack.actions] == [
        ("Ask the council about bins\nNote: Bins emptied weekly", f"Done\n{done_on:%d %b %Y}"),
        ("Book the hall\nNote: The hall closed", f"Dropped\n{done_on:%d %b %Y}"),
        ("Write to residents", "In progress"),
    ]
    path = tmp_path / "pack.pdf"
    path.write_bytes(documents.pack_pdf(pack))
    printed = _pdf_text(path)
    for expected in (
        "Action log from previous meetings",
        "Meeting Action Owner Due Status",
        "Ask the council about bins",
        "Note: Bins emptied weekly",
        "Note: The hall closed",
        "In progress",
    ):
        assert expected in printed, expected
    # Each status with its date below it, on the action's row.
    rows = printed.split("Meeting Action Owner Due Status", 1)[1]
    assert re.search(rf"Ask the council about bins .*?Done .*?{done_on:%d %b %Y}", rows)
    assert re.search(rf"Book the hall .*?Dropped .*?{done_on:%d %b %Y}", rows)


# -- schema 0008 ---------------------------------------------------------------------------------


def test_0008_upgrades_a_0007_store_with_its_actions_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ccodesk.migrations import upgrade
    from ccodesk.store import make_engine
    from ccodesk.store.keys import KeyFileKeys
    from tests.test_migrations import FIXTURE, PASSPHRASE

    monkeypatch.setenv("CCODESK_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "store"
    shutil.copytree(FIXTURE, target)
    engine = make_engine(
        target / "ccodesk.db", KeyFileKeys(target / "keys.enc").load().database_key
    )
    try:
        upgrade(engine, revision="0007")
        assert current_revision(engine) == "0007"
        with engine.begin() as conn:
            columns = [r[1] for r in conn.execute(text("PRAGMA table_info(action_item)"))]
            assert "status_note" not in columns
            for n, (status, done) in enumerate((("open", None), ("done", "2026-10-20"))):
                conn.execute(
                    text(
                        "INSERT INTO action_item (id, origin_device, version_vector, hlc, "
                        "change_seq, deleted, engagement_id, finding_id, description, owner, "
                        "due_on, status, completed_on) VALUES (:id, :d, :vv, :hlc, :seq, 0, "
                        "'eng-0001', NULL, :what, 'PS Dean', '2026-10-28', :status, :done)"
                    ),
                    {
                        "id": f"act-000{n}",
                        "d": "0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d0001",
                        "vv": json.dumps({"0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d0001": 10 + n}),
                        "hlc": f"1795000000000.00001{n}.0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d0001",
                        "seq": 10 + n,
                        "what": f"Action {n} from schema 0007",
                        "status": status,
                        "done": done,
                    },
                )
    finally:
        engine.dispose()
    with open_store(target) as store:
        assert current_revision(store.engine) not in ("0007", None)
        assert any("schema-0007" in p.name for p in (target / "backups").glob("*.db"))
        with store.session() as s:
            kept = {a.id: a for a in s.scalars(select(ActionItem))}
            assert kept["act-0000"].description == "Action 0 from schema 0007"
            assert kept["act-0000"].status == ActionStatus.OPEN
            assert kept["act-0001"].status == ActionStatus.DONE
            assert kept["act-0001"].completed_on == dt.date(2026, 10, 20)
            assert all(a.status_note is None for a in kept.values())
            assert kept["act-0001"].version_vector == {"0f4d6a52-8d0b-4c1e-9a57-3b1f1c2d0001": 11}
        with store.transaction() as s:  # and the lifecycle works on them
            followup.set_action_status(s, ["act-0000"], ActionStatus.DROPPED, note="Overtaken")
        assert _state(store, "act-0000") == ("act-0000", ActionStatus.DROPPED, None, "Overtaken")


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_the_editors_status_dialog_fits_a_laptop(qtbot: QtBot, width: int, height: int) -> None:
    from ccodesk.ui.action_status import StatusDialog

    state = followup.ActionState("a", ActionStatus.DONE, TODAY, "Council replied by letter")
    dialog = StatusDialog(
        ActionStatus.DONE, 1, choose_status=True, current=state, description=LONG_ACTION
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.chosen_date() == TODAY and dialog.note.text() == "Council replied by letter"
    assert_fits(dialog, width, height)


LONG_ACTION = (
    "Write to every resident of the Somers Town estate about the new lighting on the path "
    "behind the community centre, and ask the council when the broken lamps will be fixed"
)
