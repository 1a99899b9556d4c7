"""The Dashboard: this week, overdue actions, feedback owed, and priority groups not reached."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QListWidget, QVBoxLayout, QWidget

from ccodesk.errors import KnownError
from ccodesk.services.dashboard import Dashboard, build_dashboard, quarter_of
from ccodesk.services.quicktime import countdown
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.lazy import LoadOnShow


def _box(title: str, accessible: str) -> tuple[QGroupBox, QListWidget]:
    box = QGroupBox(title)
    items = QListWidget()
    items.setAccessibleName(accessible)
    items.setWordWrap(True)
    QVBoxLayout(box).addWidget(items)
    return box, items


class DashboardPage(LoadOnShow):
    """The dashboard's queries run on the thread pool: the window stays responsive meanwhile."""

    board_shown = Signal()  # a dashboard arrived from the store and is on screen

    def __init__(
        self, store: Store, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._today = today
        self.board: Dashboard | None = None
        self._jobs: list[BackgroundJob] = []  # the pool does not own them (autoDelete is off)
        self._generation = 0
        self.week_box, self.week = _box("Coming up in the next 7 days", "Coming up")
        self.overdue_box, self.overdue = _box("Overdue actions", "Overdue actions")
        self.owed_box, self.owed = _box("Held, no feedback given yet", "Feedback owed")
        self.reach_box, self.unreached = _box("Priority groups", "Priority groups not reached")
        grid = QGridLayout(self)
        grid.addWidget(self.week_box, 0, 0)
        grid.addWidget(self.overdue_box, 0, 1)
        grid.addWidget(self.owed_box, 1, 0)
        grid.addWidget(self.reach_box, 1, 1)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def refresh(self) -> None:
        """Query the store in the background; the newest answer is shown (`board_shown`)."""
        self.loaded = True
        self._generation += 1
        generation, store, today = self._generation, self.store, self.today

        def work(_progress: object, _cancelled: object) -> tuple[int, Dashboard]:
            with store.session() as session:
                return generation, build_dashboard(session, today)

        if self.board is None:
            for items in (self.week, self.overdue, self.owed, self.unreached):
                items.clear()
                items.addItem("Loading…")
        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._arrived)
        job.signals.failed.connect(self._failed)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()

    def _arrived(self, result: tuple[int, Dashboard]) -> None:
        generation, board = result
        if generation == self._generation:  # an older query finishing late is not shown
            self.show_board(board)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, KnownError):
            raise exc  # a bug: the crash dialog reports it
        for items in (self.week, self.overdue, self.owed, self.unreached):
            items.clear()
        self.week.addItem(f"The dashboard could not be loaded: {exc}")

    def show_board(self, board: Dashboard) -> None:
        self.board = board
        self.week.clear()
        for consultation in board.quick_time:
            left = countdown(consultation.deadline)
            self.week.addItem(f"Quick-time: {consultation.title} — {left}")
        for row in board.coming:
            joint = " · joint" if row.joint else ""
            self.week.addItem(
                f"{row.starts_at:%a %d %b %H:%M}  {row.title}  ({row.status.label.lower()}{joint})"
            )
        if not board.coming and not board.quick_time:
            self.week.addItem("Nothing planned for the next 7 days.")
        self.overdue.clear()
        for action in board.overdue:
            due = f"{action.due_on:%d %b %Y}" if action.due_on else "no date"
            self.overdue.addItem(f"Due {due}: {action.description} — {action.owner or 'no owner'}")
        if not board.overdue:
            self.overdue.addItem("No overdue actions.")
        self.overdue_box.setTitle(f"Overdue actions ({board.overdue_total:,})")
        self.owed.clear()
        for _id, title, when in board.feedback_owed:
            self.owed.addItem(f"{when:%d %b %Y}  {title}")
        if not board.feedback_owed:
            self.owed.addItem("Feedback has been given for every engagement held.")
        start, end = quarter_of(board.today)
        last = end - dt.timedelta(days=1)
        self.reach_box.setTitle(f"Priority groups not reached, {start:%d %b} – {last:%d %b %Y}")
        self.unreached.clear()
        for group in board.unreached:
            self.unreached.addItem(group.name)
        if not board.unreached:
            self.unreached.addItem("Every priority group was reached this quarter.")
        self.board_shown.emit()
