"""The central unit's Corporate timetable (issue 16): a pan-London milestone authored on the
page reaches a borough through the reference bundle (`ccodesk-cli sync import`) and shows in
its Timetable; edits and deletions travel too; bad dates are refused; the page fits a laptop;
the authoring service on the real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ccodesk.cli.borough import main as cli
from ccodesk.errors import ValidationError
from ccodesk.models import DecisionKind, Level, TimetableEntry, TimetableKind
from ccodesk.services.central_inbox import merge_many
from ccodesk.services.central_timetable import (
    corporate_entries,
    delete_corporate_entry,
    month_overview,
    save_corporate_entry,
)
from ccodesk.services.timetable import TimetableDraft, save_timetable_entry
from ccodesk.settings import Settings
from ccodesk.store import open_store
from ccodesk.sync.central import Central, init_central, open_central, reference_bundle
from ccodesk.ui.central_timetable import CorporateTimetablePage
from ccodesk.ui.central_timetable_entry import EntryDialog
from ccodesk.ui.central_window import CentralWindow
from ccodesk.ui.timetable_page import TimetablePage
from tests.support.fit import LAPTOPS, assert_fits
from tests.test_sync import WHEN, add_engagement, export, make_borough
from tests.test_ui_central import pg_url  # noqa: F401  (the PostgreSQL fixture)
from tests.test_ui_followup import double_click

TODAY = WHEN.date()  # 26 November 2026: Camden's PCCG meeting that evening


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = init_central(tmp_path / "centre", None, "MPA Central Unit")
    yield c
    c.close()


def _page(qtbot: QtBot, central: Central) -> CorporateTimetablePage:
    page = CorporateTimetablePage(central, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    with qtbot.waitSignal(page.shown, timeout=30_000):
        page.refresh()
    return page


def _ok(qtbot: QtBot, page: CorporateTimetablePage, dialog: EntryDialog) -> None:
    """Press OK on the dialog and wait for the page to read the store again."""
    with qtbot.waitSignal(page.shown, timeout=30_000):
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )


def _choose(dialog: EntryDialog, preset: str) -> None:
    """Choose a preset as the officer does (the combo's `activated`)."""
    index = dialog.preset.findText(preset)
    assert index > 0
    dialog.preset.setCurrentIndex(index)
    dialog.preset.activated.emit(index)


def _publish(
    qtbot: QtBot,
    page: CorporateTimetablePage,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """Export the reference bundle with the page's button (the file dialog answered)."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(path), ""))
    with qtbot.waitSignal(page.exported, timeout=30_000) as said:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert page.message is not None
    page.message.close()
    return str(said.args[0])


def _borough_timetable(qtbot: QtBot, data_dir: Path, bundle: Path) -> list[str]:
    """Import the reference bundle as `ccodesk-cli sync import` does; the titles the
    borough's Timetable then shows for November 2026 (and its month view draws)."""
    assert cli(["--data-dir", str(data_dir), "sync", "import", str(bundle)]) == 0
    store = open_store(data_dir)
    try:
        timetable = TimetablePage(store, today=TODAY)
        qtbot.addWidget(timetable)
        timetable.show()
        with qtbot.waitSignal(timetable.period_loaded, timeout=30_000):
            timetable.refresh()
        view = timetable.month_view
        shown = [item.title for day in view.days for item in view.entries_on(day)]
        assert shown == [item.title for item in timetable.items]
        timetable.close()
    finally:
        store.close()
    return shown


def test_a_milestone_authored_centrally_reaches_the_boroughs_timetable_with_edits_and_deletion(
    qtbot: QtBot,
    tmp_path: Path,
    central: Central,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    try:
        add_engagement(camden, "Camden PCCG")
        bundle = export(camden, tmp_path / "camden.ccbundle")
    finally:
        camden.close()
    assert all(line.merged for line in merge_many(central, [bundle], None))
    page = _page(qtbot, central)
    assert page.period.text() == "November 2026"

    # the boroughs' engagements beside the corporate entries: a count on the day, and who
    counted = [i for i in page.month_view.entries_on(TODAY) if i.entry_id is None]
    assert [i.title for i in counted] == ["1 in 1 borough"]
    page.month_view.select_day(TODAY)
    page._day_moved(TODAY)
    days = [page.day_list.item(i).text() for i in range(page.day_list.count())]
    assert days == ["Camden: 1 engagement planned"]

    # New…: a policing plan consultation window from its preset
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.starts.setDate(QDate(2026, 11, 2))
    _choose(dialog, "Policing plan: consultation window")
    assert dialog.kind.currentData() == TimetableKind.CONSULTATION_WINDOW
    assert dialog.informs.currentData() == DecisionKind.POLICING_PLAN
    assert dialog.has_end.isChecked() and dialog.cycle.text() == "Policing plan 2026/27"
    assert dialog.ends.date() == QDate(2026, 12, 27)  # the preset's usual eight weeks
    dialog.ends.setDate(QDate(2026, 11, 27))
    dialog.title_edit.clear()
    qtbot.keyClicks(dialog.title_edit, "Policing plan 2027/28 consultation")
    qtbot.keyClicks(dialog.notes, "Boroughs' priorities by the closing day.")
    _ok(qtbot, page, dialog)
    (entry,) = page.entries
    assert entry.title == "Policing plan 2027/28 consultation"
    assert entry.when() == "2–27 Nov 2026"
    assert entry.feeds() == "Policing plan · Policing plan 2026/27"
    assert page.table.item(0, 0).text() == entry.title
    drawn = [i.title for i in page.month_view.entries_on(dt.date(2026, 11, 2))]
    assert drawn == ["Policing plan 2027/28 consultation opens"]
    with central.session() as s:
        row = s.get(TimetableEntry, entry.id)
        assert row is not None and row.level == Level.PAN_LONDON
        assert row.origin_device == central.config.central_id

    # exported in a reference bundle, imported by the borough, shown in its Timetable
    said = _publish(qtbot, page, tmp_path / "ref-1.ccref", monkeypatch)
    assert "with 1 corporate timetable entry" in said
    shown = _borough_timetable(qtbot, tmp_path / "camden", tmp_path / "ref-1.ccref")
    assert "Policing plan 2027/28 consultation opens" in shown
    assert "Policing plan 2027/28 consultation closes" in shown
    assert "Camden PCCG" in shown
    assert "1 timetable entry or other record" in capsys.readouterr().out

    # Edit… (a double-click on the list opens it): the new title travels
    rect = page.table.visualRect(page.table.model().index(0, 0))
    double_click(qtbot, page.table, rect.center())
    dialog = page.dialog
    assert dialog is not None and dialog.entry is not None and dialog.entry.id == entry.id
    dialog.title_edit.selectAll()
    qtbot.keyClicks(dialog.title_edit, "Policing plan consultation (extended)")
    dialog.ends.setDate(QDate(2026, 11, 30))
    _ok(qtbot, page, dialog)
    assert [e.title for e in page.entries] == ["Policing plan consultation (extended)"]
    _publish(qtbot, page, tmp_path / "ref-2.ccref", monkeypatch)
    shown = _borough_timetable(qtbot, tmp_path / "camden", tmp_path / "ref-2.ccref")
    assert "Policing plan consultation (extended) closes" in shown
    assert not any(title.startswith("Policing plan 2027/28") for title in shown)

    # Enter on the list opens the entry too; Delete (the key or the button) asks first; the
    # tombstone travels and the borough's Timetable loses it
    page.select_entry(entry.id)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.dialog is not None and page.dialog is not dialog
    assert page.dialog.entry is not None and page.dialog.entry.id == entry.id
    page.dialog.reject()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.confirm is not None and page.confirm.isVisible()
    page.confirm.reject()
    with central.session() as s:
        assert [e.id for e in corporate_entries(s)] == [entry.id]  # No: nothing deleted
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.confirm is not None and "Policing plan consultation" in page.confirm.text()
    with qtbot.waitSignal(page.shown, timeout=30_000):
        qtbot.mouseClick(
            page.confirm.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton
        )
    assert page.entries == [] and page.table.rowCount() == 0
    assert not page.delete_button.isEnabled()
    said = _publish(qtbot, page, tmp_path / "ref-3.ccref", monkeypatch)
    assert "(deletions included)" in said
    shown = _borough_timetable(qtbot, tmp_path / "camden", tmp_path / "ref-3.ccref")
    assert not any(title.startswith("Policing plan") for title in shown)
    assert "Camden PCCG" in shown
    store = open_store(tmp_path / "camden")
    try:
        with store.session() as s:
            gone = s.get(TimetableEntry, entry.id)
            assert gone is not None and gone.deleted
    finally:
        store.close()


def test_bad_dates_and_a_boroughs_entry_are_refused_in_plain_words(
    qtbot: QtBot, tmp_path: Path, central: Central
) -> None:
    page = _page(qtbot, central)
    dialog = page.new_entry(dt.date(2027, 3, 10))
    qtbot.keyClicks(dialog.title_edit, "Crime and disorder strategy consultation")
    dialog.kind.setCurrentIndex(dialog.kind.findData(TimetableKind.CONSULTATION_WINDOW))
    dialog.ends.setDate(QDate(2027, 3, 1))
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert dialog.problem.text() == (
        "Not saved: it ends (1 March 2027) before it starts (10 March 2027)."
    )
    dialog.starts.setDate(QDate(1950, 12, 31))
    dialog.has_end.setChecked(False)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert "the start date (31 December 1950) is not between 2000 and 2099" in (
        dialog.problem.text()
    )
    assert "a consultation window needs an end date after its start" in dialog.problem.text()
    dialog.reject()
    with central.session() as s:
        assert corporate_entries(s) == []

    # an entry changed (here behind the page's back) since its dialog opened is not
    # overwritten: the dialog says so and stays open
    with central.transaction() as s:
        first = save_corporate_entry(
            s, TimetableDraft("PAS results published", TimetableKind.MILESTONE, TODAY)
        )
    with qtbot.waitSignal(page.shown, timeout=30_000):
        page.refresh()
    dialog = page.edit_entry(page.entries[0])
    assert dialog is not None and dialog.title_edit.text() == "PAS results published"
    with central.transaction() as s:
        delete_corporate_entry(s, first)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert dialog.isVisible()
    assert dialog.problem.text() == (
        "Not saved: “PAS results published” was deleted meanwhile (in another session); "
        "nothing was changed."
    )
    dialog.reject()

    draft = TimetableDraft("", TimetableKind.PCCG_MEETING, dt.date(2027, 1, 5))
    with pytest.raises(ValidationError) as refused, central.transaction() as s:
        save_corporate_entry(s, draft)
    assert refused.value.problems == [
        "the entry has no title",
        "a pccg meeting is planned by the borough, not in the corporate timetable",
    ]

    # a borough's own timetable entry, merged at the centre, is the borough's to change
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    try:
        with camden.transaction() as s:
            theirs = save_timetable_entry(
                s, TimetableDraft("Camden PCCG AGM", TimetableKind.MILESTONE, TODAY)
            ).id
        bundle = export(camden, tmp_path / "camden.ccbundle")
    finally:
        camden.close()
    assert all(line.merged for line in merge_many(central, [bundle], None))
    for change in (
        lambda s: save_corporate_entry(
            s, TimetableDraft("Renamed", TimetableKind.MILESTONE, TODAY), theirs
        ),
        lambda s: delete_corporate_entry(s, theirs),
    ):
        only_theirs = pytest.raises(ValidationError, match="came from a borough; only that")
        with only_theirs, central.transaction() as s:
            change(s)
    with central.session() as s:
        assert corporate_entries(s) == []  # the borough's entry is not the centre's
        assert s.get(TimetableEntry, theirs).title == "Camden PCCG AGM"  # type: ignore[union-attr]


def test_the_page_in_the_central_window_fits_a_laptop(qtbot: QtBot, central: Central) -> None:
    window = CentralWindow(central, Settings(), home=central.home)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.boroughs.board_shown, timeout=30_000):
        window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.timetable.shown, timeout=30_000):
        window.go_to(CentralWindow.PAGES.index("Corporate timetable"))
    assert window.stack.currentWidget() is window.timetable
    for width, height in LAPTOPS:
        assert_fits(window, width, height)
    dialog = window.timetable.new_entry()
    for width, height in LAPTOPS:
        assert_fits(dialog, width, height)
    dialog.reject()
    window.close_store()


def test_the_authoring_service_on_postgresql(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    from tests.support.postgres import new_database

    url = new_database(pg_url, "central_timetable")
    with init_central(tmp_path / "centre", url, "MPA Central Unit") as central:
        survey = TimetableDraft(
            "Public Attitude Survey fieldwork",
            TimetableKind.CONSULTATION_WINDOW,
            dt.date(2027, 4, 1),
            dt.date(2027, 6, 30),
            planning_cycle="Public Attitude Survey 2027/28",
            informs=DecisionKind.POLICY,
        )
        plan = TimetableDraft(
            "Best Value performance plan published", TimetableKind.DEADLINE, dt.date(2027, 6, 30)
        )
        with central.transaction() as s:
            survey_id = save_corporate_entry(s, survey)
            plan_id = save_corporate_entry(s, plan)
        with central.transaction() as s:
            survey.title = "Public Attitude Survey fieldwork (wave 1)"
            save_corporate_entry(s, survey, survey_id)
            delete_corporate_entry(s, plan_id)
        with pytest.raises(ValidationError, match="before it starts"), central.transaction() as s:
            save_corporate_entry(
                s,
                TimetableDraft(
                    "Backwards", TimetableKind.CONSULTATION_WINDOW, TODAY, TODAY - dt.timedelta(1)
                ),
            )
        # two central officers on one database: the second's stale save and delete are
        # refused in plain words, and the first's change is not lost
        with central.session() as s:
            (seen,) = corporate_entries(s)
        with open_central(tmp_path / "centre", url) as other:
            with other.transaction() as s:
                survey.notes = "Wave 1 fieldwork by the survey contractor."
                save_corporate_entry(s, survey, survey_id, seen=seen.version)
            stale = TimetableDraft(
                "Public Attitude Survey (stale)", TimetableKind.MILESTONE, dt.date(2027, 4, 1)
            )
            for change in (
                lambda s: save_corporate_entry(s, stale, survey_id, seen=seen.version),
                lambda s: delete_corporate_entry(s, survey_id, seen=seen.version),
            ):
                with (
                    pytest.raises(ValidationError, match="was changed in another session"),
                    central.transaction() as s,
                ):
                    change(s)
        with central.session() as s:
            (entry,) = corporate_entries(s)
            june = month_overview(s, dt.date(2027, 6, 1), dt.date(2027, 7, 1))
        assert entry.notes == "Wave 1 fieldwork by the survey contractor."
        assert entry.id == survey_id and entry.title.endswith("(wave 1)")
        assert entry.feeds() == "Policy or initiative · Public Attitude Survey 2027/28"
        assert [i.title for i in june.items if i.day == dt.date(2027, 6, 30)] == [
            "Public Attitude Survey fieldwork (wave 1) closes"
        ]
        assert len(june.items) == 30  # open every day of June; the deleted deadline gone
        # the reference bundle (signed, not encrypted) carries both: the deletion travels
        with zipfile.ZipFile(io.BytesIO(reference_bundle(central))) as z:
            manifest = json.loads(z.read("manifest.json"))
            changes = [json.loads(line) for line in z.read("changes.jsonl").splitlines()]
        assert manifest["counts"]["timetable_entry"] == 2
        assert len(changes) == 2 and {c["id"] for c in changes} == {survey_id, plan_id}
