"""The central window's Follow-up page (issue 16), driven as an officer does: a search typed,
a borough chosen, a record opened with a double-click and a note added; two desks on one
PostgreSQL database editing the same note — the second refused in plain words; the page and
its dialogs fit a laptop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from ccodesk.services.central_notes import notes_on
from ccodesk.settings import Settings, load_settings
from ccodesk.sync.central import Central, init_central
from ccodesk.ui.central_followup import CountsModel, FollowUpPage, LooseEndsModel, ResultsModel
from ccodesk.ui.central_note_dialogs import NoteDialog, RecordDialog
from ccodesk.ui.central_window import CentralWindow
from tests.support.fit import LAPTOPS, assert_fits
from tests.test_central_followup import TODAY, merged_london
from tests.test_ui_central import pg_url  # noqa: F401  (the PostgreSQL fixture)
from tests.test_ui_followup import double_click


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = init_central(tmp_path / "centre", None, "MPA Central Unit")
    yield c
    c.close()


def _page(qtbot: QtBot, central: Central, settings: Settings | None = None) -> FollowUpPage:
    page = FollowUpPage(central, settings or Settings(), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1140, 598)
    page.show()
    return page


def _search(qtbot: QtBot, page: FollowUpPage, words: str) -> None:
    page.query.clear()
    with qtbot.waitSignal(page.searched, timeout=30_000):
        qtbot.keyClicks(page.query, words)


def _open(qtbot: QtBot, page: FollowUpPage, table: object, row: int) -> RecordDialog:
    rect = table.visualRect(table.model().index(row, 2))  # type: ignore[attr-defined]
    with qtbot.waitSignal(page.record_opened, timeout=30_000) as opened:
        double_click(qtbot, table, rect.center())  # type: ignore[arg-type]
    dialog = opened.args[0]
    assert isinstance(dialog, RecordDialog)
    return dialog


def _write(qtbot: QtBot, dialog: NoteDialog, note: str, officer: str | None = None) -> None:
    dialog.text.selectAll()
    qtbot.keyClicks(dialog.text, note)
    if officer is not None:
        dialog.officer.clear()
        qtbot.keyClicks(dialog.officer, officer)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def test_search_a_borough_chosen_and_a_note_added(
    qtbot: QtBot, qtmodeltester: object, tmp_path: Path, central: Central
) -> None:
    ids = merged_london(tmp_path, central)
    settings = Settings()
    page = _page(qtbot, central, settings)

    # a search typed: every borough's findings and actions that mention it
    _search(qtbot, page, "bus rou")
    rows = page.results.rows
    assert {(r.borough, r.kind_label) for r in rows} == {
        ("Camden", "Finding"),
        ("Hackney", "Finding"),
    }
    assert page.search_said.text() == "2 found."
    qtmodeltester.check(page.results)  # type: ignore[attr-defined]
    # best matches first (no heading claims an order), until a heading is clicked
    header = page.results_table.horizontalHeader()
    assert header.sortIndicatorSection() == -1
    ranked = [page.results_proxy.index(r, ResultsModel.BOROUGH).data() for r in range(2)]
    assert ranked == [row.borough for row in rows]
    page.results_table.sortByColumn(ResultsModel.DATE, Qt.SortOrder.DescendingOrder)
    first = page.results_proxy.index(0, ResultsModel.DATE).data()
    assert first == "26 Nov 2026"
    _search(qtbot, page, '" OR ))')
    assert page.results.rows == [] and page.search_said.text().startswith("Nothing in London")

    # a borough chosen: its overdue action and its finding with no outcome
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.counts.rowCount() == 33, timeout=30_000)
    qtmodeltester.check(page.counts)  # type: ignore[attr-defined]
    camden = next(
        r for r in range(page.counts_proxy.rowCount())
        if page.counts_proxy.index(r, CountsModel.BOROUGH).data() == "Camden"
    )  # fmt: skip
    assert page.counts_proxy.index(camden, CountsModel.FINDINGS).data() == "1"
    assert page.counts_proxy.index(camden, CountsModel.OVERDUE).data() == "1"
    rect = page.counts_table.visualRect(page.counts_proxy.index(camden, 0))
    with qtbot.waitSignal(page.borough_shown, timeout=30_000) as shown:
        qtbot.mouseClick(page.counts_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert shown.args == ["camden"]
    assert [r.what for r in page.loose.rows] == ["Action overdue", "Finding with no outcome"]
    assert page.borough_said.text().startswith(
        "Camden: 1 action overdue, 1 finding with no outcome"
    )

    # the finding opened read-only, a note added (the name remembered for next time)
    finding_row = next(
        r for r in range(page.loose_proxy.rowCount())
        if page.loose_proxy.index(r, LooseEndsModel.WHAT).data() == "Finding with no outcome"
    )  # fmt: skip
    dialog = _open(qtbot, page, page.loose_table, finding_row)
    assert dialog.windowTitle() == "Finding — Camden"
    assert not dialog.edit_button.isEnabled()
    for width, height in LAPTOPS:
        assert_fits(dialog, width, height)
    note_dialog = dialog.add_note()
    _write(qtbot, note_dialog, "", "")  # nothing typed: refused, nothing written
    assert note_dialog.isVisible()
    assert "the note is empty" in note_dialog.problem.text()
    assert "say who wrote the note" in note_dialog.problem.text()
    with qtbot.waitSignal(page.borough_shown, timeout=30_000):
        _write(qtbot, note_dialog, "Raised with Camden's CCO on 3 Dec", "Priya Shah")
    assert not note_dialog.isVisible()
    assert dialog.notes.count() == 1
    assert dialog.notes.item(0).text().startswith("Raised with Camden's CCO on 3 Dec\n— Priya Shah")
    assert settings.central_officer == "Priya Shah" == load_settings().central_officer
    notes_column = page.loose_proxy.index(finding_row, LooseEndsModel.NOTES).data()
    assert notes_column == "1"

    # edited: the name comes from the settings
    dialog.notes.setCurrentRow(0)
    assert dialog.edit_button.isEnabled()
    edit = dialog.edit_note()
    assert edit is not None and edit.officer.text() == "Priya Shah"
    _write(qtbot, edit, "Raised on 3 Dec; reply due 10 Dec")
    assert "changed by Priya Shah" in dialog.notes.item(0).text()
    dialog.close()
    with central.session() as s:
        (note,) = notes_on(s, "finding", ids["camden"]["finding"])
    assert (note.text, note.version) == ("Raised on 3 Dec; reply due 10 Dec", 2)


def test_the_follow_up_page_in_the_central_window_fits_a_laptop(
    qtbot: QtBot, tmp_path: Path, central: Central
) -> None:
    merged_london(tmp_path, central)
    window = CentralWindow(central, Settings())
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    assert CentralWindow.PAGES[-1] == "Follow-up"
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)  # Ctrl+7
    assert window.stack.currentWidget() is window.followup
    assert window.followup.query.hasFocus()
    with qtbot.waitSignal(window.followup.searched, timeout=30_000):
        qtbot.keyClicks(window.followup.query, "lighting")
    assert {r.borough for r in window.followup.results.rows} == {"Camden", "Hackney"}
    for tab in (0, 1):
        window.followup.tabs.setCurrentIndex(tab)
        for width, height in LAPTOPS:
            assert_fits(window, width, height)
    dialog = window.followup.open_record("action_item", window.followup.results.rows[0].id)
    assert dialog is not None
    note_dialog = dialog.add_note()
    for width, height in LAPTOPS:
        assert_fits(note_dialog, width, height)
    note_dialog.reject()
    dialog.reject()
    window.close_store()


def test_two_desks_on_postgresql_editing_one_note_the_second_is_refused(
    qtbot: QtBot,
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    from ccodesk.sync.central import open_central
    from tests.support.postgres import new_database

    url = new_database(pg_url, "followup_desks")
    home = tmp_path / "centre"
    first = init_central(home, url, "MPA Central Unit")
    second = open_central(home, url)
    try:
        ids = merged_london(tmp_path, first)
        desks = [_page(qtbot, c) for c in (first, second)]
        opened = [page.open_record("finding", ids["hackney"]["finding"]) for page in desks]
        assert all(opened)
        mine, theirs = opened  # type: ignore[misc]
        with qtbot.waitSignal(mine.notes_changed, timeout=30_000):  # type: ignore[union-attr]
            _write(qtbot, mine.add_note(), "Raised with Hackney's CCO", "Priya Shah")  # type: ignore[union-attr]
        # the other desk sees it on reopening (a refresh), then both edit it at once
        theirs.reject()  # type: ignore[union-attr]
        theirs = desks[1].open_record("finding", ids["hackney"]["finding"])
        assert theirs is not None and theirs.notes.item(0).text().startswith("Raised with Hackney")
        mine.notes.setCurrentRow(0)  # type: ignore[union-attr]
        theirs.notes.setCurrentRow(0)
        editing = [mine.edit_note(), theirs.edit_note()]  # type: ignore[union-attr]
        assert all(editing)
        _write(qtbot, editing[0], "Raised with Hackney's CCO; chased 5 Dec")  # type: ignore[arg-type]
        _write(qtbot, editing[1], "Hackney replied", "Tom Reid")  # type: ignore[arg-type]
        refused = editing[1]
        assert refused is not None and refused.isVisible()
        assert refused.problem.text().startswith(
            "This note was changed by Priya Shah in another session since you opened it"
        )
        with second.session() as s:
            (note,) = notes_on(s, "finding", ids["hackney"]["finding"])
        assert (note.text, note.version) == ("Raised with Hackney's CCO; chased 5 Dec", 2)
        refused.reject()
        assert "chased 5 Dec" in theirs.notes.item(0).text()  # read again when closed
        for page in desks:
            page.close()
    finally:
        second.close()
        first.close()


def test_every_alt_letter_of_the_note_and_record_dialogs_leads_to_one_control(
    qtbot: QtBot, tmp_path: Path, central: Central
) -> None:
    """Alt+N is the note, Alt+M the officer's name (it was Alt+N too: typing the name after
    Alt+N went on into the note); Ctrl+Enter saves."""
    from tests.support.mnemonics import clashes

    merged_london(tmp_path, central)
    page = _page(qtbot, central)
    _search(qtbot, page, "bus rou")
    record = _open(qtbot, page, page.results_table, 0)
    assert clashes(record) == {}
    dialog = record.add_note()
    assert dialog is not None and clashes(dialog) == {}
    from PySide6.QtWidgets import QApplication

    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=10_000)
    qtbot.keyClicks(dialog.text, "Raised with the CCO")
    qtbot.keyClick(dialog.text, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert dialog.officer.hasFocus()
    qtbot.keyClicks(dialog.officer, "Jo Central")
    qtbot.keyClick(dialog.officer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.saved is not None and dialog.saved.text == "Raised with the CCO"
    assert dialog.saved.officer == "Jo Central"
    record.close()
