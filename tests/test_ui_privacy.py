"""The Data protection page (issue 15), driven with real clicks (pytest-qt): the retention
schedule edited and saved, what is due, Purge… asked, run with progress, counts going to
nought and a deletion record listed; Cancel (in the question or during the purge) deletes
nothing; reached with Ctrl+8; fits a laptop."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ccodesk.services import retention
from ccodesk.store import Store
from ccodesk.ui.main_window import MainWindow
from ccodesk.ui.privacy_page import DataProtectionPage
from tests.support.fit import LAPTOPS, assert_fits
from tests.support.sync_attacks import content_digest
from tests.test_privacy_retention import DAY, FIXED, build, date_edits

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(qtbot: QtBot, store: Store) -> DataProtectionPage:
    build(store, FIXED)
    date_edits(store, FIXED)
    widget = DataProtectionPage(store)
    widget.retention.day = lambda: DAY
    qtbot.addWidget(widget)
    widget.resize(1100, 650)
    with qtbot.waitSignal(widget.retention.refreshed):
        widget.show()
    qtbot.waitExposed(widget)
    return widget


def _due(page: DataProtectionPage) -> dict[str, int]:
    return {d.category: d.count for d in page.retention.due_model.rows}


def _answer(qtbot: QtBot, page: DataProtectionPage, button: str) -> None:
    qtbot.waitUntil(lambda: page.retention.confirm_box is not None)
    box = page.retention.confirm_box
    assert box is not None and box.isVisible()
    (chosen,) = [b for b in box.buttons() if b.text().replace("&", "") == button]
    qtbot.mouseClick(chosen, LEFT)


def test_shows_what_is_due_and_purges_it_after_asking(
    qtbot: QtBot, page: DataProtectionPage, store: Store, qtmodeltester: Any
) -> None:
    tab = page.retention
    qtmodeltester.check(tab.due_model)
    assert _due(page) == {
        "contacts": 1,
        "expired_consent": 1,
        "named_attendance": 1,
        "notes": 1,
        "drafts": 1,
        "audit": 2,
    }
    assert tab.purge_button.isEnabled() and "7 items due" in tab.summary.text()

    qtbot.mouseClick(tab.purge_button, LEFT)
    qtbot.waitUntil(lambda: tab.confirm_box is not None)
    assert tab.confirm_box is not None
    asked = tab.confirm_box.text()
    assert "Named attendance: 1 name" in asked and "Audit trail: 2 events" in asked
    progress: list[tuple[int, int, str]] = []
    _answer(qtbot, page, "Delete")
    qtbot.waitUntil(lambda: tab.progress_dialog is not None)
    assert tab.progress_dialog is not None
    tab.progress_dialog.job.signals.progress.connect(lambda *a: progress.append(a))
    with qtbot.waitSignal(tab.purged, timeout=30_000):
        pass
    assert all(n == 0 for n in _due(page).values())
    assert not tab.purge_button.isEnabled() and tab.summary.text().startswith("Deleted — ")

    page.tabs.setCurrentWidget(page.deletions)
    qtmodeltester.check(page.deletions.model)
    listed = {r.category: r.count for r in page.deletions.model.rows}
    assert listed == {
        "contacts": 1,
        "expired_consent": 1,
        "named_attendance": 1,
        "notes": 1,
        "drafts": 1,
        "audit": 2,
    }
    first = page.deletions.model.index(0, 3).data()
    assert first == "Ada Officer"


def test_cancel_in_the_question_deletes_nothing(
    qtbot: QtBot, page: DataProtectionPage, store: Store
) -> None:
    with store.session() as s:
        before = content_digest(s)
    qtbot.mouseClick(page.retention.purge_button, LEFT)
    _answer(qtbot, page, "Cancel")
    qtbot.waitUntil(lambda: page.retention.confirm_box is None)
    assert page.retention.progress_dialog is None
    with store.session() as s:
        assert content_digest(s) == before


def test_cancel_during_the_purge_deletes_nothing(
    qtbot: QtBot, page: DataProtectionPage, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = retention.purge_store
    started = threading.Event()

    def held(*args: Any) -> Any:  # the purge waits (10 s at most) until Cancel is pressed
        started.set()
        cancelled = args[4]
        deadline = time.monotonic() + 10
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(*args)

    monkeypatch.setattr(retention, "purge_store", held)
    with store.session() as s:
        before = content_digest(s)
    qtbot.mouseClick(page.retention.purge_button, LEFT)
    _answer(qtbot, page, "Delete")
    qtbot.waitUntil(started.is_set)
    dialog = page.retention.progress_dialog
    assert dialog is not None
    job = dialog.job
    qtbot.waitUntil(dialog.isVisible)
    qtbot.mouseClick(dialog.findChildren(type(page.retention.purge_button))[0], LEFT)
    qtbot.waitUntil(lambda: job.done)
    qtbot.waitUntil(lambda: "Cancelled" in page.retention.summary.text())
    with qtbot.waitSignal(page.retention.refreshed):
        page.retention.refresh()
    with store.session() as s:
        assert content_digest(s) == before
    assert _due(page)["contacts"] == 1


def test_the_schedule_is_edited_on_the_page(qtbot: QtBot, page: DataProtectionPage) -> None:
    tab = page.retention
    check, spin = tab.rules["drafts"]
    assert check.isChecked() and spin.value() == 30 and spin.suffix() == " days"
    spin.setValue(60)  # the 40-day-old draft is no longer due
    qtbot.mouseClick(tab.rules["audit"][0], LEFT)  # switched off
    with qtbot.waitSignal(tab.refreshed):
        qtbot.mouseClick(tab.save_button, LEFT)
    assert tab.saved_label.text() == "Saved."
    assert "drafts" in _due(page) and _due(page)["drafts"] == 0
    assert "audit" not in _due(page)
    with tab.store.session() as s:
        rules = {r.category: r for r in retention.schedule(s)}
    assert rules["drafts"].keep_for == 60 and not rules["audit"].enabled
    assert not tab.rules["audit"][1].isEnabled()


def test_reached_with_ctrl_8_as_the_last_page(qtbot: QtBot, store: Store) -> None:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QThreadPool.globalInstance().waitForDone()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert MainWindow.PAGES[-1] == "Data protection"
    with qtbot.waitSignal(window.privacy.retention.refreshed):
        QTest.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.privacy
    assert window.privacy.tabs.tabText(0) == "Retention"
    assert window.privacy.retention.due_model.rowCount() == len(retention.RULES)


def test_the_dashboards_request_line_opens_it_on_the_subject_access_tab(
    qtbot: QtBot, store: Store
) -> None:
    """The window wires the dashboard's "Subject access requests due" line to this page."""
    import datetime as dt

    from ccodesk.services.person_match import SearchTerms
    from ccodesk.services.subject_access_log import log_request

    with store.transaction() as s:
        request = log_request(s, SearchTerms("Amara Okafor"), dt.date.today())
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QThreadPool.globalInstance().waitForDone()
    sar = window.dashboard.sar
    role = Qt.ItemDataRole.UserRole
    qtbot.waitUntil(lambda: sar.count() == 1 and sar.item(0).data(role) is not None, timeout=20_000)
    panel = window.privacy.subject_access
    with qtbot.waitSignal(panel.searched, timeout=20_000):
        window.dashboard.open_item(sar.item(0))
    assert window.stack.currentWidget() is window.privacy
    assert window.privacy.tabs.currentWidget() is panel
    assert panel.name.text() == "Amara Okafor"
    assert panel.requests[panel.log.currentRow()].id == request.id


def test_a_tab_is_added_in_one_line(qtbot: QtBot, page: DataProtectionPage) -> None:
    extra = QMessageBox()  # any widget
    page.add_tab(extra, "Subject access")
    assert page.tabs.tabText(page.tabs.count() - 1) == "Subject access"


@pytest.mark.parametrize(("width", "height"), LAPTOPS, ids=["1366x768", "1024x700"])
def test_fits_a_laptop(page: DataProtectionPage, width: int, height: int) -> None:
    assert_fits(page, width, height)
