"""The engagement editor: fields, live warnings, validation, undo/redo and drafts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from ccodesk.models import Engagement, EngagementKind, OrganisationType, SensitivityLevel
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.drafts import load_draft, read_draft
from ccodesk.services.engagements import EngagementFilter, get_engagement, list_engagements
from ccodesk.store import Store
from ccodesk.ui.engagement_editor import EngagementEditor
from tests.support.fit import LAPTOPS, assert_fits

START = dt.datetime(2026, 11, 3, 18, 30)  # in the past: attendance is recorded


def _editor(
    qtbot: QtBot, store: Store, engagement_id: str | None = None, **kw: Any
) -> EngagementEditor:
    editor = EngagementEditor(store, engagement_id, starts_at=START, **kw)
    qtbot.addWidget(editor)
    editor.show()
    return editor


def _set_kind(editor: EngagementEditor, kind: EngagementKind) -> None:
    combo = editor.form.combos["kind"]
    combo.setCurrentIndex(combo.findData(kind.value))


def _answer(qtbot: QtBot, editor: EngagementEditor, text: str) -> None:
    """Click `text` in the question the editor asks before closing."""
    box = editor.close_question
    assert box is not None and box.isVisible(), "the editor closed without asking"
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _save(qtbot: QtBot, editor: EngagementEditor) -> None:
    button = editor.save_button
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_new_focus_group_with_attendance(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    form = editor.form
    assert form.text["cco_name"].text() == "Ada Officer"  # the officer organises by default
    _set_kind(editor, EngagementKind.FOCUS_GROUP)
    qtbot.keyClicks(form.text["title"], "Focus group: older people and burglary")
    qtbot.keyClicks(form.text["venue_name"], "Kentish Town Library")
    form.access["step_free"].setChecked(True)
    form.targets["older"].setChecked(True)
    form.attendance_box.setChecked(True)
    form.total.setValue(7)
    form.counts["older"].setValue(5)
    assert "normally 9–12" in editor.warnings.text()
    form.total.setValue(10)
    assert "normally 9–12" not in editor.warnings.text()
    with qtbot.waitSignal(editor.saved) as signal:
        _save(qtbot, editor)
    with store.session() as s:
        e = get_engagement(s, signal.args[0])
        assert e.kind == EngagementKind.FOCUS_GROUP
        assert e.title == "Focus group: older people and burglary"
        assert e.starts_at == START and e.step_free
        assert [g.code for g in e.target_groups] == ["older"]
        assert e.attendance is not None and e.attendance.total == 10
        assert e.attendance.count_for("older") == 5
        assert load_draft(s, "engagement:new") is None


def test_problems_are_shown_and_nothing_saved(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    editor.form.ends.setDateTime(QDateTime(START - dt.timedelta(hours=1)))
    assert editor.form.ends.dateTime() == QDateTime(START)  # the end cannot go before the start
    _save(qtbot, editor)
    assert editor.isVisible()
    assert "the title is empty" in editor.errors.text().lower()
    with store.session() as s:
        assert list_engagements(s, EngagementFilter()) == []


def test_warnings_for_unreached_groups_and_sensitive_partners(qtbot: QtBot, store: Store) -> None:
    with store.transaction() as s:
        save_organisation(
            s,
            OrganisationDraft(
                name="Hope Street Chapel",
                org_type=OrganisationType.FAITH_GROUP,
                sensitivities=[("lgbt-issues", SensitivityLevel.AVOID, "")],
            ),
        )
    editor = _editor(qtbot, store)
    form = editor.form
    qtbot.keyClick(form.partners.search, Qt.Key.Key_Return)  # picks the one found
    lgbt = next(
        i
        for i in range(form.topics.count())
        if form.topics.item(i).data(Qt.ItemDataRole.UserRole) == "lgbt-issues"
    )
    form.topics.item(lgbt).setCheckState(Qt.CheckState.Checked)
    assert "Hope Street Chapel must not be consulted on LGBT issues" in editor.warnings.text()
    form.targets["refugees-asylum"].setChecked(True)
    form.attendance_box.setChecked(True)
    form.total.setValue(20)
    form.counts["older"].setValue(12)
    assert "reached none of its target groups" in editor.warnings.text()


def test_undo_and_redo(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    title = editor.form.text["title"]
    qtbot.keyClicks(title, "Safer streets")
    editor.form.access["bsl"].setChecked(True)
    assert editor.undo_stack.count() == 2  # typing in one field merges into one step
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not editor.form.access["bsl"].isChecked()
    assert title.text() == "Safer streets"
    editor.undo_stack.undo()
    assert title.text() == ""
    editor.undo_stack.redo()
    editor.undo_stack.redo()
    assert title.text() == "Safer streets" and editor.form.access["bsl"].isChecked()


def test_closing_mid_edit_keeps_a_draft(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    qtbot.keyClicks(editor.form.text["title"], "Half-written youth forum")
    editor.close()
    _answer(qtbot, editor, "Keep as draft")
    assert not editor.isVisible()
    with store.session() as s:
        draft = load_draft(s, "engagement:new")
        assert draft is not None and draft.title == "Half-written youth forum"
    again = _editor(qtbot, store, restore_draft=True)
    assert again.form.text["title"].text() == "Half-written youth forum"
    assert again.is_dirty()
    qtbot.mouseClick(again.discard, Qt.MouseButton.LeftButton)
    with store.session() as s:
        assert load_draft(s, "engagement:new") is None
    fresh = _editor(qtbot, store)
    assert fresh.form.text["title"].text() == ""


def test_draft_is_saved_while_typing(qtbot: QtBot, store: Store) -> None:
    """A killed program loses nothing: the draft is written shortly after each edit."""
    editor = _editor(qtbot, store)
    qtbot.keyClicks(editor.form.text["title"], "Typed before a crash")

    def draft_written() -> None:
        with store.session() as s:
            draft = read_draft(s, "engagement:new")
            assert draft is not None and draft.state["title"] == "Typed before a crash"

    qtbot.waitUntil(draft_written, timeout=3000)


def test_edit_existing_from_the_list(qtbot: QtBot, demo_store: Store) -> None:
    from ccodesk.ui.main_window import MainWindow

    window = MainWindow(demo_store)
    qtbot.addWidget(window)
    window.show()
    window.navigation.setCurrentRow(2)
    page = window.engagements
    row = page.model.row_object(0)
    editor = window.edit_engagement(row.id)
    qtbot.addWidget(editor)
    assert editor.form.text["title"].text() == row.title
    editor.form.text["title"].clear()
    qtbot.keyClicks(editor.form.text["title"], "Renamed meeting")
    with qtbot.waitSignal(editor.saved):
        button = editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert page.model.row_object(0).title.startswith("Renamed meeting")


def test_fatigue_warning_in_the_editor(qtbot: QtBot, store: Store) -> None:
    from ccodesk.services.engagements import EngagementDraft, save_engagement
    from ccodesk.settings import Settings

    with store.transaction() as s:
        org = save_organisation(
            s,
            OrganisationDraft(
                name="Clapton Tenants", org_type=OrganisationType.TENANTS_ASSOCIATION
            ),
        ).id
        for weeks in (1, 3):
            save_engagement(
                s,
                EngagementDraft(
                    kind=EngagementKind.OUTREACH,
                    title=f"Visit {weeks}",
                    starts_at=START - dt.timedelta(weeks=weeks),
                    partner_ids=[org],
                ),
            )
    editor = _editor(qtbot, store, settings=Settings(fatigue_threshold=2))
    qtbot.keyClick(editor.form.partners.search, Qt.Key.Key_Return)  # picks the one found
    assert "Clapton Tenants was consulted 2 times" in editor.warnings.text()


# drafts that never go back in time ------------------------------------------------------------


def _saved_meeting(store: Store) -> str:
    """A saved meeting whose stored values the form shows differently (partners out of name
    order, "held in the community's own place" not recorded): the cases that made a draft out
    of nothing."""
    from ccodesk.services.engagements import EngagementDraft, save_engagement

    with store.transaction() as s:
        zeta = save_organisation(
            s, OrganisationDraft(name="Zeta Youth Club", org_type=OrganisationType.YOUTH_GROUP)
        ).id
        alpha = save_organisation(
            s,
            OrganisationDraft(
                name="Alpha Residents", org_type=OrganisationType.RESIDENTS_ASSOCIATION
            ),
        ).id
        return save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="PCCG December meeting",
                starts_at=START,
                ends_at=START + dt.timedelta(hours=2),
                venue_name="Town Hall",
                partner_ids=[zeta, alpha],
            ),
        ).id


def _import_ics(store: Store, engagement_id: str, title: str, starts: dt.datetime) -> None:
    """Change the engagement another way: the BLO's calendar invitation, imported."""
    from ccodesk.services.calendar_ics import calendar_id
    from ccodesk.services.calendar_import import import_ics

    ends = starts + dt.timedelta(hours=2)
    data = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//test//EN",
            f"X-WR-RELCALID:{calendar_id(store.device_id)}",  # this device's own export
            "BEGIN:VEVENT",
            f"UID:{engagement_id}@ccodesk",
            "DTSTAMP:20261101T100000Z",
            f"DTSTART:{starts:%Y%m%dT%H%M%S}",
            f"DTEND:{ends:%Y%m%dT%H%M%S}",
            f"SUMMARY:{title}",
            "LOCATION:Town Hall",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()
    with store.transaction() as s:
        report = import_ics(s, data)
    assert report.updated == [engagement_id]


def _keep_a_draft_of_notes(qtbot: QtBot, store: Store, engagement_id: str, notes: str) -> None:
    editor = _editor(qtbot, store, engagement_id)
    assert editor.draft_panel is None
    qtbot.keyClicks(editor.form.plain["notes"], notes)
    qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    _answer(qtbot, editor, "Keep as draft")
    assert not editor.isVisible()


def _panel_rows(editor: EngagementEditor) -> dict[str, list[str]]:
    assert editor.draft_panel is not None
    table = editor.draft_panel.table
    return {
        table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, table.columnCount())]
        for r in range(table.rowCount())
    }


def test_esc_without_edits_leaves_no_draft_and_an_import_is_shown(
    qtbot: QtBot, store: Store
) -> None:
    """The story of the issue: open, Esc, an .ics import changes it, open again."""
    eid = _saved_meeting(store)
    editor = _editor(qtbot, store, eid)
    assert not editor.is_dirty()
    editor.form.text["title"].setFocus()
    qtbot.keyClick(editor.form.text["title"], Qt.Key.Key_Escape)
    assert not editor.isVisible() and editor.close_question is None  # closed at once
    with store.session() as s:
        assert load_draft(s, f"engagement:{eid}") is None
    moved = START + dt.timedelta(days=7)
    _import_ics(store, eid, "PCCG meeting (moved by the BLO)", moved)
    again = _editor(qtbot, store, eid)
    assert again.draft_panel is None and again.form.isVisible()  # nothing stale offered
    assert again.form.text["title"].text() == "PCCG meeting (moved by the BLO)"
    assert again.form.state()["starts_at"] == moved.isoformat(timespec="minutes")


def test_draft_over_a_newer_version_restores_only_the_officers_edits(
    qtbot: QtBot, store: Store
) -> None:
    eid = _saved_meeting(store)
    _keep_a_draft_of_notes(qtbot, store, eid, "Ask about the new lighting")
    moved = START + dt.timedelta(days=7)
    _import_ics(store, eid, "PCCG meeting (moved)", moved)
    editor = _editor(qtbot, store, eid)
    panel = editor.draft_panel
    assert panel is not None and panel.isVisible() and not editor.form.isVisible()
    assert "has changed since your unsaved draft" in panel.heading.text()
    assert not editor.save_button.isEnabled()  # nothing is saved before the officer chooses
    rows = _panel_rows(editor)
    assert rows["Notes"] == ["Ask about the new lighting", "(empty)", "Your value"]
    assert rows["Title"] == [
        "PCCG December meeting",
        "PCCG meeting (moved)",
        "The saved value (you did not change it)",
    ]
    assert rows["Starts"][1] == f"{moved:%a %d %b %Y %H:%M}"
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    assert editor.draft_panel is None and editor.form.isVisible()
    form = editor.form
    assert form.plain["notes"].toPlainText() == "Ask about the new lighting"
    assert form.text["title"].text() == "PCCG meeting (moved)"  # the import is not reverted
    assert form.state()["starts_at"] == moved.isoformat(timespec="minutes")
    with qtbot.waitSignal(editor.saved):
        _save(qtbot, editor)
    with store.session() as s:
        e = get_engagement(s, eid)
        assert (e.title, e.starts_at, e.notes) == (
            "PCCG meeting (moved)",
            moved,
            "Ask about the new lighting",
        )
        assert load_draft(s, f"engagement:{eid}") is None


def test_draft_over_a_newer_version_keep_the_saved_one(qtbot: QtBot, store: Store) -> None:
    eid = _saved_meeting(store)
    _keep_a_draft_of_notes(qtbot, store, eid, "Old thought")
    _import_ics(store, eid, "PCCG meeting (moved)", START + dt.timedelta(days=1))
    editor = _editor(qtbot, store, eid)
    assert editor.draft_panel is not None
    qtbot.mouseClick(editor.draft_panel.keep_button, Qt.MouseButton.LeftButton)
    assert editor.form.isVisible() and editor.draft_panel is None
    assert editor.form.plain["notes"].toPlainText() == ""
    assert editor.form.text["title"].text() == "PCCG meeting (moved)"
    assert not editor.is_dirty()
    with store.session() as s:
        assert load_draft(s, f"engagement:{eid}") is None
    qtbot.keyClick(editor.form.text["title"], Qt.Key.Key_Escape)  # no edits: closes at once
    assert not editor.isVisible()


def test_draft_over_a_newer_version_decide_later(qtbot: QtBot, store: Store) -> None:
    eid = _saved_meeting(store)
    _keep_a_draft_of_notes(qtbot, store, eid, "Think about it")
    _import_ics(store, eid, "PCCG meeting (moved)", START + dt.timedelta(days=1))
    with store.session() as s:
        before = read_draft(s, f"engagement:{eid}")
    editor = _editor(qtbot, store, eid)
    assert editor.draft_panel is not None
    qtbot.mouseClick(editor.draft_panel.later_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    with store.session() as s:
        assert read_draft(s, f"engagement:{eid}") == before  # untouched
        assert get_engagement(s, eid).notes == ""
    again = _editor(qtbot, store, eid)  # offered again, and Esc also means "later"
    assert again.draft_panel is not None
    qtbot.keyClick(again.draft_panel.restore_button, Qt.Key.Key_Escape)
    assert not again.isVisible()
    with store.session() as s:
        assert read_draft(s, f"engagement:{eid}") == before


def test_draft_of_an_unchanged_record_is_offered_with_its_time(qtbot: QtBot, store: Store) -> None:
    eid = _saved_meeting(store)
    _keep_a_draft_of_notes(qtbot, store, eid, "Bring the crime figures")
    with store.session() as s:
        draft = read_draft(s, f"engagement:{eid}")
    assert draft is not None
    editor = _editor(qtbot, store, eid)
    panel = editor.draft_panel
    assert panel is not None
    assert f"You have unsaved changes from today at {draft.saved_at:%H:%M}" in panel.heading.text()
    assert _panel_rows(editor) == {"Notes": ["Bring the crime figures", "(empty)"]}
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    assert editor.form.plain["notes"].toPlainText() == "Bring the crime figures"
    assert editor.is_dirty()
    editor.undo_stack.undo()  # restoring is one step that can be undone: back to the saved state
    assert editor.form.plain["notes"].toPlainText() == ""
    with store.session() as s:
        assert load_draft(s, f"engagement:{eid}") is None


def test_draft_panel_names_partners_not_ids(qtbot: QtBot, store: Store) -> None:
    eid = _saved_meeting(store)
    editor = _editor(qtbot, store, eid)
    [zeta] = [
        b
        for b in editor.form.partners.chip_buttons()
        if b.accessibleName() == "Remove Zeta Youth Club"
    ]
    qtbot.mouseClick(zeta, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    _answer(qtbot, editor, "Keep as draft")
    again = _editor(qtbot, store, eid)
    assert _panel_rows(again) == {
        "Partner organisations": ["Alpha Residents", "Alpha Residents, Zeta Youth Club"]
    }


def test_draft_of_a_deleted_engagement_says_so(qtbot: QtBot, store: Store) -> None:
    from ccodesk.services.engagements import delete_engagement

    eid = _saved_meeting(store)
    _keep_a_draft_of_notes(qtbot, store, eid, "Keep these notes")
    with store.transaction() as s:
        delete_engagement(s, eid)
    editor = _editor(qtbot, store, eid)
    panel = editor.draft_panel
    assert panel is not None and "was deleted after your unsaved draft" in panel.heading.text()
    assert _panel_rows(editor) == {"Notes": ["Keep these notes"]}
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(editor.saved) as signal:
        _save(qtbot, editor)
    assert signal.args[0] != eid
    with store.session() as s:
        copy = get_engagement(s, signal.args[0])
        assert (copy.title, copy.notes) == ("PCCG December meeting", "Keep these notes")
        assert load_draft(s, f"engagement:{eid}") is None


def test_undoing_back_to_the_loaded_state_removes_the_draft(qtbot: QtBot, store: Store) -> None:
    eid = _saved_meeting(store)
    editor = _editor(qtbot, store, eid)
    qtbot.keyClicks(editor.form.text["venue_name"], " annexe")
    editor.save_draft()  # what the timer does shortly after an edit
    with store.session() as s:
        assert load_draft(s, f"engagement:{eid}") is not None
    editor.undo_stack.undo()
    assert editor.form.text["venue_name"].text() == "Town Hall"
    with store.session() as s:
        assert load_draft(s, f"engagement:{eid}") is None
    qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible() and editor.close_question is None


def test_saving_after_an_import_keeps_the_imported_values(qtbot: QtBot, store: Store) -> None:
    """The editor open during an import writes only what was edited in it."""
    eid = _saved_meeting(store)
    editor = _editor(qtbot, store, eid)
    qtbot.keyClicks(editor.form.plain["notes"], "Agenda agreed")
    moved = START + dt.timedelta(days=2)
    _import_ics(store, eid, "PCCG meeting (moved)", moved)
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    with store.session() as s:
        e = get_engagement(s, eid)
        assert (e.title, e.starts_at, e.notes) == ("PCCG meeting (moved)", moved, "Agenda agreed")
    assert editor.form.text["title"].text() == "PCCG meeting (moved)" and not editor.is_dirty()


# closing with unsaved edits -------------------------------------------------------------------


def _close_by(qtbot: QtBot, editor: EngagementEditor, how: str) -> None:
    if how == "button":
        qtbot.mouseClick(editor.close_button, Qt.MouseButton.LeftButton)
    elif how == "escape":
        qtbot.keyClick(editor.form.text["title"], Qt.Key.Key_Escape)
    else:  # the window's close box sends a close event
        editor.close()


@pytest.mark.parametrize("how", ["button", "escape", "close box"])
def test_closing_a_new_engagement_with_edits_asks(qtbot: QtBot, store: Store, how: str) -> None:
    editor = _editor(qtbot, store)
    qtbot.keyClicks(editor.form.text["title"], "Safer Neighbourhoods walkabout")
    _close_by(qtbot, editor, how)
    box = editor.close_question
    assert box is not None and box.isVisible() and editor.isVisible()
    assert box.text() == "Save this new engagement before closing?"
    assert {b.text().replace("&", "") for b in box.buttons()} == {
        "Save",
        "Keep as draft",
        "Discard",
        "Cancel",
    }
    _answer(qtbot, editor, "Cancel")
    assert editor.isVisible()
    assert editor.form.text["title"].text() == "Safer Neighbourhoods walkabout"


def test_close_question_keep_as_draft_and_discard(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    qtbot.keyClicks(editor.form.text["title"], "Estate walkabout")
    _close_by(qtbot, editor, "escape")
    _answer(qtbot, editor, "Keep as draft")
    assert not editor.isVisible()
    with store.session() as s:
        draft = read_draft(s, "engagement:new")
        assert draft is not None and draft.state["title"] == "Estate walkabout"
    again = _editor(qtbot, store)
    assert again.draft_panel is not None
    qtbot.mouseClick(again.draft_panel.restore_button, Qt.MouseButton.LeftButton)
    assert again.form.text["title"].text() == "Estate walkabout"
    _close_by(qtbot, again, "button")
    _answer(qtbot, again, "Discard")
    assert not again.isVisible()
    with store.session() as s:
        assert load_draft(s, "engagement:new") is None
        assert list_engagements(s, EngagementFilter()) == []


def test_close_question_save(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    _close_by(qtbot, editor, "button")  # no edits: closes at once
    assert not editor.isVisible() and editor.close_question is None
    editor = _editor(qtbot, store)
    qtbot.keyClicks(editor.form.text["venue_name"], "Kentish Town Library")
    _close_by(qtbot, editor, "close box")
    _answer(qtbot, editor, "Save")  # no title: not saved, the editor stays with the problem
    assert editor.isVisible()
    assert "title" in editor.errors.text() and editor.errors.isVisible()
    qtbot.keyClicks(editor.form.text["title"], "Library surgery")
    _close_by(qtbot, editor, "close box")
    with qtbot.waitSignal(editor.saved):
        _answer(qtbot, editor, "Save")
    assert not editor.isVisible()
    with store.session() as s:
        [row] = list_engagements(s, EngagementFilter())
        assert row.title == "Library surgery"
        assert load_draft(s, "engagement:new") is None


# keyboard and laptop fit ----------------------------------------------------------------------


def test_ctrl_page_down_changes_tab_from_a_date_field(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    form = editor.form
    starts = form.state()["starts_at"]
    form.starts.setFocus()
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(form.starts, Qt.Key.Key_PageDown, ctrl)
    assert form.currentIndex() == 1
    assert form.state()["starts_at"] == starts  # the date did not move
    focused = QApplication.focusWidget()
    assert focused is not None and form.currentWidget().isAncestorOf(focused)
    qtbot.keyClick(focused, Qt.Key.Key_PageUp, ctrl)
    assert form.currentIndex() == 0
    form.ends.setFocus()
    qtbot.keyClick(form.ends, Qt.Key.Key_Tab, ctrl)
    assert form.currentIndex() == 1
    form.plain["venue_address"].setFocus()  # a multi-line field, which takes Tab itself
    qtbot.keyClick(
        form.plain["venue_address"], Qt.Key.Key_Tab, ctrl | Qt.KeyboardModifier.ShiftModifier
    )
    assert form.currentIndex() == 0
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp, ctrl)  # wraps round
    assert form.currentIndex() == form.count() - 1
    assert not editor.is_dirty()


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_editor_fits_a_laptop_on_every_tab(
    qtbot: QtBot, demo_store: Store, width: int, height: int
) -> None:
    with demo_store.session() as s:
        row = list_engagements(s, EngagementFilter())[0]
    editor = EngagementEditor(demo_store, row.id, restore_draft=False)
    qtbot.addWidget(editor)
    editor.show()
    editor.form.attendance_box.setChecked(True)
    for index in range(editor.form.count()):
        editor.form.setCurrentIndex(index)
        assert_fits(editor, width, height)
    editor.form.text["title"].clear()  # problems and warnings shown: Save and Close stay on screen
    editor.form.ends.setDateTime(editor.form.starts.dateTime().addSecs(-3600))
    _save(qtbot, editor)
    assert editor.errors.text()
    assert_fits(editor, width, height)


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_draft_panel_fits_a_laptop(qtbot: QtBot, store: Store, width: int, height: int) -> None:
    eid = _saved_meeting(store)
    _keep_a_draft_of_notes(qtbot, store, eid, "A long note about the agenda. " * 40)
    _import_ics(store, eid, "PCCG meeting (moved)", START + dt.timedelta(days=1))
    editor = _editor(qtbot, store, eid)
    assert editor.draft_panel is not None
    assert_fits(editor, width, height)


def test_typing_straight_away_goes_into_the_title(qtbot: QtBot, store: Store) -> None:
    """Ctrl+N and type, as in a mail program: the keys land in the title, not the tab bar."""
    editor = _editor(qtbot, store)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    assert editor.focusWidget() is editor.form.text["title"]
    qtbot.keyClicks(editor.focusWidget(), "Ward panel")
    assert editor.form.text["title"].text() == "Ward panel"


def test_ctrl_s_saves_and_keeps_the_editor_open(qtbot: QtBot, store: Store) -> None:
    editor = _editor(qtbot, store)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)  # window shortcuts need it
    qtbot.keyClicks(editor.form.text["title"], "Ward panel")
    qtbot.keyClick(editor.form.text["title"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.engagement_id is not None)
    assert editor.isVisible()
    with store.session() as s:
        assert s.get(Engagement, editor.engagement_id).title == "Ward panel"
