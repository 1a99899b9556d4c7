"""Actions & feedback: the actions and their lifecycle, findings with no outcome, and "you
said, we did".

The actions list shows open and in-progress actions unless another status is chosen; several
can be selected and marked done, in progress, dropped or reopened at once (buttons, context
menu), each change undoable (Ctrl+Z). Double-click or Enter on any line opens its engagement
(`engagement_activated`, connected by the main window to the editor).
"""

from __future__ import annotations

from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.models import ActionStatus
from ccodesk.services import followup
from ccodesk.services.followup import ACTIVE, ActionRow
from ccodesk.store import Store
from ccodesk.ui.action_status import StatusDialog, request_status
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.wrapping import wrap_lines

SHOWN = 500  # rows per list; the tab says when there are more
ENGAGEMENT_ROLE = Qt.ItemDataRole.UserRole  # the engagement a line belongs to
ACTION_ROLE = Qt.ItemDataRole.UserRole + 1  # the action a line shows

# What the status filter offers: label, statuses shown (None: all), the tab's name.
FILTERS: list[tuple[str, tuple[ActionStatus, ...] | None, str]] = [
    ("Open and in progress", ACTIVE, "Open actions"),
    ("Open", (ActionStatus.OPEN,), "Open actions"),
    ("In progress", (ActionStatus.IN_PROGRESS,), "Actions in progress"),
    ("Done", (ActionStatus.DONE,), "Done actions"),
    ("Dropped", (ActionStatus.DROPPED,), "Dropped actions"),
    ("All", None, "All actions"),
]
# The actions list's columns: header, sort key (see followup.ACTION_ORDER), width.
COLUMNS: list[tuple[str, str | None, int]] = [
    ("Action", "description", 300),
    ("Owner", "owner", 110),
    ("Due", "due_on", 90),
    ("Status", "status", 90),
    ("Done on", "completed_on", 90),
    ("Note", None, 140),
    ("Engagement", "engagement", 220),
]
DONE_COLUMN, NOTE_COLUMN = 4, 5
MOVES: list[tuple[str, ActionStatus]] = [
    ("Mark &done…", ActionStatus.DONE),
    ("Mark &in progress", ActionStatus.IN_PROGRESS),
    ("Dro&p…", ActionStatus.DROPPED),
    ("&Reopen", ActionStatus.OPEN),
]


def _tree(headers: list[str], accessible: str) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setAccessibleName(accessible)
    tree.setColumnWidth(0, 380)
    tree.setTextElideMode(Qt.TextElideMode.ElideRight)
    wrap_lines(tree)  # long actions and findings wrap; the tooltip holds them whole too
    return tree


def _line(values: Sequence[str], engagement_id: str | None) -> QTreeWidgetItem:
    """A list line whose every cell shows its whole text in a tooltip (cells are cut short)."""
    item = QTreeWidgetItem(list(values))
    for column, value in enumerate(values):
        if value:
            item.setToolTip(column, value)
    item.setData(0, ENGAGEMENT_ROLE, engagement_id)
    return item


def _day(value: object) -> str:
    return f"{value:%d %b %Y}" if value else ""


class FollowUpPage(LoadOnShow):
    """Actions and feedback still to follow up; every line opens its engagement."""

    engagement_activated = Signal(str)  # double-click or Enter on a line: open its engagement
    status_changed = Signal()  # an action's status was saved (changes await the centre)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        self.status_dialog: StatusDialog | None = None  # the last one asked (for tests)
        self.order, self.descending = "due_on", False
        self.rows: list[ActionRow] = []

        self.filter = QComboBox()
        for label, _statuses, _tab in FILTERS:
            self.filter.addItem(label)
        self.filter.setAccessibleName("Show actions")
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh_actions())
        show = QLabel("&Show:")
        show.setBuddy(self.filter)
        self.shown = QLabel()
        self.action_list = _tree([c[0] for c in COLUMNS], "Actions")
        for column, (_header, _key, width) in enumerate(COLUMNS):
            self.action_list.setColumnWidth(column, width)
        self.action_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.action_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.action_list.customContextMenuRequested.connect(self._action_menu)
        self.action_list.itemSelectionChanged.connect(self._update_buttons)
        header = self.action_list.header()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(2, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.sectionClicked.connect(self.sort_by)

        self.move_buttons: dict[ActionStatus, QPushButton] = {}
        buttons = QHBoxLayout()
        for label, status in MOVES:
            button = QPushButton(label)
            button.clicked.connect(lambda _checked=False, s=status: self.move_selected(s))
            self.move_buttons[status] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.open_button = QPushButton("&Open engagement")
        self.open_button.clicked.connect(self.open_selected)
        self.undo_button = QPushButton("&Undo")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        # Only the signals' own values: the stack also signals while it is being destroyed.
        self.undo_button.setEnabled(False)
        self.undo_button.setToolTip("Nothing to undo")
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.undoTextChanged.connect(self._undo_text)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.undo_button)
        top = QHBoxLayout()
        top.addWidget(show)
        top.addWidget(self.filter)
        top.addWidget(self.shown, 1)
        actions_tab = QWidget()
        stacked = QVBoxLayout(actions_tab)
        stacked.addLayout(top)
        stacked.addWidget(self.action_list, 1)
        stacked.addLayout(buttons)

        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(
            [QKeySequence("Ctrl+Shift+Z"), QKeySequence(QKeySequence.StandardKey.Redo)]
        )
        for action in (undo, redo):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

        self.findings = _tree(["Finding", "Engagement", "Held"], "Findings with no outcome")
        self.you_said = _tree(["You said", "We did", "Engagement"], "You said, we did")
        self.you_said.setColumnWidth(0, 320)
        self.you_said.setColumnWidth(1, 320)
        for tree in (self.action_list, self.findings, self.you_said):
            tree.itemActivated.connect(self._activated)
        for tree in (self.findings, self.you_said):
            tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            tree.customContextMenuRequested.connect(lambda at, tree=tree: self._line_menu(tree, at))
        self.tabs = QTabWidget()
        self.tabs.addTab(actions_tab, "Open actions")
        self.tabs.addTab(self.findings, "Findings with no outcome")
        self.tabs.addTab(self.you_said, "You said, we did")
        QVBoxLayout(self).addWidget(self.tabs)
        self._update_buttons()

    # -- lists ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.loaded = True
        self.refresh_actions()
        with self.store.session() as session:
            findings = [
                (f.text, f.engagement.title, f.engagement.starts_at, f.engagement_id)
                for f in followup.findings_without_outcome(session)
            ]
            lines = followup.you_said_we_did(session, newest_first=True, limit=SHOWN)
        self.findings.clear()
        for text, title, when, eid in findings:
            self.findings.addTopLevelItem(_line([text, title, f"{when:%d %b %Y}"], eid))
        self.you_said.clear()
        for line in lines:
            self.you_said.addTopLevelItem(
                _line([line.you_said, line.we_did, line.engagement_title], line.engagement_id)
            )
        self.tabs.setTabText(
            2, "You said, we did" + (" (latest 500)" if len(lines) == SHOWN else "")
        )
        self.tabs.setTabText(1, f"Findings with no outcome ({len(findings)})")

    def refresh_actions(self) -> None:
        """Query the actions the filter asks for, in the order the header shows."""
        _label, statuses, tab = FILTERS[self.filter.currentIndex()]
        # Open and in-progress actions have no date done and no note: their columns give
        # the action's own text the room instead.
        closed = statuses is None or any(s not in ACTIVE for s in statuses)
        for column in (DONE_COLUMN, NOTE_COLUMN):
            self.action_list.setColumnHidden(column, not closed)
        selected = set(self.selected_actions())
        with self.store.session() as session:
            total = followup.count_actions(session, statuses)
            self.rows = followup.list_actions(
                session, statuses, order=self.order, descending=self.descending, limit=SHOWN
            )
        self.action_list.clear()
        for a in self.rows:
            item = _line(
                [
                    a.description,
                    a.owner,
                    _day(a.due_on),
                    a.status.label,
                    _day(a.completed_on),
                    a.note,
                    a.engagement_title,
                ],
                a.engagement_id,
            )
            item.setData(0, ACTION_ROLE, a.id)
            self.action_list.addTopLevelItem(item)
            item.setSelected(a.id in selected)
        shown = f"; first {SHOWN:,} shown" if total > len(self.rows) else ""
        self.tabs.setTabText(0, f"{tab} ({total:,}{shown})")
        count = "1 action" if total == 1 else f"{total:,} actions"
        self.shown.setText(
            "No actions to show."
            if total == 0
            else count + (f", the first {SHOWN:,} shown" if shown else "")
        )
        self._update_buttons()

    def sort_by(self, column: int) -> None:
        """Sort the actions by a column (again: the other way), in the store's query."""
        key = COLUMNS[column][1]
        header = self.action_list.header()
        if key is None:  # notes are not sorted; keep the indicator where it was
            current = next(i for i, c in enumerate(COLUMNS) if c[1] == self.order)
            header.setSortIndicator(current, _qt_order(self.descending))
            return
        self.descending = (not self.descending) if key == self.order else False
        self.order = key
        header.setSortIndicator(column, _qt_order(self.descending))
        self.refresh_actions()

    # -- selection and moves ----------------------------------------------------------------

    def selected_actions(self) -> list[str]:
        return [
            item.data(0, ACTION_ROLE)
            for item in self.action_list.selectedItems()
            if item.data(0, ACTION_ROLE)
        ]

    def move_selected(self, status: ActionStatus) -> StatusDialog | None:
        """Mark the selected actions done, in progress, dropped or open again (undoable)."""
        ids = self.selected_actions()
        if not ids:
            return None
        description = ""
        if len(ids) == 1:
            description = next((a.description for a in self.rows if a.id == ids[0]), "")
        self.status_dialog = request_status(
            self,
            self.store,
            ids,
            status,
            self.undo_stack,
            self._after_change,
            description=description,
        )
        return self.status_dialog

    def _after_change(self) -> None:
        self.refresh_actions()
        self.status_changed.emit()

    def open_selected(self) -> None:
        item = self.action_list.currentItem()
        if item is not None:
            self._activated(item)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        engagement = item.data(0, ENGAGEMENT_ROLE)
        if engagement:
            self.engagement_activated.emit(engagement)

    def _update_buttons(self) -> None:
        selected = [a for a in self.rows if a.id in set(self.selected_actions())]
        statuses = {a.status for a in selected}
        for status, button in self.move_buttons.items():
            button.setEnabled(bool(selected) and statuses != {status})
        current = self.action_list.currentItem()
        self.open_button.setEnabled(current is not None and bool(current.data(0, ENGAGEMENT_ROLE)))

    def _undo_text(self, text: str) -> None:
        if shiboken6.isValid(self.undo_button):  # not while the page is being destroyed
            self.undo_button.setToolTip(f"Undo: {text} (Ctrl+Z)" if text else "Nothing to undo")

    def _action_menu(self, at: QPoint) -> None:
        self.action_menu().popup(self.action_list.viewport().mapToGlobal(at))

    def line_menu(self, item: QTreeWidgetItem) -> QMenu:
        """The context menu of a finding or a "you said, we did" line: open its engagement."""
        menu = QMenu(self)
        engagement = item.data(0, ENGAGEMENT_ROLE)
        opening = menu.addAction("&Open engagement")
        opening.setEnabled(bool(engagement))
        opening.triggered.connect(lambda: self.engagement_activated.emit(engagement))
        return menu

    def _line_menu(self, tree: QTreeWidget, at: QPoint) -> None:
        item = tree.itemAt(at)
        if item is not None:
            self.line_menu(item).popup(tree.viewport().mapToGlobal(at))

    def action_menu(self) -> QMenu:
        """The context menu of the selected actions."""
        menu = QMenu(self)
        for status, button in self.move_buttons.items():
            action = QAction(button.text(), menu)
            action.setEnabled(button.isEnabled())
            action.triggered.connect(lambda _checked=False, s=status: self.move_selected(s))
            menu.addAction(action)
        menu.addSeparator()
        opening = menu.addAction("&Open engagement")
        opening.setEnabled(self.open_button.isEnabled())
        opening.triggered.connect(self.open_selected)
        return menu


def _qt_order(descending: bool) -> Qt.SortOrder:
    return Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
