"""The main window and its pages, driven with real clicks and keys (pytest-qt)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ccodesk.models import EngagementKind
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store
from ccodesk.ui.dashboard_page import DashboardPage
from ccodesk.ui.engagements_page import EngagementModel, EngagementsPage
from ccodesk.ui.main_window import MainWindow

GUI = str(Path(sys.executable).parent / "ccodesk")


@pytest.fixture
def window(qtbot: QtBot, demo_store: Store) -> MainWindow:
    win = MainWindow(demo_store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_status_bar_names_the_store(window: MainWindow) -> None:
    text = window.status.text()
    assert text.startswith("Hackney · Demo Officer (CCO) · ")
    assert text.endswith("changes not yet acknowledged by the centre")
    assert f"{window.store.pending_changes():,}" in text
    assert window.windowTitle() == "ccodesk — Hackney"


def test_navigation_by_click_and_shortcut(qtbot: QtBot, window: MainWindow) -> None:
    nav = window.navigation
    rect = nav.visualItemRect(nav.item(2))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.stack.currentWidget() is window.engagements
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.followup
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.engagements
    assert window.engagements.search.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.reports and window.reports.loaded
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.sync
    assert window.sync.loaded and window.sync.fields["awaiting"].text().endswith(")")


def test_engagement_list_pages_through_sql(qtbot: QtBot, window: MainWindow) -> None:
    page: EngagementsPage = window.engagements
    page.model.page_size = 50
    page.apply_filters()
    assert page.model.total == 300
    assert page.model.rowCount() == 50
    assert page.summary.text() == "300 engagements"
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() > 50)
    dates = [page.model.row_object(i).starts_at for i in range(page.model.rowCount())]
    assert dates == sorted(dates, reverse=True)


def test_filters_and_search_as_you_type(qtbot: QtBot, window: MainWindow) -> None:
    page: EngagementsPage = window.engagements
    page.kind.setCurrentIndex(page.kind.findData(EngagementKind.FOCUS_GROUP.value))
    focus_groups = page.model.total
    assert 0 < focus_groups < 300
    assert all(
        page.model.row_object(i).kind == EngagementKind.FOCUS_GROUP
        for i in range(page.model.rowCount())
    )
    qtbot.keyClicks(page.search, "kni")
    qtbot.waitUntil(lambda: page.model.total < focus_groups, timeout=3000)
    titles = [page.model.row_object(i).title for i in range(page.model.rowCount())]
    assert titles and all("knife" in t.lower() for t in titles)  # demo titles carry the theme
    page.group.setCurrentIndex(page.group.findData("older"))
    page.use_from.setChecked(True)
    page.date_from.setDate(page.date_from.date().addYears(-5))
    assert page.current_filter().priority_group == "older"
    page.search.clear()
    page.kind.setCurrentIndex(0)
    page.group.setCurrentIndex(0)
    page.use_from.setChecked(False)
    qtbot.waitUntil(lambda: page.model.total == 300, timeout=3000)


def test_engagement_model_passes_qt_model_tester(
    qtmodeltester: ModelTester, demo_store: Store
) -> None:
    model = EngagementModel(demo_store, page_size=40)
    model.reload()
    qtmodeltester.check(model)


def test_dashboard(qtbot: QtBot, store: Store) -> None:
    today = dt.date(2026, 11, 25)  # a Wednesday
    with store.transaction() as s:
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG: policing plan",
                starts_at=dt.datetime(2026, 11, 26, 19, 0),
                blo_name="PS Dean",
            ),
        )
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.OUTREACH, title="Next month", starts_at=dt.datetime(2026, 12, 9)
            ),
        )
    page = DashboardPage(store, today=today)
    qtbot.addWidget(page)
    assert not page.loaded
    with qtbot.waitSignal(page.board_shown, timeout=10_000):
        page.show()
        assert page.loaded
        assert page.week.item(0).text() == "Loading…"  # the queries run in the background
    week = [page.week.item(i).text() for i in range(page.week.count())]
    assert week == ["Thu 26 Nov 19:00  Camden PCCG: policing plan  (planned · joint)"]
    assert page.week_box.title() == "Coming up in the next 7 days"
    unreached = [page.unreached.item(i).text() for i in range(page.unreached.count())]
    assert len(unreached) == 8  # nothing held this quarter: no group reached
    assert page.reach_box.title() == "Priority groups not reached, 01 Oct – 31 Dec 2026"
    assert page.overdue.item(0).text() == "No overdue actions."


def test_followup_page_lists(window: MainWindow) -> None:
    page = window.followup
    assert not page.loaded
    window.navigation.setCurrentRow(4)
    assert page.loaded
    assert page.action_list.topLevelItemCount() > 0
    assert page.you_said.topLevelItemCount() > 0
    assert page.tabs.tabText(0).startswith("Open actions (")


def test_smoke_test_flag(store: Store) -> None:
    store.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [GUI, "--data-dir", str(store.data_dir), "--smoke-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke test: ccodesk — Camden rendered" in result.stdout


def test_smoke_test_without_a_store(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [GUI, "--data-dir", str(tmp_path / "none"), "--smoke-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke test: ccodesk — first run rendered" in result.stdout
    assert not (tmp_path / "none" / "store.json").exists()


def test_organisations_page(qtbot: QtBot, window: MainWindow) -> None:
    page = window.organisations
    assert not page.loaded  # nothing is queried until the page is shown
    window.navigation.setCurrentRow(3)
    assert page.loaded
    assert page.model.total == 1500
    assert page.model.headerData(5, Qt.Orientation.Horizontal) == "Consulted (90 days)"
    qtbot.keyClicks(page.search, "mosque")
    qtbot.waitUntil(lambda: 0 < page.model.total < 1500, timeout=3000)
    assert all("Mosque" in page.model.row_object(i).name for i in range(page.model.rowCount()))
    first = page.model.row_object(0)
    page.table.selectRow(0)
    lines = page.details.toPlainText().splitlines()
    assert lines[:2] == [first.name, first.org_type.label]  # the selected one's heading
    assert any(line.startswith("Serves: ") for line in lines)


def test_navigation_has_icons(window: MainWindow) -> None:
    for row in range(window.navigation.count()):
        icon = window.navigation.item(row).icon()
        assert not icon.isNull()
        assert not icon.pixmap(48, 48).isNull()  # the SVG renders at a high-DPI size
    assert not window.windowIcon().isNull()


def test_settings_dialog_changes_the_fatigue_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import json
    import os

    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    dialog.window_days.setValue(60)
    dialog.threshold.setValue(2)
    dialog.save()
    assert window.settings.fatigue_window_days == 60
    header = window.organisations.model.headerData(5, Qt.Orientation.Horizontal)
    assert header == "Consulted (60 days)"
    saved = json.loads(
        (Path(os.environ["XDG_CONFIG_HOME"]) / "ccodesk" / "settings.json").read_text()
    )
    assert saved["fatigue_threshold"] == 2
