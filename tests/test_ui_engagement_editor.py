"""The engagement editor: fields, live warnings, validation, undo/redo and drafts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialogButtonBox

from ccodesk.models import EngagementKind, OrganisationType, SensitivityLevel
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.drafts import load_draft, read_draft
from ccodesk.services.engagements import EngagementFilter, get_engagement, list_engagements
from ccodesk.ui.engagement_editor import EngagementEditor

START = dt.datetime(2026, 11, 3, 18, 30)  # in the past: attendance is recorded


def _editor(qtbot, store, engagement_id=None, **kw) -> EngagementEditor:  # type: ignore[no-untyped-def]
    editor = EngagementEditor(store, engagement_id, starts_at=START, **kw)
    qtbot.addWidget(editor)
    editor.show()
    return editor


def _set_kind(editor: EngagementEditor, kind: EngagementKind) -> None:
    combo = editor.form.combos["kind"]
    combo.setCurrentIndex(combo.findData(kind.value))


def _answer(qtbot, editor: EngagementEditor, text: str) -> None:  # type: ignore[no-untyped-def]
    """Click `text` in the question the editor asks before closing."""
    box = editor.close_question
    assert box is not None and box.isVisible(), "the editor closed without asking"
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _save(qtbot, editor: EngagementEditor) -> None:  # type: ignore[no-untyped-def]
    button = editor.save_button
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_new_focus_group_with_attendance(qtbot, store) -> None:  # type: ignore[no-untyped-def]
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


def test_problems_are_shown_and_nothing_saved(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    editor = _editor(qtbot, store)
    editor.form.ends.setDateTime(QDateTime(START - dt.timedelta(hours=1)))
    assert editor.form.ends.dateTime() == QDateTime(START)  # the end cannot go before the start
    _save(qtbot, editor)
    assert editor.isVisible()
    assert "the title is empty" in editor.errors.text().lower()
    with store.session() as s:
        assert list_engagements(s, EngagementFilter()) == []


def test_warnings_for_unreached_groups_and_sensitive_partners(qtbot, store) -> None:  # type: ignore[no-untyped-def]
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


def test_undo_and_redo(qtbot, store) -> None:  # type: ignore[no-untyped-def]
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


def test_closing_mid_edit_keeps_a_draft(qtbot, store) -> None:  # type: ignore[no-untyped-def]
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


def test_draft_is_saved_while_typing(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """A killed program loses nothing: the draft is written shortly after each edit."""
    editor = _editor(qtbot, store)
    qtbot.keyClicks(editor.form.text["title"], "Typed before a crash")

    def draft_written() -> None:
        with store.session() as s:
            draft = read_draft(s, "engagement:new")
            assert draft is not None and draft.state["title"] == "Typed before a crash"

    qtbot.waitUntil(draft_written, timeout=3000)


def test_edit_existing_from_the_list(qtbot, demo_store) -> None:  # type: ignore[no-untyped-def]
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


def test_fatigue_warning_in_the_editor(qtbot, store) -> None:  # type: ignore[no-untyped-def]
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
