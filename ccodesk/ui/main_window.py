"""The main window: navigation between the CCO's pages, and a status bar that says whose store."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from ccodesk.services.reference import borough_name
from ccodesk.settings import Settings, load_settings
from ccodesk.store import Store
from ccodesk.ui.dashboard_page import DashboardPage
from ccodesk.ui.engagement_editor import EngagementEditor
from ccodesk.ui.engagements_page import EngagementsPage
from ccodesk.ui.followup_page import FollowUpPage
from ccodesk.ui.icons import icon
from ccodesk.ui.organisations_page import OrganisationsPage
from ccodesk.ui.settings_dialog import SettingsDialog
from ccodesk.ui.timetable_page import TimetablePage


class ComingPage(QLabel):
    """A page whose feature has not been built yet, saying so plainly."""

    def __init__(self, what: str) -> None:
        super().__init__(f"<h3>{what}</h3><p>Coming in a later version of ccodesk.</p>")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName(f"{what} (coming)")

    def refresh(self) -> None:
        """Nothing to refresh."""


class MainWindow(QMainWindow):
    PAGES = (
        "Dashboard",
        "Timetable",
        "Engagements",
        "Organisations & contacts",
        "Actions & feedback",
        "Sync",
    )

    ICONS = ("dashboard", "timetable", "engagements", "organisations", "actions", "sync")

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings or load_settings()
        self.setWindowTitle(f"ccodesk — {borough_name(store.borough_code) or 'Central unit'}")
        self.dashboard = DashboardPage(store)
        self.engagements = EngagementsPage(store)
        self.followup = FollowUpPage(store)
        self.organisations = OrganisationsPage(store, self.settings)
        self.timetable = TimetablePage(store)
        pages: list[QWidget] = [
            self.dashboard,
            self.timetable,
            self.engagements,
            self.organisations,
            self.followup,
            ComingPage("Sync"),
        ]
        self.navigation = QListWidget()
        self.navigation.setAccessibleName("Pages")
        for name, icon_name in zip(self.PAGES, self.ICONS, strict=True):
            self.navigation.addItem(QListWidgetItem(icon(icon_name), name))
        self.navigation.setIconSize(QSize(24, 24))
        self.setWindowIcon(icon("ccodesk"))
        self.navigation.setFixedWidth(200)
        self.stack = QStackedWidget()
        for page in pages:
            self.stack.addWidget(page)
        self.navigation.currentRowChanged.connect(self.show_page)
        self.engagements.engagement_activated.connect(self.edit_engagement)
        self.engagements.new_requested.connect(lambda: self.edit_engagement(None))
        self.timetable.engagement_activated.connect(self.edit_engagement)
        self.timetable.new_requested.connect(lambda when: self.edit_engagement(None, when))
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)

        self.status = QLabel()
        self.status.setAccessibleName("Store status")
        self.statusBar().addPermanentWidget(self.status, 1)
        self._actions()
        self.navigation.setCurrentRow(0)
        self.refresh_status()
        self.resize(1200, 760)

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
        new.triggered.connect(lambda: self.edit_engagement(None))
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
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)

    def edit_engagement(
        self, engagement_id: str | None, starts_at: dt.datetime | None = None
    ) -> EngagementEditor:
        """Open the editor on an engagement (None: a new one); refresh the pages after a save."""
        editor = EngagementEditor(
            self.store, engagement_id, starts_at=starts_at, settings=self.settings, parent=self
        )
        editor.saved.connect(lambda _id: self._after_save())
        editor.setModal(False)
        editor.show()
        return editor

    def _after_save(self) -> None:
        self.engagements.refresh()
        self.refresh_current()

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, parent=self)
        dialog.accepted.connect(lambda: self._settings_changed(dialog.settings))
        dialog.open()
        return dialog

    def _settings_changed(self, settings: Settings) -> None:
        self.settings = settings
        self.organisations.model.settings = settings
        self.organisations.refresh()

    def show_page(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        self.refresh_current()

    def refresh_current(self) -> None:
        page = self.stack.currentWidget()
        refresh = getattr(page, "refresh", None)
        if callable(refresh) and page not in (self.engagements, self.organisations):
            refresh()
        self.refresh_status()

    def _find(self) -> None:
        self.navigation.setCurrentRow(self.PAGES.index("Engagements"))
        self.engagements.focus_search()

    def refresh_status(self) -> None:
        store = self.store
        pending = store.pending_changes()
        self.status.setText(
            f"{borough_name(store.borough_code) or 'Central unit'} · {store.officer_name} "
            f"({store.officer_role.upper()}) · {pending:,} change{'s' if pending != 1 else ''} "
            "not yet acknowledged by the centre"
        )
