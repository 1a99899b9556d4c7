"""Several central officers at once (issue 16): two desktop sessions, each its own CentralWindow
and engine, on ONE real PostgreSQL database. One merges while the other browses the board,
London and the conflicts, never waiting on the merge; each sees the other's work after Refresh
(F5); the corporate timetable edited in both loses no one's change; a decision or a save made
while the other desk merges is told at once that the store is busy. (A conflict decided in
both: tests/test_ui_central_trust.py.)"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from ccodesk.models import EngagementStatus, TimetableKind
from ccodesk.services.central_london import KEY_FIGURES
from ccodesk.services.central_timetable import save_corporate_entry
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.timetable import TimetableDraft
from ccodesk.settings import Settings
from ccodesk.sync import audit_heads
from ccodesk.sync.central import Central, init_central, open_central
from ccodesk.ui.central_window import CentralWindow
from tests.test_sync import WHEN, add_engagement, export, make_borough
from tests.test_ui_central import pg_url  # noqa: F401  (the PostgreSQL fixture)
from tests.test_ui_central_trust import _conflict

HELD = [key.measure for key in KEY_FIGURES].index("Engagements held")


def second_desk(first: Central, tmp_path: Path) -> Central:
    """Another officer's desktop on the same database: the centre's keys, another name."""
    home = tmp_path / "second-desk"
    shutil.copytree(first.home, home)
    config = json.loads((home / "central.json").read_text())
    (home / "central.json").write_text(json.dumps({**config, "name": "Second desk"}))
    return open_central(home, first.url)


def window_on(qtbot: QtBot, central: Central, tmp_path: Path) -> CentralWindow:
    outbox = tmp_path / f"outbox-{central.config.name}"
    window = CentralWindow(central, Settings(central_outbox=str(outbox)), home=central.home)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.boroughs.board_shown, timeout=30_000):
        window.show()
    qtbot.waitExposed(window)
    return window


def press_f5(qtbot: QtBot, window: CentralWindow, shown: object) -> None:
    """Refresh as the officer does (in that desk's window), and wait for the page in view to
    have read the store."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10_000)
    with qtbot.waitSignal(shown, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)


def go(qtbot: QtBot, window: CentralWindow, page: str, shown: object) -> None:
    with qtbot.waitSignal(shown, timeout=60_000):
        window.go_to(CentralWindow.PAGES.index(page))


@pytest.fixture
def desks(
    tmp_path: Path,
    pg_url: str,  # noqa: F811
    request: pytest.FixtureRequest,
) -> tuple[Central, Central]:
    from tests.support.postgres import new_database

    url = new_database(pg_url, f"desks_{request.node.name[5:40]}")
    first = init_central(tmp_path / "centre", url, "MPA Central Unit")
    second = second_desk(first, tmp_path)
    request.addfinalizer(first.close)
    request.addfinalizer(second.close)
    return first, second


def hold_merges(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Hold every merge at its last step inside its transaction (its rows written, the merge
    lock taken, nothing committed) until `release` is set; `inside` says one got there."""
    inside, release = threading.Event(), threading.Event()
    keep: Callable[..., object] = audit_heads.check_and_keep

    def held(*args: object, **kwargs: object) -> object:
        inside.set()
        release.wait(60)
        return keep(*args, **kwargs)

    monkeypatch.setattr(audit_heads, "check_and_keep", held)
    return inside, release


def test_one_desk_merges_while_the_other_browses_then_sees_it_on_refresh(
    qtbot: QtBot,
    tmp_path: Path,
    desks: tuple[Central, Central],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = desks
    _conflict(tmp_path, first)  # Camden: one open conflict to browse
    hackney = make_borough(tmp_path / "hackney", "hackney", "Bo Officer", first)
    try:
        add_engagement(hackney, "Hackney outreach", status=EngagementStatus.HELD)
        bundle = export(hackney, tmp_path / "hackney.ccbundle")
    finally:
        hackney.close()
    merging, browsing = window_on(qtbot, first, tmp_path), window_on(qtbot, second, tmp_path)
    london = browsing.london
    london.period = Period.containing(PeriodKind.QUARTER, WHEN.date())
    inside, release = hold_merges(monkeypatch)
    try:
        merging.inbox.add_bundles([bundle])
        qtbot.waitUntil(inside.is_set, timeout=60_000)
        # the merge holds its transaction open: the other desk browses every page meanwhile
        browsing.go_to(CentralWindow.PAGES.index("Conflicts"))  # read on the UI thread
        assert browsing.conflicts.count() == 1
        go(qtbot, browsing, "London", london.shown)
        assert london.line("hackney").now[HELD].text == "0"
        go(qtbot, browsing, "Boroughs", browsing.boroughs.board_shown)
        assert browsing.boroughs.line("hackney").bundles == 0  # not committed yet
        assert browsing.boroughs.line("camden").conflicts == 1
        assert not release.is_set() and merging.inbox.progress is not None  # still merging
    finally:
        release.set()
    with qtbot.waitSignal(merging.inbox.batch_done, timeout=60_000) as done:
        pass
    assert [line.merged for line in done.args[0]] == [True]
    # the browsing desk does not see the merge until it refreshes; F5 shows it
    assert browsing.boroughs.line("hackney").bundles == 0
    press_f5(qtbot, browsing, browsing.boroughs.board_shown)
    assert browsing.boroughs.line("hackney").bundles == 1
    assert "2 boroughs sending" in browsing.status.text()
    go(qtbot, browsing, "London", london.shown)
    assert london.line("hackney").now[HELD].text == "1"
    merging.close_store()
    browsing.close_store()


def test_the_corporate_timetable_edited_at_two_desks_loses_neither_change(
    qtbot: QtBot, tmp_path: Path, desks: tuple[Central, Central]
) -> None:
    first, second = desks
    draft = TimetableDraft(
        "Policing plan consultation", TimetableKind.CONSULTATION_WINDOW, WHEN.date(),
        WHEN.date().replace(day=30), planning_cycle="Policing plan 2027/28",
    )  # fmt: skip
    with first.transaction() as s:
        entry_id = save_corporate_entry(s, draft)
    windows = [window_on(qtbot, first, tmp_path), window_on(qtbot, second, tmp_path)]
    for window in windows:
        window.timetable.current = WHEN.date()
        go(qtbot, window, "Corporate timetable", window.timetable.shown)
        window.timetable.select_entry(entry_id)
    mine, theirs = (w.timetable for w in windows)
    dialogs = [mine.edit_entry(), theirs.edit_entry()]  # both open the entry as it stands
    assert all(d is not None for d in dialogs)
    first_dialog, second_dialog = dialogs
    assert first_dialog is not None and second_dialog is not None
    first_dialog.title_edit.setText("Policing plan consultation (extended)")
    with qtbot.waitSignal(mine.shown, timeout=30_000):
        qtbot.mouseClick(
            first_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
            Qt.MouseButton.LeftButton,
        )
    second_dialog.notes.setPlainText("Add the youth panel.")
    qtbot.mouseClick(
        second_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
        Qt.MouseButton.LeftButton,
    )
    assert second_dialog.isVisible()  # refused, and says so
    said = second_dialog.problem.text()
    assert said.startswith(
        "Not saved: “Policing plan consultation (extended)” was changed in another session"
    )
    assert "nothing was changed" in said
    second_dialog.reject()
    assert theirs.entries[0].title == "Policing plan consultation"  # not read again yet
    press_f5(qtbot, windows[1], theirs.shown)
    (entry,) = theirs.entries
    assert (entry.title, entry.notes) == ("Policing plan consultation (extended)", "")
    shown = [i.title for day in theirs.month_view.days for i in theirs.month_view.entries_on(day)]
    assert "Policing plan consultation (extended) opens" in shown
    for window in windows:
        window.close_store()


def test_a_decision_or_a_save_during_the_other_desks_merge_says_busy_at_once(
    qtbot: QtBot,
    tmp_path: Path,
    desks: tuple[Central, Central],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A merge holds the centre's change counter until it commits: a desk deciding a conflict
    or saving an entry meanwhile is told the store is busy (within DESK_WAIT seconds, not when
    the merge ends), nothing written; once the merge is in, the same click goes through."""
    first, second = desks
    _conflict(tmp_path, first)
    hackney = make_borough(tmp_path / "hackney", "hackney", "Bo Officer", first)
    try:
        add_engagement(hackney, "Hackney outreach")
        bundle = export(hackney, tmp_path / "hackney.ccbundle")
    finally:
        hackney.close()
    merging, deciding = window_on(qtbot, first, tmp_path), window_on(qtbot, second, tmp_path)
    deciding.timetable.current = WHEN.date()
    go(qtbot, deciding, "Corporate timetable", deciding.timetable.shown)
    dialog = deciding.timetable.new_entry(WHEN.date())
    dialog.title_edit.setText("Public Attitude Survey results")
    deciding.go_to(CentralWindow.PAGES.index("Conflicts"))
    review = deciding.conflicts.review
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warned.append(text))
    busy = "The central store is busy: another session is merging bundles"
    inside, release = hold_merges(monkeypatch)
    try:
        merging.inbox.add_bundles([bundle])
        qtbot.waitUntil(inside.is_set, timeout=60_000)
        with qtbot.waitSignal(review.refused, timeout=30_000) as refused:
            qtbot.mouseClick(review.keep_local, Qt.MouseButton.LeftButton)
        assert refused.args[0].startswith(busy) and warned == [refused.args[0]]
        assert deciding.conflicts.count() == 1  # still open
        dialog.save()
        assert dialog.isVisible() and dialog.problem.text().startswith(f"Not saved: {busy}")
        assert not release.is_set()  # both answered while the merge was still under way
    finally:
        release.set()
    with qtbot.waitSignal(merging.inbox.batch_done, timeout=60_000):
        pass
    with qtbot.waitSignal(deciding.timetable.shown, timeout=30_000):
        dialog.save()
    assert [e.title for e in deciding.timetable.entries] == ["Public Attitude Survey results"]
    with qtbot.waitSignal(deciding.conflicts.resolved, timeout=30_000):
        qtbot.mouseClick(review.keep_local, Qt.MouseButton.LeftButton)
    assert deciding.conflicts.count() == 0 and len(warned) == 1
    merging.close_store()
    deciding.close_store()
