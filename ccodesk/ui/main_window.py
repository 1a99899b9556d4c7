"""The main window: navigation between the CCO's pages, and a status bar that says whose store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.shell import Shell

if TYPE_CHECKING:  # the pages import SQLAlchemy and the services: loaded once the store is open
    import datetime as dt
    from collections.abc import Callable

    from ccodesk.services.dashboard import Dashboard
    from ccodesk.settings import Settings
    from ccodesk.store import Store
    from ccodesk.store.snapshot import BoardLines
    from ccodesk.ui.audit_dialog import AuditDialog
    from ccodesk.ui.dashboard_page import DashboardPage
    from ccodesk.ui.engagement_editor import EngagementEditor
    from ccodesk.ui.engagements_page import EngagementsPage
    from ccodesk.ui.followup_page import FollowUpPage
    from ccodesk.ui.organisations_page import OrganisationsPage
    from ccodesk.ui.privacy_page import DataProtectionPage
    from ccodesk.ui.reports_page import ReportsPage
    from ccodesk.ui.settings_dialog import SettingsDialog
    from ccodesk.ui.sync_page import SyncPage
    from ccodesk.ui.timetable_page import TimetablePage

log = logging.getLogger("ccodesk.ui")


def _open_store(
    data_dir: Path, passphrase: str | None, first_paint: Callable[[BoardLines], None]
) -> tuple[Store, Dashboard | None]:
    """Open the store off the UI thread and gather the dashboard's figures while at it.

    The dashboard is what the officer sees first. As soon as the keys are loaded, the lines it
    showed last (`snapshot.read_snapshot`: only for today, and only when the store has not
    changed since) go to `first_paint`, before SQLAlchemy is imported; then the store opens and
    the live figures are read, so the window has them with the store; the other pages are built
    after it (`MainWindow._build_pages`). A dashboard that cannot be read now is read again
    when shown (None).
    """
    import datetime as dt

    from ccodesk.store.info import DB_FILE, StoreInfo
    from ccodesk.store.keys import keys_for
    from ccodesk.store.snapshot import read_snapshot

    prompt = None if passphrase is None else lambda _c: passphrase
    info = StoreInfo.read(data_dir)
    secrets = keys_for(data_dir, info, prompt).load()
    if (data_dir / DB_FILE).exists():
        lines = read_snapshot(data_dir / DB_FILE, secrets.database_key, dt.date.today())
        if lines is not None:
            first_paint(lines)

    from ccodesk.errors import KnownError
    from ccodesk.store import open_store

    store = open_store(data_dir, secrets=secrets)
    try:
        from ccodesk.services.dashboard import read_board

        try:
            board: Dashboard | None = read_board(store, dt.date.today())
        except KnownError as exc:
            log.warning("the dashboard could not be read at start-up: %s", exc)
            board = None
        import ccodesk.ui.dashboard_page  # noqa: F401  (after the figures: they are awaited)
    except BaseException:
        store.close()
        raise
    return store, board


def _load_pages(_progress: object, _cancelled: object) -> None:
    """Import the other pages' modules (SQLAlchemy-heavy) off the UI thread."""
    import ccodesk.ui.pages  # noqa: F401


def _place(store: Store) -> str:
    """Whose store: the borough's name, or the central unit."""
    from ccodesk.resource_files import borough_name

    return borough_name(store.borough_code) or "Central unit"


class MainWindow(Shell):
    """Navigation between the CCO's pages, and a status bar that says whose store it is.

    Built with an open store, or with a data directory: then the window is shown at once and
    the store is opened in the background (`open_in_background`), the pages being built when
    it is ready (`store_ready`) — start-up shows a window in about the time of a bare one.
    """

    ABOUT = (
        "The desktop tool of a London borough's Community "
        "Consultation Officer: plan and record consultation, print packs and forms, and "
        "send signed, encrypted bundles to the central units."
    )
    PAGES = (
        "Dashboard",
        "Timetable",
        "Engagements",
        "Organisations & contacts",
        "Actions & feedback",
        "Reports",
        "Sync",
        "Data protection",
    )

    ICONS = (
        "dashboard",
        "timetable",
        "engagements",
        "organisations",
        "actions",
        "reports",
        "sync",
        "ccodesk",  # no shield among the icons: the application's own mark
    )

    store_ready = Signal()  # the store is open and the pages are built
    dashboard_shown = Signal()  # the dashboard is on screen, filled (before the other pages)
    open_failed = Signal(object)  # the exception that stopped the store opening

    dashboard: DashboardPage
    engagements: EngagementsPage
    followup: FollowUpPage
    organisations: OrganisationsPage
    timetable: TimetablePage
    reports: ReportsPage
    sync: SyncPage
    privacy: DataProtectionPage
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
        super().__init__(f"Opening the store in {data_dir}…" if data_dir else "Opening the store…")
        self.store: Store | None = None
        self._settings = settings
        self.data_dir = data_dir
        self._opening: BackgroundJob | None = None
        self._opened_late: Store | None = None
        self.first_paint: QWidget | None = None  # the last run's dashboard, while opening
        self._actions()
        self.restore_geometry()
        if store is not None:
            self.attach_store(store)

    def has_pages(self) -> bool:
        return self.store is not None

    # -- opening ---------------------------------------------------------------------------

    def open_in_background(self, passphrase: str | None = None) -> None:
        """Open the store in `data_dir` on the thread pool; `store_ready` or `open_failed`."""
        if self.data_dir is None:
            raise ValueError("no data directory to open")
        data_dir = self.data_dir

        def work(_progress: object, _cancelled: object) -> tuple[Store, Dashboard | None]:
            store, board = _open_store(data_dir, passphrase, job.signals.partial.emit)
            self._opened_late = store  # closed by `close_store` if the window has gone
            return store, board

        self.opening.set_text(f"Opening the store in {data_dir}…")
        job = BackgroundJob(work)
        job.signals.partial.connect(self._first_paint)
        job.signals.succeeded.connect(self._opened)
        job.signals.failed.connect(self._open_failed)
        self._opening = job
        job.start()

    def _first_paint(self, lines: BoardLines) -> None:
        """The dashboard as it was at the last run, while the store opens (see `_open_store`):
        shown in the opening page's place, its lines inert until the live dashboard comes."""
        from ccodesk.ui.dashboard_view import BoardView

        if self.store is not None or self.first_paint is not None:
            return
        self.first_paint = BoardView()
        self.first_paint.show_lines(lines)
        self.first_paint.setEnabled(False)  # nothing to open yet: the store is opening
        self.first_paint.setToolTip("Updating…")
        self.stack.addWidget(self.first_paint)
        self.stack.setCurrentWidget(self.first_paint)
        self.dashboard_shown.emit()

    def _opened(self, opened: tuple[Store, Dashboard | None]) -> None:
        self._opening = None
        store, board = opened
        self.attach_store(store, board)

    def _open_failed(self, exc: BaseException) -> None:
        self._opening = None
        self.opening.set_text("The store could not be opened.")
        self.open_failed.emit(exc)

    def attach_store(self, store: Store, board: Dashboard | None = None) -> None:
        """Show the dashboard on an open store, then build the other pages.

        With the dashboard's figures already read (`board`, from the background open), the
        dashboard is shown filled at once and the other pages are built once their modules
        have loaded on the thread pool; without them, every page is built now.
        """
        from ccodesk.ui.dashboard_page import DashboardPage

        self.store = store
        self._opened_late = None
        self.setWindowTitle(f"ccodesk — {_place(store)}")
        self.dashboard = DashboardPage(store)
        self.stack.addWidget(self.dashboard)
        self.stack.setCurrentWidget(self.dashboard)
        self.drop_opening_page()
        if self.first_paint is not None:
            self.stack.removeWidget(self.first_paint)
            self.first_paint.deleteLater()
            self.first_paint = None
        if board is None:
            self._build_pages()
            return
        self.dashboard.loaded = True  # filled now: no second query when it is shown
        self.dashboard.show_board(board)
        self.dashboard_shown.emit()
        job = BackgroundJob(_load_pages)
        job.signals.succeeded.connect(lambda _none: self._build_pages())
        job.signals.failed.connect(self._open_failed)
        self._opening = job
        job.start()

    def _build_pages(self) -> None:
        """Build the pages after the dashboard, wire them, and let the officer move between them."""
        from ccodesk.ui.pages import (
            DataProtectionPage,
            EngagementsPage,
            FollowUpPage,
            OrganisationsPage,
            ReportsPage,
            SyncPage,
            TimetablePage,
        )

        store = self.store
        if store is None:  # the window closed while the modules loaded
            return
        self._opening = None
        self.engagements = EngagementsPage(store)
        self.followup = FollowUpPage(store)
        self.organisations = OrganisationsPage(store, self.settings)
        self.timetable = TimetablePage(store)
        self.reports = ReportsPage(store, self.settings)
        self.sync = SyncPage(store)
        self.privacy = DataProtectionPage(store)
        pages: list[QWidget] = [
            self.dashboard,
            self.timetable,
            self.engagements,
            self.organisations,
            self.followup,
            self.reports,
            self.sync,
            self.privacy,
        ]
        for page in pages[1:]:
            self.stack.addWidget(page)
        self.navigation.setCurrentRow(0)  # before connecting: the dashboard is shown already
        self.navigation.currentRowChanged.connect(self.show_page)
        self.engagements.engagement_activated.connect(self.edit_engagement)
        self.engagements.new_requested.connect(lambda: self.edit_engagement(None))
        self.timetable.engagement_activated.connect(self.edit_engagement)
        self.timetable.new_requested.connect(lambda when: self.edit_engagement(None, when))
        self._connect_pages()
        for action in self.store_actions:
            action.setEnabled(True)
        from ccodesk.ui.window_state import restore_splitters

        for page in pages:
            restore_splitters(page, type(page).__name__, self._window_state)
        self.navigation.setEnabled(True)
        self.refresh_status()
        self.store_ready.emit()

    def _connect_pages(self) -> None:
        """What the pages ask of the window: open an engagement or print it, refresh the status."""
        for activated in (
            self.dashboard.engagement_activated,
            self.followup.engagement_activated,
        ):
            activated.connect(self.edit_engagement)
        self.dashboard.quicktime_activated.connect(lambda _id: self.open_quick_time())
        self.dashboard.sar_activated.connect(self.open_subject_access)
        for changed in (
            self.sync.status_changed,
            self.followup.status_changed,
            self.dashboard.status_changed,
            self.timetable.status_changed,
            self.privacy.retention.purged,  # new versions await the centre
        ):
            changed.connect(self.refresh_status)
        self.engagements.print_requested.connect(self.print_engagement)

    def open_subject_access(self, request_id: int) -> None:
        """The Data protection page with a logged subject access request open."""
        self.navigation.setCurrentRow(self.PAGES.index("Data protection"))
        self.privacy.open_request(request_id)

    # -- window state ----------------------------------------------------------------------

    def close_store(self) -> None:
        """Wait for background work, then close the store (also one opened after the window)."""
        QThreadPool.globalInstance().waitForDone()
        for store in (self.store, self._opened_late):
            if store is not None:
                store.close()
        self.store = self._opened_late = None

    def _actions(self) -> None:
        """The menu bar (every command, with its shortcut), and a tool bar of the daily ones.

        The tool bar folds what does not fit into its extension menu (») on a narrow screen;
        the status bar keeps only the store's status, so nothing is pushed off a laptop's screen.
        """
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        go_menu = menus.addMenu("&Go")
        help_menu = menus.addMenu("&Help")
        command = self.command
        self.new_action = command(
            "New engagement…",
            (QKeySequence.StandardKey.New,),
            lambda: self.store is not None and self.edit_engagement(None),
            file_menu,
            tool="New engagement…",
        )
        file_menu.addSeparator()
        self.print_action = command(
            "Print forms…",
            (QKeySequence.StandardKey.Print,),
            self.open_print,
            file_menu,
            tool="Print…",
        )
        self.packs_action = command(
            "Packs for next week…",
            ("Ctrl+Shift+P",),
            self.print_next_week,
            file_menu,
            tool="Next week's packs…",
        )
        self.key_in_action = command(
            "Key in returned forms…",
            ("Ctrl+K",),
            self.key_in_forms,
            file_menu,
            tool="Key in forms…",
        )
        self.quick_time_action = command(
            "Quick-time consultation…",
            ("Ctrl+Shift+Q",),
            self.open_quick_time,
            file_menu,
            tool="Quick-time…",
        )
        file_menu.addSeparator()
        # Linux desktops bind no key to "Preferences": Ctrl+, there, as on macOS and Windows apps.
        self.settings_action = command(
            "Settings…",
            (QKeySequence.StandardKey.Preferences, "Ctrl+,"),
            self.open_settings,
            file_menu,
            tool="Settings…",
        )
        file_menu.addSeparator()
        command("Quit", (QKeySequence.StandardKey.Quit, "Ctrl+Q"), self.close, file_menu)

        self.page_commands(go_menu)
        go_menu.addSeparator()
        command("Find engagements…", (QKeySequence.StandardKey.Find,), self._find, go_menu)
        command("Refresh", (QKeySequence.StandardKey.Refresh, "F5"), self.refresh_current, go_menu)
        self.audit_action = command("Audit trail…", ("Ctrl+Shift+A",), self.open_audit, go_menu)
        command("About ccodesk", (), self.about, help_menu)
        self.store_actions = [
            self.new_action,
            self.print_action,
            self.packs_action,
            self.key_in_action,
            self.quick_time_action,
            self.audit_action,
        ]
        for action in self.store_actions:
            action.setEnabled(False)  # until the store is open

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

    def print_engagement(self, engagement_id: str, document: str = "pack") -> QWidget | None:
        """The print dialog on one engagement: its meeting pack, or a form."""
        from ccodesk.ui.printing import PrintDialog

        if self.store is None:
            return None
        dialog = PrintDialog(self.store, engagement_id, document=document, parent=self)
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

    def open_audit(self) -> AuditDialog | None:
        """The audit trail viewer (issue 15), over the open store."""
        if self.store is None:
            return None
        from ccodesk.ui.audit_dialog import AuditDialog

        dialog = AuditDialog(self.store, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

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
        text = (
            f"{_place(store)} · {store.officer_name} "
            f"({store.officer_role.upper()}) · {pending:,} change{'s' if pending != 1 else ''} "
            "not yet acknowledged by the centre"
        )
        self.set_status(text)
