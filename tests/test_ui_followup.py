"""The Actions & feedback page: actions marked done, in progress, dropped and reopened by real
clicks and keys (several at once), undone with Ctrl+Z; lines that open their engagement;
headers that sort; the page fits a laptop."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialogButtonBox,
    QTreeWidget,
    QTreeWidgetItem,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from ccodesk.models import (
    ActionItem,
    ActionStatus,
    AuditEvent,
    EngagementKind,
    EngagementStatus,
    OutcomeResult,
)
from ccodesk.services import records
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store
from ccodesk.ui.followup_page import FollowUpPage
from tests.support.fit import LAPTOPS, assert_fits, assert_page_fits

HELD = dt.datetime(2026, 11, 2, 18, 0)
LONG = (
    "Write to every resident of the Somers Town estate about the new lighting on the path "
    "behind the community centre, and ask the council when the broken lamps will be fixed"
)


@pytest.fixture
def followup_store(store: Store) -> tuple[Store, str, dict[str, str]]:
    """A held meeting with three open actions, one in progress, one done; a finding each way."""
    with store.transaction() as s:
        eid = save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG: November",
                starts_at=HELD,
                status=EngagementStatus.HELD,
            ),
        ).id
        ids = {}
        for name, due in (
            ("Ask the council about bins", dt.date(2026, 11, 10)),
            (LONG, dt.date(2026, 11, 20)),
            ("Book the hall for March", dt.date(2026, 12, 20)),
            ("Visit the youth club", dt.date(2026, 11, 15)),
            ("Print the newsletter", dt.date(2026, 11, 12)),
        ):
            ids[name] = records.add_action(
                s, name, engagement_id=eid, owner="PS Dean", due_on=due
            ).id
        records.set_action_status(s, ids["Visit the youth club"], ActionStatus.IN_PROGRESS)
        records.set_action_status(
            s, ids["Print the newsletter"], ActionStatus.DONE, on=dt.date(2026, 11, 20)
        )
        records.add_finding(s, eid, "Nobody knows who the ward officers are")
        used = records.add_finding(s, eid, "The alley is dark").id
        records.add_outcome(s, used, OutcomeResult.CHANGED_DECISION, decision="Relit the alley")
    return store, eid, ids


@pytest.fixture
def page(qtbot: QtBot, followup_store: tuple[Store, str, dict[str, str]]) -> FollowUpPage:
    store, _eid, _ids = followup_store
    widget = FollowUpPage(store)
    qtbot.addWidget(widget)
    widget.resize(1140, 598)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _texts(tree: QTreeWidget, column: int = 0) -> list[str]:
    return [tree.topLevelItem(i).text(column) for i in range(tree.topLevelItemCount())]  # type: ignore[union-attr]


def _row(tree: QTreeWidget, text: str) -> QTreeWidgetItem:
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        assert item is not None
        if item.text(0) == text:
            return item
    raise AssertionError(f"no line {text!r} in {_texts(tree)}")


def _click(
    qtbot: QtBot,
    tree: QTreeWidget,
    text: str,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    rect = tree.visualItemRect(_row(tree, text))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def double_click(qtbot: QtBot, view: QAbstractItemView, pos: QPoint) -> None:
    """A real double-click: press and release, then the second press (what a mouse sends)."""
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _state(store: Store, action_id: str) -> tuple[ActionStatus, dt.date | None, str | None]:
    with store.session() as s:
        a = s.get(ActionItem, action_id)
        return a.status, a.completed_on, a.status_note


def _ok(qtbot: QtBot, dialog: Any) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )


def test_open_and_in_progress_by_default_with_a_status_filter(page: FollowUpPage) -> None:
    assert _texts(page.action_list) == [
        "Ask the council about bins",
        "Visit the youth club",
        LONG,
        "Book the hall for March",
    ]
    assert page.tabs.tabText(0) == "Open actions (4)"
    assert page.action_list.isColumnHidden(4) and page.action_list.isColumnHidden(5)
    page.filter.setCurrentIndex(page.filter.findText("Done"))
    assert _texts(page.action_list) == ["Print the newsletter"]
    assert page.action_list.topLevelItem(0).text(4) == "20 Nov 2026"
    assert not page.action_list.isColumnHidden(4)  # done on, and the note, shown for done
    assert page.tabs.tabText(0) == "Done actions (1)"
    assert page.shown.text() == "1 action"
    page.filter.setCurrentIndex(page.filter.findText("All"))
    assert len(_texts(page.action_list)) == 5


def test_mark_several_done_then_undo_with_ctrl_z(
    qtbot: QtBot, page: FollowUpPage, followup_store: tuple[Store, str, dict[str, str]]
) -> None:
    store, _eid, ids = followup_store
    changed = []
    page.status_changed.connect(lambda: changed.append(True))
    _click(qtbot, page.action_list, "Ask the council about bins")
    _click(qtbot, page.action_list, "Book the hall for March", Qt.KeyboardModifier.ControlModifier)
    assert len(page.selected_actions()) == 2
    qtbot.mouseClick(page.move_buttons[ActionStatus.DONE], Qt.MouseButton.LeftButton)
    dialog = page.status_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Mark 2 actions done"
    assert dialog.chosen_date() == dt.date.today()
    qtbot.keyClicks(dialog.note, "Council replied; hall booked")
    _ok(qtbot, dialog)
    assert not dialog.isVisible()
    for name in ("Ask the council about bins", "Book the hall for March"):
        assert _state(store, ids[name]) == (
            ActionStatus.DONE,
            dt.date.today(),
            "Council replied; hall booked",
        )
    assert _texts(page.action_list) == ["Visit the youth club", LONG]  # done leave the list
    assert page.tabs.tabText(0) == "Open actions (2)"
    assert changed
    with store.session() as s:  # audited like any edit
        audit = s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == ids["Book the hall for March"])
        ).all()
    assert audit[-1].action == "update"
    assert set(audit[-1].changes) >= {"status", "completed_on", "status_note"}
    assert page.undo_button.isEnabled()
    assert page.undo_button.toolTip() == "Undo: Mark 2 actions done (Ctrl+Z)"

    page.action_list.setFocus()
    qtbot.keyClick(page.action_list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    for name in ("Ask the council about bins", "Book the hall for March"):
        assert _state(store, ids[name]) == (ActionStatus.OPEN, None, None)
    assert len(_texts(page.action_list)) == 4
    assert not page.undo_button.isEnabled()
    qtbot.keyClick(
        page.action_list,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert _state(store, ids["Book the hall for March"])[0] == ActionStatus.DONE


def test_a_date_before_the_meeting_is_refused_and_nothing_is_saved(
    qtbot: QtBot, page: FollowUpPage, followup_store: tuple[Store, str, dict[str, str]]
) -> None:
    store, _eid, ids = followup_store
    _click(qtbot, page.action_list, "Ask the council about bins")
    qtbot.mouseClick(page.move_buttons[ActionStatus.DONE], Qt.MouseButton.LeftButton)
    dialog = page.status_dialog
    dialog.done_on.setDate(dialog.done_on.date().addYears(-1))
    _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert "was agreed on 02 Nov 2026" in dialog.problems.text()
    assert dialog.problems.text().startswith("• “Ask the council about bins”")
    assert _state(store, ids["Ask the council about bins"]) == (ActionStatus.OPEN, None, None)
    assert not page.undo_button.isEnabled()
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    assert _state(store, ids["Ask the council about bins"]) == (ActionStatus.OPEN, None, None)


def test_in_progress_drop_and_reopen(
    qtbot: QtBot, page: FollowUpPage, followup_store: tuple[Store, str, dict[str, str]]
) -> None:
    store, _eid, ids = followup_store
    _click(qtbot, page.action_list, "Ask the council about bins")
    assert not page.move_buttons[ActionStatus.OPEN].isEnabled()  # it is open already
    qtbot.mouseClick(page.move_buttons[ActionStatus.IN_PROGRESS], Qt.MouseButton.LeftButton)
    assert page.status_dialog is None  # no question for in progress
    assert _state(store, ids["Ask the council about bins"]) == (
        ActionStatus.IN_PROGRESS,
        None,
        None,
    )
    assert _row(page.action_list, "Ask the council about bins").text(3) == "In progress"

    _click(qtbot, page.action_list, "Book the hall for March")
    qtbot.mouseClick(page.move_buttons[ActionStatus.DROPPED], Qt.MouseButton.LeftButton)
    dialog = page.status_dialog
    assert dialog.windowTitle() == "Drop 1 action"
    assert dialog.date_label.text() == "Date &dropped:"
    qtbot.keyClicks(dialog.note, "The hall closed")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter is OK
    assert _state(store, ids["Book the hall for March"]) == (
        ActionStatus.DROPPED,
        dt.date.today(),
        "The hall closed",
    )

    page.filter.setCurrentIndex(page.filter.findText("Dropped"))
    _click(qtbot, page.action_list, "Book the hall for March")
    qtbot.mouseClick(page.move_buttons[ActionStatus.OPEN], Qt.MouseButton.LeftButton)
    assert _state(store, ids["Book the hall for March"]) == (ActionStatus.OPEN, None, None)
    assert _texts(page.action_list) == []
    assert page.shown.text() == "No actions to show."


def test_the_context_menu_moves_the_selected_actions(
    qtbot: QtBot, page: FollowUpPage, followup_store: tuple[Store, str, dict[str, str]]
) -> None:
    store, _eid, ids = followup_store
    _click(qtbot, page.action_list, "Visit the youth club")
    menu = page.action_menu()
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == ["Mark &done…", "Mark &in progress", "Dro&p…", "&Reopen", "&Open engagement"]
    enabled = {a.text(): a.isEnabled() for a in menu.actions()}
    assert not enabled["Mark &in progress"]  # it is in progress already
    next(a for a in menu.actions() if a.text() == "&Reopen").trigger()
    assert _state(store, ids["Visit the youth club"]) == (ActionStatus.OPEN, None, None)


def test_lines_open_their_engagement_by_double_click_and_enter(
    qtbot: QtBot, page: FollowUpPage, followup_store: tuple[Store, str, dict[str, str]]
) -> None:
    _store, eid, _ids = followup_store
    opened: list[str] = []
    page.engagement_activated.connect(opened.append)
    rect = page.action_list.visualItemRect(_row(page.action_list, "Book the hall for March"))
    double_click(qtbot, page.action_list, rect.center())
    assert opened == [eid]
    page.action_list.setFocus()
    qtbot.keyClick(page.action_list, Qt.Key.Key_Return)
    assert opened == [eid, eid]
    for index, tree in ((1, page.findings), (2, page.you_said)):
        page.tabs.setCurrentIndex(index)
        assert tree.topLevelItemCount() == 1
        tree.setCurrentItem(tree.topLevelItem(0))
        tree.setFocus()
        qtbot.keyClick(tree, Qt.Key.Key_Enter)
        rect = tree.visualItemRect(tree.topLevelItem(0))
        double_click(qtbot, tree, rect.center())
    assert opened == [eid] * 6
    menu = page.line_menu(page.findings.topLevelItem(0))  # right-click: the same
    assert [a.text() for a in menu.actions()] == ["&Open engagement"]
    menu.actions()[0].trigger()
    assert opened == [eid] * 7


def test_headers_sort_in_the_query(qtbot: QtBot, page: FollowUpPage) -> None:
    header = page.action_list.header()

    def click(column: int) -> None:
        x = header.sectionViewportPosition(column) + 10
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    click(0)
    assert _texts(page.action_list) == sorted(_texts(page.action_list))
    assert (page.order, page.descending) == ("description", False)
    click(0)
    assert _texts(page.action_list) == sorted(_texts(page.action_list), reverse=True)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    click(3)  # status: open before in progress
    assert _texts(page.action_list, 3) == ["Open", "Open", "Open", "In progress"]


def test_long_text_wraps_and_is_whole_in_a_tooltip(page: FollowUpPage) -> None:
    item = _row(page.action_list, LONG)
    assert item.toolTip(0) == LONG
    needed = page.action_list.fontMetrics().horizontalAdvance(LONG)
    assert page.action_list.columnWidth(0) < needed  # too long for its column: it wraps
    QApplication.processEvents()  # the rows are laid out again at the width they got
    one_line = page.action_list.visualItemRect(_row(page.action_list, "Book the hall for March"))
    assert page.action_list.visualItemRect(item).height() >= 2 * one_line.height() - 2


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_the_page_and_its_dialog_fit_a_laptop(
    qtbot: QtBot, demo_store: Store, width: int, height: int
) -> None:
    page = FollowUpPage(demo_store)
    qtbot.addWidget(page)
    assert_page_fits(page, width, height)
    assert page.action_list.topLevelItemCount() > 10
    QApplication.processEvents()
    assert not page.action_list.horizontalScrollBar().isVisible()  # every column in sight
    page.action_list.setCurrentItem(page.action_list.topLevelItem(0))
    page.action_list.topLevelItem(1).setSelected(True)
    dialog = page.move_selected(ActionStatus.DONE)
    assert dialog is not None
    assert_fits(dialog, width, height)
    dialog.reject()
