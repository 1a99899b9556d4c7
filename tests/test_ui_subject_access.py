"""The subject access panel (issue 15) driven as an officer would: type a name, press Enter, see
what is held grouped by kind with why, export the PDF and JSON into a folder, see the request
answered in the log; a request logged shows on the Dashboard until answered. It fits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ccodesk.store import Store
from ccodesk.ui.dashboard_page import ITEM_ROLE, DashboardPage
from ccodesk.ui.privacy_sar import SubjectAccessPanel
from ccodesk.ui.qtdates import qdate
from tests.support.fit import LAPTOPS, assert_page_fits
from tests.test_subject_access import pdf_text, populate

TODAY = dt.date.today()


@pytest.fixture
def people_store(store: Store) -> tuple[Store, list[str]]:
    with store.transaction() as s:
        people = populate(s, [(0, 0, [0, 1, 3, 6, 7]), (1, 1, [0, 4])])
    return store, [p.name for p in people]


def _search(qtbot: QtBot, panel: SubjectAccessPanel, name: str) -> None:
    panel.name.clear()
    qtbot.keyClicks(panel.name, name)
    with qtbot.waitSignal(panel.searched, timeout=20_000):
        qtbot.keyClick(panel.name, Qt.Key.Key_Return)


def test_search_then_export_answers_the_request(
    qtbot: QtBot, people_store: tuple[Store, list[str]], tmp_path: Path
) -> None:
    store, (amara, bogdan) = people_store
    panel = SubjectAccessPanel(store)
    qtbot.addWidget(panel)
    panel.show()
    _search(qtbot, panel, amara)
    tops = [panel.results.topLevelItem(i) for i in range(panel.results.topLevelItemCount())]
    labels = [t.text(0) for t in tops]
    assert "Named attendance (2)" in labels and "Contact details (1)" in labels
    attendance = tops[labels.index("Named attendance (2)")]
    assert attendance.child(0).text(1).startswith("Named attendance: to show who took part in")
    assert "Found" in panel.status.text() and amara in panel.status.text()
    with qtbot.waitSignal(panel.exported, timeout=20_000) as done:
        panel.export_button.setEnabled(True)
        panel.export(tmp_path)
    answer = done.args[0]
    assert answer.pdf == tmp_path / "amara-okafor-sar.pdf" and answer.pdf.exists()
    body = json.loads(answer.json.read_text())
    assert body["request"]["requester"] == amara
    assert bogdan not in pdf_text(answer.pdf) and bogdan not in answer.json.read_text()
    assert panel.log.rowCount() == 1
    assert panel.log.item(0, 2).text() == f"{TODAY:%d %b %Y}"  # answered today
    assert panel.log.item(0, 5).text().startswith("answered")
    assert "wrote amara-okafor-sar.pdf" in panel.status.text()


def test_a_request_logged_is_due_a_month_later_and_shows_on_the_dashboard(
    qtbot: QtBot, people_store: tuple[Store, list[str]], tmp_path: Path
) -> None:
    store, (amara, _bogdan) = people_store
    panel = SubjectAccessPanel(store)
    qtbot.addWidget(panel)
    qtbot.keyClicks(panel.name, amara)
    panel.received.setDate(qdate(TODAY - dt.timedelta(days=3)))
    qtbot.mouseClick(panel.log_button, Qt.MouseButton.LeftButton)
    assert panel.log.rowCount() == 1
    row = panel.requests[0]
    assert row.answered_on is None and panel.log.item(0, 1).text() == f"{row.due_on:%d %b %Y}"
    assert panel.log.item(0, 5).text().startswith("due in")

    page = DashboardPage(store)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.board_shown, timeout=20_000):
        page.show()
    assert page.sar_box.isVisible() and page.sar.count() == 1
    line = page.sar.item(0)
    assert amara in line.text() and line.data(ITEM_ROLE) == ("sar", str(row.id))
    with qtbot.waitSignal(page.sar_activated) as opened:
        page.open_item(line)
    assert opened.args == [row.id]

    # the dashboard's line opens the request in the panel; answering it takes it off
    panel.name.clear()
    with qtbot.waitSignal(panel.searched, timeout=20_000):
        panel.select_request(row.id)
    assert panel.name.text() == amara
    with qtbot.waitSignal(panel.exported, timeout=20_000) as done:
        panel.export(tmp_path)
    assert done.args[0].request.id == row.id
    with qtbot.waitSignal(page.board_shown, timeout=20_000):
        page.refresh()
    assert not page.sar_box.isVisible()


def test_nothing_to_search_for_is_said_plainly(
    qtbot: QtBot, people_store: tuple[Store, list[str]]
) -> None:
    store, _ = people_store
    panel = SubjectAccessPanel(store)
    qtbot.addWidget(panel)
    qtbot.keyClick(panel.name, Qt.Key.Key_Return)
    assert "give a name" in panel.status.text()
    assert panel.export() is None and panel.log.rowCount() == 0


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_the_panel_fits_a_laptop(
    qtbot: QtBot, people_store: tuple[Store, list[str]], width: int, height: int
) -> None:
    store, (amara, _) = people_store
    panel = SubjectAccessPanel(store)
    qtbot.addWidget(panel)
    _search(qtbot, panel, amara)
    assert_page_fits(panel, width, height)
    # a tab of the Data protection page: its tab bar takes a line more
    assert panel.minimumSizeHint().height() <= 480


def test_the_log_is_read_when_the_panel_is_first_shown(
    qtbot: QtBot, people_store: tuple[Store, list[str]]
) -> None:
    from ccodesk.services.person_match import SearchTerms
    from ccodesk.services.subject_access_log import log_request

    store, (amara, _) = people_store
    with store.transaction() as s:
        log_request(s, SearchTerms(amara), TODAY)
    panel = SubjectAccessPanel(store)
    qtbot.addWidget(panel)
    assert panel.log.rowCount() == 0  # built, not shown: no query yet
    panel.show()
    assert panel.log.rowCount() == 1 and panel.log.item(0, 3).text() == amara
    # a request from the log fills in the form and searches
    with qtbot.waitSignal(panel.searched, timeout=20_000):
        panel.log.itemActivated.emit(panel.log.item(0, 0))
    assert panel.name.text() == amara and panel.results.topLevelItemCount() > 0
