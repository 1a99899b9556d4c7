"""The Dashboard: this week, overdue actions, feedback owed, and priority groups not reached;
subject access requests due, when there are any (issue 15: `sar_activated`).

Every line opens its item on double-click or Enter (an engagement: `engagement_activated`; a
quick-time consultation: `quicktime_activated`; an overdue action: its engagement) and has a
context menu with the item's common actions. An overdue action marked done leaves the list at
once (undo: Ctrl+Z). A consent expiring or expired opens the Renew dialog (its menu: Renew
consent…, Open contact…); renewed, it leaves the list at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QVBoxLayout, QWidget

from ccodesk.errors import KnownError
from ccodesk.models import ActionStatus, ConsentEventKind
from ccodesk.services import consent
from ccodesk.services.dashboard import Dashboard, board_lines, read_board
from ccodesk.services.followup import ACTIVE, action_states
from ccodesk.store import Store
from ccodesk.ui.action_status import StatusDialog, request_status
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.consent_dialog import ConsentDialog
from ccodesk.ui.dashboard_view import ITEM_ROLE, BoardView
from ccodesk.ui.directory_editors import ContactEditor
from ccodesk.ui.lazy import LoadOnShow


class DashboardPage(LoadOnShow):
    """The dashboard's queries run on the thread pool: the window stays responsive meanwhile."""

    board_shown = Signal()  # a dashboard arrived from the store and is on screen
    engagement_activated = Signal(str)  # open this engagement in the editor
    quicktime_activated = Signal(str)  # open this quick-time consultation
    sar_activated = Signal(int)  # open this subject access request (issue 15)
    status_changed = Signal()  # an action was marked done (changes await the centre)

    def __init__(
        self, store: Store, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._today = today
        self.board: Dashboard | None = None
        self._jobs: list[BackgroundJob] = []  # the pool does not own them (autoDelete is off)
        self._generation = 0
        self.undo_stack = QUndoStack(self)
        self.status_dialog: StatusDialog | None = None  # the last one asked (for tests)
        self.view = BoardView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.week_box, self.week = self.view.week_box, self.view.week
        self.overdue_box, self.overdue = self.view.overdue_box, self.view.overdue
        self.owed_box, self.owed = self.view.owed_box, self.view.owed
        self.reach_box, self.unreached = self.view.reach_box, self.view.unreached
        self.expiring_box, self.expiring = self.view.expiring_box, self.view.expiring
        self.expired_box, self.expired = self.view.expired_box, self.view.expired
        self.consent_dialog: ConsentDialog | None = None  # the last one opened (for tests)
        self.sar_box, self.sar = self.view.sar_box, self.view.sar
        for items in self.view.lists():
            items.itemActivated.connect(self.open_item)
            items.customContextMenuRequested.connect(
                lambda at, items=items: self._menu_at(items, at)
            )
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(
            [QKeySequence("Ctrl+Shift+Z"), QKeySequence(QKeySequence.StandardKey.Redo)]
        )
        for action in (undo, redo):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def refresh(self) -> None:
        """Query the store in the background; the newest answer is shown (`board_shown`)."""
        self.loaded = True
        self._generation += 1
        generation, store, today = self._generation, self.store, self.today

        def work(_progress: object, _cancelled: object) -> tuple[int, Dashboard]:
            return generation, read_board(store, today)

        if self.board is None:
            self.view.show_message("Loading…", everywhere=True)
        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._arrived)
        job.on_failure(self._failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()

    def _arrived(self, result: tuple[int, Dashboard]) -> None:
        generation, board = result
        if generation == self._generation:  # an older query finishing late is not shown
            self.show_board(board)

    def _failed(self, exc: KnownError) -> None:
        self.view.show_message(f"The dashboard could not be loaded: {exc}")

    def show_board(self, board: Dashboard) -> None:
        self.board = board
        self.view.show_lines(board_lines(board))
        self.board_shown.emit()

    # -- opening and acting on a line -------------------------------------------------------

    def open_item(self, item: QListWidgetItem) -> None:
        """Open what a line shows: its engagement, or the quick-time consultation."""
        self.open_target(item.data(ITEM_ROLE))

    def open_target(self, target: tuple[str, ...] | None) -> None:
        if not target:
            return
        if target[0] == "quicktime":
            self.quicktime_activated.emit(target[1])
        elif target[0] == "engagement":
            self.engagement_activated.emit(target[1])
        elif target[0] == "sar":
            self.sar_activated.emit(int(target[1]))
        elif target[0] == "action" and target[2]:
            self.engagement_activated.emit(target[2])
        elif target[0] == "consent":
            self.renew_consent(target[1])

    def mark_done(
        self, target: tuple[str, ...] | None, status: ActionStatus = ActionStatus.DONE
    ) -> StatusDialog | None:
        """Ask the date and a note, then mark an overdue action done (or dropped)."""
        if not target or target[0] != "action":
            return None
        overdue = self.board.overdue if self.board is not None else []
        description = next((a.description for a in overdue if a.id == target[1]), "")
        self.status_dialog = request_status(
            self,
            self.store,
            [target[1]],
            status,
            self.undo_stack,
            self._after_change,
            description=description,
        )
        return self.status_dialog

    def item_menu(self, item: QListWidgetItem) -> QMenu | None:
        """The context menu of a line (None for a line that is only a message)."""
        # The menu keeps what the line shows, not the line: a refresh may replace the lines.
        target: tuple[str, ...] | None = item.data(ITEM_ROLE)
        if not target or target[0] == "group":
            return None
        menu = QMenu(self)
        kind = target[0]
        if kind == "action":
            menu.addAction("Mark &done…").triggered.connect(lambda: self.mark_done(target))
            menu.addAction("Dro&p…").triggered.connect(
                lambda: self.mark_done(target, ActionStatus.DROPPED)
            )
            opening = menu.addAction("&Open engagement")
            opening.setEnabled(bool(target[2]))
        elif kind == "quicktime":
            opening = menu.addAction("&Open consultation")
        elif kind == "consent":
            opening = menu.addAction("&Renew consent…")
            menu.addAction("Open &contact…").triggered.connect(lambda: self.open_contact(target[1]))
        elif kind == "sar":
            opening = menu.addAction("&Open subject access request")
        else:
            opening = menu.addAction("&Open engagement")
        opening.triggered.connect(lambda: self.open_target(target))
        if self.undo_stack.canUndo():
            menu.addSeparator()
            menu.addAction(f"&Undo: {self.undo_stack.undoText().lower()}").triggered.connect(
                self.undo_stack.undo
            )
        return menu

    def _menu_at(self, items: QListWidget, at: QPoint) -> None:
        item = items.itemAt(at)
        menu = self.item_menu(item) if item is not None else None
        if menu is not None:
            menu.popup(items.viewport().mapToGlobal(at))

    def _after_change(self) -> None:
        """Take actions no longer open off "Overdue" at once; then query the whole board again."""
        board = self.board
        if board is not None and board.overdue:
            with self.store.session() as session:
                states = action_states(session, [a.id for a in board.overdue])
            still = {s.id for s in states if s.status in ACTIVE}
            kept = [a for a in board.overdue if a.id in still]
            gone = len(board.overdue) - len(kept)
            self.show_board(
                dataclasses.replace(
                    board, overdue=kept, overdue_total=max(0, board.overdue_total - gone)
                )
            )
        self.status_changed.emit()
        self.refresh()

    # -- consents running out (issue 15) ----------------------------------------------------

    def renew_consent(self, contact_id: str) -> ConsentDialog | None:
        """Open the Renew dialog for this person (window-modal); a renewal takes their line off
        the consent lists at once, then the board is queried again."""
        try:
            with self.store.session() as session:
                now = consent.summary(session, contact_id, self.today)
        except KnownError as exc:
            self.view.show_message(str(exc))
            return None
        dialog = ConsentDialog(
            self.store,
            contact_id,
            ConsentEventKind.RENEWED,
            name=now.name,
            start=now.renewal,
            today=self.today,
            parent=self,
        )
        dialog.recorded.connect(self._renewed)
        self.consent_dialog = dialog
        dialog.open()
        return dialog

    def open_contact(self, contact_id: str) -> ContactEditor:
        """The contact's form (window-modal); what it records shows on the board at once."""
        editor = ContactEditor(self.store, contact_id, today=self.today, parent=self)
        editor.finished.connect(lambda _result: self.refresh())
        editor.open()
        return editor

    def _renewed(self, contact_id: str) -> None:
        board = self.board
        if board is not None:
            expiring = [d for d in board.expiring if d.contact_id != contact_id]
            expired = [d for d in board.expired if d.contact_id != contact_id]
            self.show_board(
                dataclasses.replace(
                    board,
                    expiring=expiring,
                    expiring_total=max(
                        0, board.expiring_total - (len(board.expiring) - len(expiring))
                    ),
                    expired=expired,
                    expired_total=max(0, board.expired_total - (len(board.expired) - len(expired))),
                )
            )
        self.status_changed.emit()
        self.refresh()
