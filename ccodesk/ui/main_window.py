"""The main window: navigation between the CCO's pages, and a status bar that says whose store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.icons import icon

if TYPE_CHECKING:  # the pages import SQLAlchemy and the services: loaded once the store is open
    import datetime as dt

    from PySide6.QtGui import QCloseEvent

    from ccodesk.settings import Settings
    from ccodesk.store import Store
    from ccodesk.ui.dashboard_page import DashboardPage
    from ccodesk.ui.engagement_editor import EngagementEditor
    from ccodesk.ui.engagements_page import EngagementsPage
    from ccodesk.ui.followup_page import FollowUpPage
    from ccodesk.ui.organisations_page import OrganisationsPage
    from ccodesk.ui.reports_page import ReportsPage
    from ccodesk.ui.settings_dialog import SettingsDialog
    from ccodesk.ui.sync_page import SyncPage
    from ccodesk.ui.timetable_page import TimetablePage

log = logging.getLogger("ccodesk.ui")


class OpeningPage(QWidget):
    """What the window shows while the store is being opened (keys, decryption, migrations).

    Built before anything else, so it is kept cheap: centred by stretches.
    """

    def __init__(self, data_dir: Path | None) -> None:
        super().__init__()
        self.label = QLabel()
        self.label.setWordWrap(True)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_text(f"Opening the store in {data_dir}…" if data_dir else "Opening the store…")
        busy = QProgressBar()
        busy.setRange(0, 0)  # busy, not a fraction
        busy.setAccessibleName("Opening the store")
        busy.setFixedWidth(320)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(busy)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addStretch(1)

    def set_text(self, text: str) -> None:
        self.label.setText(text)  # plain text: a rich-text label costs ~6 ms more to build


def _open_store(data_dir: Path, passphrase: str | None) -> Store:
    """Open the store off the UI thread, and load the pages' modules while at it."""
    from ccodesk.store import open_store

    store = open_store(data_dir, prompt=None if passphrase is None else lambda _c: passphrase)
    try:
        import ccodesk.ui.pages  # noqa: F401  (imports SQLAlchemy-heavy modules here, not in the UI)
    except BaseException:
        store.close()
        raise
    return store


def _place(store: Store) -> str:
    """Whose store: the borough's name, or the central unit."""
    from ccodesk.resource_files import borough_name

    return borough_name(store.borough_code) or "Central unit"


class MainWindow(QMainWindow):
    """Navigation between the CCO's pages, and a status bar that says whose store it is.

    Built with an open store, or with a data directory: then the window is shown at once and
    the store is opened in the background (`open_in_background`), the pages being built when
    it is ready (`store_ready`) — start-up shows a window in about the time of a bare one.
    """

    PAGES = (
        "Dashboard",
        "Timetable",
        "Engagements",
        "Organisations & contacts",
        "Actions & feedback",
        "Reports",
        "Sync",
    )

    ICONS = (
        "dashboard",
        "timetable",
        "engagements",
        "organisations",
        "actions",
        "reports",
        "sync",
    )

    store_ready = Signal()  # the store is open and the pages are built
    open_failed = Signal(object)  # the exception that stopped the store opening

    dashboard: DashboardPage
    engagements: EngagementsPage
    followup: FollowUpPage
    organisations: OrganisationsPage
    timetable: TimetablePage
    reports: ReportsPage
    sync: SyncPage
    _settings: Settings | None

    @property
    def settings(self) -> Settings:
        """The user's settings, read when first needed (not before the window shows)."""
        if self._settings is None:
            from ccodesk.settings import load_settings

            self._settings = load_settings()
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    def __init__(
        self,
        store: Store | None = None,
        settings: Settings | None = None,
        *,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.store: Store | None = None
        self._settings = settings
        self.data_dir = data_dir
        self._opening: BackgroundJob | None = None
        self._opened_late: Store | None = None
        self.setWindowTitle("ccodesk")
        self.navigation = QListWidget()
        self.navigation.setAccessibleName("Pages")
        for name, icon_name in zip(self.PAGES, self.ICONS, strict=True):
            self.navigation.addItem(QListWidgetItem(icon(icon_name), name))
        self.navigation.setIconSize(QSize(24, 24))
        self.navigation.setEnabled(False)
        self.setWindowIcon(icon("ccodesk"))
        self.navigation.setFixedWidth(200)
        self.stack = QStackedWidget()
        self.opening = OpeningPage(data_dir)
        self.stack.addWidget(self.opening)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)

        self.status = QLabel("Opening the store…")
        self.status.setAccessibleName("Store status")
        self.statusBar().addPermanentWidget(self.status, 1)
        self._actions()
        self.resize(1200, 760)
        if store is not None:
            self.attach_store(store)

    # -- opening ---------------------------------------------------------------------------

    def open_in_background(self, passphrase: str | None = None) -> None:
        """Open the store in `data_dir` on the thread pool; `store_ready` or `open_failed`."""
        if self.data_dir is None:
            raise ValueError("no data directory to open")
        data_dir = self.data_dir

        def work(_progress: object, _cancelled: object) -> Store:
            store = _open_store(data_dir, passphrase)
            self._opened_late = store  # closed by `close_store` if the window has gone
            return store

        self.opening.set_text(f"Opening the store in {data_dir}…")
        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._opened)
        job.signals.failed.connect(self._open_failed)
        self._opening = job
        job.start()

    def _opened(self, store: Store) -> None:
        self._opening = None
        self.attach_store(store)

    def _open_failed(self, exc: BaseException) -> None:
        self._opening = None
        self.opening.set_text("The store could not be opened.")
        self.open_failed.emit(exc)

    def attach_store(self, store: Store) -> None:
        """Build the pages on an open store and show the first one."""
        from ccodesk.ui.pages import (
            DashboardPage,
            EngagementsPage,
            FollowUpPage,
            OrganisationsPage,
            ReportsPage,
            SyncPage,
            TimetablePage,
        )

        self.store = store
        self._opened_late = None
        self.setWindowTitle(f"ccodesk — {_place(store)}")
        self.dashboard = DashboardPage(store)
        self.engagements = EngagementsPage(store)
        self.followup = FollowUpPage(store)
        self.organisations = OrganisationsPage(store, self.settings)
        self.timetable = TimetablePage(store)
        self.reports = ReportsPage(store, self.settings)
        self.sync = SyncPage(store)
        pages: list[QWidget] = [
            self.dashboard,
            self.timetable,
            self.engagements,
            self.organisations,
            self.followup,
            self.reports,
            self.sync,
        ]
        for page in pages:
            self.stack.addWidget(page)
        self.stack.removeWidget(self.opening)
        self.opening.deleteLater()
        self.navigation.currentRowChanged.connect(self.show_page)
        self.engagements.engagement_activated.connect(self.edit_engagement)
        self.engagements.new_requested.connect(lambda: self.edit_engagement(None))
        self.timetable.engagement_activated.connect(self.edit_engagement)
        self.timetable.new_requested.connect(lambda when: self.edit_engagement(None, when))
        self.navigation.setEnabled(True)
        self.navigation.setCurrentRow(0)
        self.refresh_status()
        self.store_ready.emit()

    def close_store(self) -> None:
        """Wait for background work, then close the store (also one opened after the window)."""
        QThreadPool.globalInstance().waitForDone()
        for store in (self.store, self._opened_late):
            if store is not None:
                store.close()
        self.store = self._opened_late = None

    def closeEvent(self, event: QCloseEvent) -> None:
        # Queries still running on the pool finish before whoever closes the store can.
        QThreadPool.globalInstance().waitForDone()
        super().closeEvent(event)

    def _actions(self) -> None:
        for number, name in enumerate(self.PAGES, start=1):
            action = QAction(f"Go to {name}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(
                lambda _=False, row=number - 1: self.navigation.setCurrentRow(row)
            )
            self.addAction(action)
        new = QAction("New engagement", self)
        new.setShortcut(QKeySequence.StandardKey.New)
        new.triggered.connect(lambda: self.store is not None and self.edit_engagement(None))
        self.addAction(new)
        find = QAction("Find engagements", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._find)
        self.addAction(find)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh_current)
        self.addAction(refresh)
        preferences = QAction("Settings…", self)
        preferences.setShortcut(QKeySequence.StandardKey.Preferences)
        preferences.triggered.connect(self.open_settings)
        self.addAction(preferences)
        self.settings_button = QPushButton(icon("ccodesk"), "Settings…")
        self.settings_button.clicked.connect(self.open_settings)
        self.statusBar().addWidget(self.settings_button)
        for text, short, keys, slot in (
            ("Print forms…", "Print…", QKeySequence.StandardKey.Print, self.open_print),
            ("Packs for next week…", "Next week's packs…", "Ctrl+Shift+P", self.print_next_week),
            ("Key in returned forms…", "Key in forms…", "Ctrl+K", self.key_in_forms),
            ("Quick-time consultation…", "Quick-time…", "Ctrl+Shift+Q", self.open_quick_time),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            self.addAction(action)
            button = QPushButton(short)
            button.setToolTip(f"{text} ({action.shortcut().toString()})")
            button.clicked.connect(slot)
            self.statusBar().addWidget(button)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)

    def edit_engagement(
        self, engagement_id: str | None, starts_at: dt.datetime | None = None
    ) -> EngagementEditor:
        """Open the editor on an engagement (None: a new one); refresh the pages after a save."""
        from ccodesk.ui.engagement_editor import EngagementEditor

        if self.store is None:
            raise RuntimeError("the store is not open yet")
        editor = EngagementEditor(
            self.store, engagement_id, starts_at=starts_at, settings=self.settings, parent=self
        )
        editor.saved.connect(lambda _id: self._after_save())
        editor.setModal(False)
        editor.show()
        return editor

    def open_print(self) -> QWidget | None:
        """The print dialog: blank forms, the return, or the engagement selected in the list."""
        from ccodesk.ui.printing import PrintDialog

        if self.store is None:
            return None
        selected = None
        index = self.engagements.table.currentIndex()
        if self.stack.currentWidget() is self.engagements and index.isValid():
            selected = self.engagements.model.row_object(index.row()).id
        dialog = PrintDialog(self.store, selected, document="equality", parent=self)
        dialog.open()
        return dialog

    def print_next_week(self) -> object:
        """Meeting packs for every meeting of next week, into a folder, with progress."""
        from ccodesk.ui.printing import print_week_packs

        return None if self.store is None else print_week_packs(self.store, self)

    def key_in_forms(self) -> QWidget | None:
        """The quick data-entry screen for returned paper forms."""
        from ccodesk.ui.returns import ReturnedFormsDialog

        if self.store is None:
            return None
        dialog = ReturnedFormsDialog(self.store, parent=self)
        dialog.keyed.connect(lambda _id: self._after_save())
        dialog.open()
        return dialog

    def open_quick_time(self) -> QWidget | None:
        """The quick-time consultations in progress, with New…, Continue… and Print record…."""
        from ccodesk.ui.quicktime import QuickTimeDialog

        if self.store is None:
            return None
        dialog = QuickTimeDialog(self.store, self.settings, parent=self)
        dialog.finished.connect(lambda _result: self.refresh_current())
        dialog.open()
        return dialog

    def _after_save(self) -> None:
        self.engagements.refresh()
        self.refresh_current()

    def open_settings(self) -> SettingsDialog:
        from ccodesk.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, parent=self)
        dialog.accepted.connect(lambda: self._settings_changed(dialog.settings))
        dialog.open()
        return dialog

    def _settings_changed(self, settings: Settings) -> None:
        self.settings = settings
        if self.store is None:
            return
        self.organisations.model.settings = settings
        self.organisations.refresh()
        self.reports.settings = settings  # the fatigue threshold, from the next refresh

    def show_page(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        self.refresh_current()

    def refresh_current(self) -> None:
        if self.store is None:
            return
        page = self.stack.currentWidget()
        refresh = getattr(page, "refresh", None)
        if callable(refresh) and page not in (self.engagements, self.organisations):
            refresh()
        self.refresh_status()

    def _find(self) -> None:
        if self.store is None:
            return
        self.navigation.setCurrentRow(self.PAGES.index("Engagements"))
        self.engagements.focus_search()

    def refresh_status(self) -> None:
        store = self.store
        if store is None:
            return
        pending = store.pending_changes()
        self.status.setText(
            f"{_place(store)} · {store.officer_name} "
            f"({store.officer_role.upper()}) · {pending:,} change{'s' if pending != 1 else ''} "
            "not yet acknowledged by the centre"
        )
