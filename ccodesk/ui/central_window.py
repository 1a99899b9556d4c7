"""The central unit's window (`ccodesk --central`): the borough app's shell with the centre's
pages — the boroughs board, the inbox, London's indicators, the trusted devices, the conflicts to
review, the corporate timetable and the follow-up (search across London, each borough's loose
ends, the unit's notes) — over the central store (SQLite or PostgreSQL)."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QKeySequence

from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.shell import Shell

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    from ccodesk.settings import Settings
    from ccodesk.sync.central import Central
    from ccodesk.ui.central_boroughs import BoroughsPage
    from ccodesk.ui.central_conflicts import ConflictsPage
    from ccodesk.ui.central_followup import FollowUpPage
    from ccodesk.ui.central_inbox import InboxPage
    from ccodesk.ui.central_london import LondonPage
    from ccodesk.ui.central_timetable import CorporateTimetablePage
    from ccodesk.ui.central_trust import TrustPage

log = logging.getLogger("ccodesk.ui")

PREFETCH_MS = 2000  # the board on screen this long before London is worked out behind it


def where(central: Central) -> str:
    """Which central store, and where: a SQLite store's file, else its database's address
    without a password."""
    from ccodesk.store.central import store_file, without_password

    file = store_file(central.url)
    return str(file) if file is not None else without_password(central.url)


def _bundle_paths(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[Path]:
    """The local files dropped (or dragged over): bundles to merge."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class CentralWindow(Shell):
    """The central unit's pages over an open central store, or one opened behind the shown
    window (`open_in_background`); bundle files dropped anywhere on it go to the inbox."""

    ABOUT = (
        "The central consultation unit's desktop: the boroughs' bundles merged, their devices, "
        "gaps, conflicts and late returns at a glance; London's indicators, the corporate "
        "timetable, and the follow-up of what the boroughs found."
    )
    PAGES = (
        "Boroughs",
        "Inbox",
        "London",
        "Trust",
        "Conflicts",
        "Corporate timetable",
        "Follow-up",
    )
    ICONS = ("dashboard", "sync", "reports", "organisations", "actions", "timetable", "engagements")
    GEOMETRY = "central/geometry"
    TOOLBAR = ("central-work", "Central work")

    central_ready = Signal()  # the store is open and the pages are built
    open_failed = Signal(object)  # the exception that stopped the store opening

    boroughs: BoroughsPage
    inbox: InboxPage
    london: LondonPage
    timetable: CorporateTimetablePage
    trust: TrustPage
    conflicts: ConflictsPage
    followup: FollowUpPage

    def __init__(
        self,
        central: Central | None = None,
        settings: Settings | None = None,
        *,
        home: Path | None = None,
    ) -> None:
        super().__init__(
            f"Opening the central store in {home}…" if home else "Opening the central store…"
        )
        self.setWindowTitle("ccodesk — central unit")
        self.central: Central | None = None
        self.home = home
        self._settings = settings
        self._opening: BackgroundJob | None = None
        self._opened_late: Central | None = None
        self._london_prefetched = False  # London worked out behind the board, not yet shown
        self.setAcceptDrops(True)
        self._actions()
        self.restore_geometry()
        if central is not None:
            self.attach_central(central)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from ccodesk.settings import load_settings

            self._settings = load_settings()
        return self._settings

    def has_pages(self) -> bool:
        return self.central is not None

    # -- opening ---------------------------------------------------------------------------

    def open_in_background(
        self, url: str | None, passphrase: str | None = None, password: str | None = None
    ) -> None:
        """Open the central unit in `home` on the thread pool (the database's password, if
        any, from the keyring or a prompt); `central_ready` or `open_failed`."""
        if self.home is None:
            raise ValueError("no central unit's folder to open")
        home = self.home

        def work(_progress: object, _cancelled: object) -> Central:
            from ccodesk.store.central import with_password
            from ccodesk.sync.central import open_central

            prompt = None if passphrase is None else lambda _confirm: passphrase
            central = open_central(home, with_password(url, password) if url else None, prompt)
            self._opened_late = central  # closed by `close_store` if the window has gone
            for page in (
                "central_boroughs",
                "central_inbox",
                "central_london",
                "central_trust",
                "central_conflicts",
                "central_timetable",
                "central_followup",
            ):  # off the UI thread
                importlib.import_module(f"ccodesk.ui.{page}")

            return central

        job = BackgroundJob(work)
        job.signals.succeeded.connect(self._opened)
        job.signals.failed.connect(self._open_failed)
        self._opening = job
        job.start()

    def _opened(self, central: Central) -> None:
        self._opening = None
        self.attach_central(central)
        if central.encrypted is not None:  # a store made before ccodesk encrypted it: say so
            from PySide6.QtWidgets import QMessageBox

            self.encrypted_notice = QMessageBox(
                QMessageBox.Icon.Information,
                "ccodesk",
                central.encrypted.notice(),
                QMessageBox.StandardButton.Ok,
                self,
            )
            self.encrypted_notice.open()  # over the board, ready behind it; no nested loop

    def _open_failed(self, exc: BaseException) -> None:
        self._opening = None
        self.opening.set_text("The central store could not be opened.")
        self.open_failed.emit(exc)

    def attach_central(self, central: Central) -> None:
        """Build the pages on the open central store and show the boroughs board."""
        from ccodesk.ui.central_boroughs import BoroughsPage
        from ccodesk.ui.central_conflicts import ConflictsPage
        from ccodesk.ui.central_followup import FollowUpPage
        from ccodesk.ui.central_inbox import InboxPage
        from ccodesk.ui.central_london import LondonPage
        from ccodesk.ui.central_timetable import CorporateTimetablePage
        from ccodesk.ui.central_trust import TrustPage

        self.central = central
        self._opened_late = None
        self.setWindowTitle(f"ccodesk — {central.config.name}")
        self.boroughs = BoroughsPage(central, self.settings)
        self.inbox = InboxPage(central, self.settings)
        self.london = LondonPage(central, self.settings)
        self.trust = TrustPage(central)
        self.conflicts = ConflictsPage(central)
        self.timetable = CorporateTimetablePage(central)
        self.followup = FollowUpPage(central, self.settings)
        for page in (
            self.boroughs,
            self.inbox,
            self.london,
            self.trust,
            self.conflicts,
            self.timetable,
            self.followup,
        ):
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.boroughs)
        self.drop_opening_page()
        self.navigation.setCurrentRow(0)
        self.navigation.currentRowChanged.connect(self.show_page)
        self.boroughs.board_shown.connect(self.refresh_status)
        self.inbox.merged.connect(self._after_merge)
        self.trust.changed.connect(self._after_merge)
        self.trust.borough_wanted.connect(self.open_borough)
        self.conflicts.resolved.connect(self._after_merge)
        for action in self.store_actions:
            action.setEnabled(True)
        from ccodesk.ui.window_state import restore_splitters

        for page in (
            self.boroughs,
            self.inbox,
            self.london,
            self.trust,
            self.conflicts,
            self.timetable,
            self.followup,
        ):
            restore_splitters(page, type(page).__name__, self._window_state)
        self.navigation.setEnabled(True)
        self.set_status(f"{central.config.name} · {where(central)}")
        self.boroughs.refresh()
        # London's figures and the cells its small counts withhold take a second or two to
        # work out the first time for a year (then they are kept): begin in the background
        # once the board has been on screen a moment, so that London opens at once.
        self._prefetch = QTimer(self)
        self._prefetch.setSingleShot(True)
        self._prefetch.setInterval(PREFETCH_MS)
        self._prefetch.timeout.connect(self._prefetch_london)
        self._prefetch.start()
        self.central_ready.emit()

    def _prefetch_london(self) -> None:
        if self.central is not None and not getattr(self.london, "loaded", False):
            self._london_prefetched = True
            self.london.refresh()

    def close_store(self) -> None:
        """Wait for background work, then close the central store."""
        QThreadPool.globalInstance().waitForDone()
        for central in (self.central, self._opened_late):
            if central is not None:
                central.close()
        self.central = self._opened_late = None

    # -- commands --------------------------------------------------------------------------

    def _actions(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        go_menu = menus.addMenu("&Go")
        help_menu = menus.addMenu("&Help")
        self.add_action = self.command(
            "Add bundles…",
            (QKeySequence.StandardKey.Open,),
            self._add_bundles,
            file_menu,
            tool="Add bundles…",
        )
        file_menu.addSeparator()
        self.command("Quit", (QKeySequence.StandardKey.Quit, "Ctrl+Q"), self.close, file_menu)
        self.page_commands(go_menu)
        go_menu.addSeparator()
        self.command(
            "Refresh", (QKeySequence.StandardKey.Refresh, "F5"), self.refresh_current, go_menu
        )
        self.command("About ccodesk", (), self.about, help_menu)
        self.store_actions = [self.add_action]
        for action in self.store_actions:
            action.setEnabled(False)  # until the store is open

    def _add_bundles(self) -> None:
        if self.central is None:
            return
        self.go_to(self.PAGES.index("Inbox"))
        self.inbox.pick_bundles()

    def show_page(self, row: int) -> None:
        before = self.london.generation if self.central is not None else 0
        self.stack.setCurrentIndex(row)  # a page not loaded yet begins reading as it is shown
        if self.central is not None and self.stack.currentWidget() is self.london:
            if self._london_prefetched:
                # worked out behind the board: shown as it is (or as soon as it is done)
                self._london_prefetched = False
                if not self.london.working:
                    QTimer.singleShot(0, self.london.shown.emit)
                return
            if self.london.generation != before:
                return  # it began working itself out just now, as it was shown
        self.refresh_current()

    def refresh_current(self) -> None:
        if self.central is None:
            return
        page = self.stack.currentWidget()
        if page is self.boroughs:
            self.boroughs.refresh()
        elif page is self.london:
            self.london.refresh()
        elif page is self.trust:
            self.trust.refresh()
        elif page is self.conflicts:
            self.conflicts.refresh()
        elif page is self.timetable:
            self.timetable.refresh()
        elif page is self.followup:
            self.followup.refresh()

    def open_borough(self, code: str) -> None:
        """The boroughs board, with the borough's devices and bundles open."""
        from ccodesk.ui.central_boroughs import BoardModel

        self.go_to(self.PAGES.index("Boroughs"))
        proxy = self.boroughs.proxy
        for row in range(proxy.rowCount()):
            index = proxy.index(row, BoardModel.BOROUGH)
            if proxy.data(index, BoardModel.OBJECT_ROLE).code == code:
                self.boroughs.open_borough(index)
                return

    def _after_merge(self) -> None:
        """A merge, a device trusted or revoked, a conflict decided: the board reads again
        (devices and open conflicts are on it), and so does the page in view."""
        self.boroughs.refresh()
        self.london.loaded = False  # the figures are read again when the page is next shown
        self._london_prefetched = False
        if self.stack.currentWidget() is self.conflicts:
            self.conflicts.refresh()

    def refresh_status(self) -> None:
        """Which store and where, and what the board found."""
        central = self.central
        if central is None:
            return
        self.set_status(f"{central.config.name} · {where(central)} · {self.boroughs.summary()}")

    # -- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.central is not None and _bundle_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.central is not None and _bundle_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Dropped files go to the inbox, which merges them in the background."""
        paths = _bundle_paths(event)
        if self.central is None or not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.go_to(self.PAGES.index("Inbox"))
        self.inbox.add_bundles(paths)
