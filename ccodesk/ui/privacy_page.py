"""The Data protection page (issue 15): tabs for the retention schedule and the deletion
records kept; more tabs (subject access, …) are added with `DataProtectionPage.add_tab`.

The retention schedule is edited here, not in Settings: it belongs to the store (every
officer of the device works to it), not to one officer's preferences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services import deletion_records, retention
from ccodesk.ui.background import BackgroundJob, ProgressDialog
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.privacy_sar import SubjectAccessPanel
from ccodesk.ui.tables import ColumnsModel
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.store import Store


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.setTabKeyNavigation(False)  # Tab moves on to the next control; arrows move within
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


class RetentionTab(QWidget):
    """The schedule (editable), what it makes due today, and Purge…"""

    purged = Signal()  # a purge finished (deletion records changed)
    refreshed = Signal()  # the schedule and what is due are shown

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.day: Callable[[], dt.date] = dt.date.today
        self.rules: dict[str, tuple[QCheckBox, QSpinBox]] = {}
        self.confirm_box: QMessageBox | None = None
        self.progress_dialog: ProgressDialog | None = None
        self._jobs: list[BackgroundJob] = []

        schedule_box = QGroupBox("Retention schedule")
        grid = QGridLayout(schedule_box)
        for row, rule in enumerate(retention.RULES):
            check = QCheckBox(rule.label)
            check.setToolTip(f"Why this default: {rule.reason}.")
            spin = QSpinBox()
            spin.setRange(rule.low, rule.high)
            spin.setSuffix(f" {rule.unit}")
            spin.setAccessibleName(f"Keep {rule.label.lower()} for")
            check.toggled.connect(spin.setEnabled)
            words = QLabel(rule.action[:1].upper() + rule.action[1:] + ".")
            words.setWordWrap(True)
            grid.addWidget(check, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(words, row, 2)
            self.rules[rule.category] = (check, spin)
        grid.setColumnStretch(2, 1)
        note = QLabel(
            "The schedule is set here, for everyone using this device (not in Settings). "
            "Untick a rule to switch it off."
        )
        note.setWordWrap(True)
        self.save_button = QPushButton("Sa&ve schedule")
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel("")
        bottom = QHBoxLayout()
        bottom.addWidget(note, 1)
        bottom.addWidget(self.saved_label)
        bottom.addWidget(self.save_button)
        grid.addLayout(bottom, len(retention.RULES), 0, 1, 3)

        due_box = QGroupBox("Due for deletion today")
        due_layout = QVBoxLayout(due_box)
        self.due_model: ColumnsModel[retention.Due] = ColumnsModel(
            [
                ("Category", lambda d: d.label),
                ("How many", lambda d: f"{d.count:,}"),
                ("Why", lambda d: d.why),
            ],
            self,
        )
        self.due_view = _table(self.due_model, "Due for deletion")
        self.due_view.setMinimumHeight(120)
        self.purge_button = QPushButton("&Purge…")
        self.purge_button.setToolTip("Delete everything listed, here and (after sync) centrally")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.purge_button)
        due_layout.addWidget(self.due_view, 1)
        due_layout.addLayout(buttons)
        self.purge_button.clicked.connect(self.ask_purge)

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(schedule_box)
        layout.addWidget(due_box, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def refresh(self) -> BackgroundJob:
        """Count what is due off the UI thread (a few hundred milliseconds at 100,000
        engagements), then show it (`refreshed`)."""
        day = self.day()

        def work(_progress: object, _cancelled: object) -> Any:
            with self.store.session() as s:
                return retention.schedule(s), retention.due(s, day)

        job = BackgroundJob(work)
        job.signals.succeeded.connect(lambda result: self._show(*result))
        job.on_failure(lambda exc: QMessageBox.warning(self, "ccodesk", str(exc)))
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()
        return job

    def _show(self, rules: list[retention.ScheduledRule], found: list[retention.Due]) -> None:
        for rule in rules:
            check, spin = self.rules[rule.category]
            check.setChecked(rule.enabled)
            spin.setValue(rule.keep_for)
            spin.setEnabled(rule.enabled)
        self.due_model.set_rows(found)
        self.due_view.resizeRowsToContents()
        total = sum(d.count for d in found)
        self.purge_button.setEnabled(total > 0)
        self.summary.setText(
            "Nothing is due." if not total else f"{plural(total, 'item')} due for deletion."
        )
        self.refreshed.emit()

    def save(self) -> None:
        try:
            with self.store.transaction() as s:
                current = {r.category: r for r in retention.schedule(s)}
                for category, (check, spin) in self.rules.items():
                    now = current[category]
                    if now.enabled != check.isChecked() or now.keep_for != spin.value():
                        retention.set_rule(
                            s, category, keep_for=spin.value(), enabled=check.isChecked()
                        )
        except KnownError as exc:
            QMessageBox.warning(self, "ccodesk", str(exc))
            return
        self.saved_label.setText("Saved.")
        self.refresh()

    def ask_purge(self) -> None:
        waiting = [d for d in self.due_model.rows if d.count]
        if not waiting:
            return
        lines = "\n".join(f"• {d.label}: {plural(d.count, d.unit)}" for d in waiting)
        box = self.confirm_box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Purge",
            f"Delete for good, here and at the centre after the next sync?\n\n{lines}\n\n"
            "A deletion record of each category is kept (no personal details).",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.addButton("&Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        categories = [d.category for d in waiting]

        def answered(_result: int) -> None:
            chosen = box.buttonRole(box.clickedButton()) if box.clickedButton() else None
            self.confirm_box = None
            box.deleteLater()
            if chosen == QMessageBox.ButtonRole.DestructiveRole:
                self.purge(categories)

        box.finished.connect(answered)
        box.open()

    def purge(self, categories: list[str]) -> BackgroundJob:
        """Purge `categories` in the background, with progress and Cancel."""
        day = self.day()

        def work(progress: Callable[[int, int, str], None], cancelled: Callable[[], bool]) -> Any:
            return retention.purge_store(self.store, day, categories, progress, cancelled)

        job = BackgroundJob(work)
        self.progress_dialog = ProgressDialog(job, "Purging", self)

        def done(result: list[retention.Purged]) -> None:
            gone = [f"{p.label}: {p.count:,}" for p in result if p.count]

            def said() -> None:
                self.refreshed.disconnect(said)
                if gone:
                    self.summary.setText("Deleted — " + "; ".join(gone) + ".")
                self.purged.emit()

            self.refreshed.connect(said)
            self.refresh()

        def failed(exc: KnownError) -> None:
            QMessageBox.warning(self, "ccodesk", f"The purge failed: {exc}")

        def stopped(_exc: Exception) -> None:
            self.summary.setText("Cancelled: nothing was deleted.")

        job.signals.succeeded.connect(done)
        job.on_failure(failed, stopped)
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        job.start()
        return job


class DeletionsTab(QWidget):
    """The deletion records kept: date, category, count, rule, officer."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model: ColumnsModel[deletion_records.DeletionRow] = ColumnsModel(
            [
                ("Date", lambda r: f"{r.done_at:%d %b %Y %H:%M}"),
                ("Category", lambda r: r.label),
                ("Count", lambda r: f"{r.count:,}"),
                ("Officer", lambda r: r.officer),
                ("Rule", lambda r: r.rule),
            ],
            self,
        )
        self.view = _table(self.model, "Deletion records")
        intro = QLabel(
            "What the retention schedule and erasures deleted: kept for good, printed in the "
            "quarterly return and sent to the centre. They hold no personal details."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        with self.store.session() as s:
            self.model.set_rows(deletion_records.deletion_records(s, limit=1000))
        self.view.resizeRowsToContents()


class DataProtectionPage(LoadOnShow):
    """Data protection: one tab per task; `add_tab` adds another."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.retention = RetentionTab(store)
        self.deletions = DeletionsTab(store)
        self.subject_access = SubjectAccessPanel(store)
        self.add_tab(self.retention, "Retention")
        self.add_tab(self.subject_access, "Subject access")
        self.add_tab(self.deletions, "Deletion records")
        self.retention.purged.connect(self.deletions.refresh)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_tab())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def add_tab(self, tab: QWidget, title: str) -> None:
        """Add a tab; a tab with `refresh()` is refreshed when shown."""
        self.tabs.addTab(tab, title)

    def open_request(self, request_id: int) -> None:
        """Show the Subject access tab with a logged request open (the dashboard's line)."""
        self.tabs.setCurrentWidget(self.subject_access)
        self.subject_access.select_request(request_id)

    def _refresh_tab(self) -> None:
        refresh = getattr(self.tabs.currentWidget(), "refresh", None)
        if self.loaded and callable(refresh):
            refresh()

    def refresh(self) -> None:
        self.loaded = True
        self._refresh_tab()
