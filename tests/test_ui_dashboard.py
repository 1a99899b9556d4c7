"""The Dashboard: every line opens its item (double-click, Enter), context menus, an overdue
action marked done leaves "Overdue" at once with the count, undone with Ctrl+Z; it fits."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QMenu,
)
from pytestqt.qtbot import QtBot

from ccodesk.models import ActionItem, ActionStatus, EngagementKind, EngagementStatus
from ccodesk.services import quicktime as qt
from ccodesk.services import records
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store
from ccodesk.ui.dashboard_page import ITEM_ROLE, DashboardPage
from tests.support.fit import LAPTOPS, assert_fits, assert_page_fits

TODAY = dt.date.today()  # marking done is checked against the real day
NOW = dt.datetime.now().replace(microsecond=0)
LONG = (
    "Write to every resident of the Somers Town estate about the new lighting on the path "
    "behind the community centre, and ask the council when the broken lamps will be fixed"
)


@pytest.fixture
def board_store(store: Store) -> tuple[Store, dict[str, str]]:
    with store.transaction() as s:
        held = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG: last month",
                starts_at=dt.datetime.combine(TODAY - dt.timedelta(days=30), dt.time(18)),
                status=EngagementStatus.HELD,
            ),
        ).id
        coming = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.OUTREACH,
                title="Outreach at the mosque",
                starts_at=dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(19)),
            ),
        ).id
        ids = {}
        for name, days in (("Ask the council about bins", -20), (LONG, -10), ("Later", 10)):
            due = TODAY + dt.timedelta(days=days)
            added = records.add_action(s, name, engagement_id=held, owner="PS Dean", due_on=due)
            ids[name] = added.id
        quick = qt.create(
            s,
            qt.CausalEvent(
                "Pride weekend operation", NOW + dt.timedelta(days=3), NOW + dt.timedelta(days=2)
            ),
        )
    return store, {"held": held, "coming": coming, "quick": quick, **ids}


@pytest.fixture
def page(qtbot: QtBot, board_store: tuple[Store, dict[str, str]]) -> DashboardPage:
    store, _ids = board_store
    widget = DashboardPage(store)
    qtbot.addWidget(widget)
    widget.resize(1140, 598)
    with qtbot.waitSignal(widget.board_shown, timeout=10_000):
        widget.show()
    return widget


def _lines(items: QListWidget) -> list[str]:
    return [items.item(i).text() for i in range(items.count())]


def _line(items: QListWidget, starts: str) -> QListWidgetItem:
    for i in range(items.count()):
        if items.item(i).text().startswith(starts) or starts in items.item(i).text():
            return items.item(i)
    raise AssertionError(f"no line {starts!r} in {_lines(items)}")


def double_click(qtbot: QtBot, items: QListWidget, item: QListWidgetItem) -> None:
    pos = items.visualItemRect(item).center()
    qtbot.mouseClick(items.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(items.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _status(store: Store, action_id: str) -> tuple[ActionStatus, dt.date | None, str | None]:
    with store.session() as s:
        a = s.get(ActionItem, action_id)
        return a.status, a.completed_on, a.status_note


def test_every_line_opens_its_item(
    qtbot: QtBot, page: DashboardPage, board_store: tuple[Store, dict[str, str]]
) -> None:
    _store, ids = board_store
    engagements: list[str] = []
    quick: list[str] = []
    page.engagement_activated.connect(engagements.append)
    page.quicktime_activated.connect(quick.append)
    cases = [
        (page.week, "Quick-time: Pride weekend operation", quick, ids["quick"]),
        (page.week, "Outreach at the mosque", engagements, ids["coming"]),
        (page.overdue, "Ask the council about bins", engagements, ids["held"]),
        (page.owed, "Camden PCCG: last month", engagements, ids["held"]),
    ]
    for items, text, got, expected in cases:
        item = _line(items, text)
        double_click(qtbot, items, item)
        assert got[-1] == expected, text
        got.clear()
        items.setCurrentItem(item)
        items.setFocus()
        qtbot.keyClick(items, Qt.Key.Key_Return)
        assert got == [expected], text
        got.clear()
    group = page.unreached.item(0)  # nothing held: every group is listed; a group opens nothing
    assert group.data(ITEM_ROLE)[0] == "group"
    assert page.item_menu(group) is None
    page.open_item(group)
    assert engagements == [] and quick == []


def test_mark_done_from_the_overdue_list_then_undo(
    qtbot: QtBot, page: DashboardPage, board_store: tuple[Store, dict[str, str]]
) -> None:
    store, ids = board_store
    assert page.overdue_box.title() == "Overdue actions (2)"
    shown: list[bool] = []
    page.board_shown.connect(lambda: shown.append(True))
    changed: list[bool] = []
    page.status_changed.connect(lambda: changed.append(True))
    item = _line(page.overdue, "Ask the council about bins")
    menu = page.item_menu(item)
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == ["Mark &done…", "Dro&p…", "&Open engagement"]
    next(a for a in menu.actions() if a.text() == "Mark &done…").trigger()
    dialog = page.status_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Mark 1 action done"
    qtbot.keyClicks(dialog.note, "Council emptied them")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    # Gone at once, and the count with it, before the board is queried again.
    assert shown == [True]
    assert not any("Ask the council" in line for line in _lines(page.overdue))
    assert page.overdue_box.title() == "Overdue actions (1)"
    assert _status(store, ids["Ask the council about bins"]) == (
        ActionStatus.DONE,
        TODAY,
        "Council emptied them",
    )
    assert changed
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=10_000)  # the fresh board agrees
    assert page.overdue_box.title() == "Overdue actions (1)"
    assert len(_lines(page.overdue)) == 1

    page.activateWindow()  # focus is back on the window once the dialog has closed
    qtbot.waitUntil(page.isActiveWindow)
    page.overdue.setFocus()
    qtbot.keyClick(page.overdue, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _status(store, ids["Ask the council about bins"]) == (ActionStatus.OPEN, None, None)
    qtbot.waitUntil(lambda: page.overdue_box.title() == "Overdue actions (2)", timeout=10_000)
    assert any("Ask the council" in line for line in _lines(page.overdue))


def test_the_context_menu_opens_on_a_right_click(
    qtbot: QtBot, page: DashboardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    popped: list[QMenu] = []  # the offscreen platform cannot show a popup: catch it instead
    monkeypatch.setattr(QMenu, "popup", lambda menu, _at, _action=None: popped.append(menu))
    item = _line(page.week, "Outreach at the mosque")
    pos = page.week.visualItemRect(item).center()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, page.week.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(page.week.viewport(), event)
    assert [[a.text() for a in m.actions()] for m in popped] == [["&Open engagement"]]
    opened: list[str] = []
    page.engagement_activated.connect(opened.append)
    popped[0].actions()[0].trigger()
    assert opened == [item.data(ITEM_ROLE)[1]]
    quick = page.item_menu(_line(page.week, "Quick-time"))
    assert [a.text() for a in quick.actions()] == ["&Open consultation"]


def test_long_lines_wrap_and_are_whole_in_a_tooltip(page: DashboardPage) -> None:
    page.resize(800, 530)
    QApplication.processEvents()  # the lists lay their lines out again at the new width
    long = _line(page.overdue, "Write to every resident")
    short = _line(page.overdue, "Ask the council")
    assert long.toolTip() == long.text() and LONG in long.text()
    assert (
        page.overdue.visualItemRect(long).height()
        >= 2 * page.overdue.visualItemRect(short).height() - 2
    )
    assert page.overdue.visualItemRect(long).right() <= page.overdue.viewport().width()


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_the_dashboard_fits_a_laptop(
    qtbot: QtBot, demo_store: Store, width: int, height: int
) -> None:
    page = DashboardPage(demo_store)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.board_shown, timeout=20_000):
        page.show()
    assert page.overdue.count() > 5
    assert_page_fits(page, width, height)
    QApplication.processEvents()
    for items in (page.week, page.overdue, page.owed, page.unreached):
        viewport = items.viewport().width()
        for i in range(items.count()):
            assert items.visualItemRect(items.item(i)).width() <= viewport, items.item(i).text()
    dialog = page.mark_done(page.overdue.item(0).data(ITEM_ROLE))
    assert dialog is not None
    assert_fits(dialog, width, height)
    dialog.reject()
    assert page.overdue.item(0).data(ITEM_ROLE)[0] == "action"


def test_feedback_recorded_in_the_editor_leaves_feedback_owed_at_once(
    qtbot: QtBot, board_store: tuple[Store, dict[str, str]]
) -> None:
    """The dashboard behind the editor follows what the Findings tab writes, without a save."""
    from PySide6.QtWidgets import QPlainTextEdit

    from ccodesk.ui.main_window import MainWindow

    store, ids = board_store
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.show()
    dashboard = win.dashboard
    qtbot.waitUntil(lambda: dashboard.board is not None, timeout=10_000)
    assert any("Camden PCCG: last month" in line for line in _lines(dashboard.owed))
    editor = win.edit_engagement(ids["held"])
    qtbot.addWidget(editor)
    feedback = editor.record.feedback_dialog()
    qtbot.addWidget(feedback)
    qtbot.keyClicks(feedback.findChild(QPlainTextEdit), "You said the bins; we asked the council.")
    qtbot.mouseClick(
        feedback.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(
        lambda: not any("Camden PCCG: last month" in line for line in _lines(dashboard.owed)),
        timeout=10_000,
    )
    assert editor.isVisible()  # nothing closed or saved over the officer's work
