"""Quick-time consultation in the desktop: the list in progress, the wizard, the printed record.

`QuickTimeDialog` lists the consultations in progress with their countdown; New… and
Continue… open `QuickTimeWizard` (the five stages and the review; its pages are in
`ccodesk.ui.quicktime_pages` and `ccodesk.ui.quicktime_plan`); Print record… builds the
one-page record (`ccodesk.services.quicktime_record`) and prints it or saves it as PDF with the
printing module's helpers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from ccodesk.errors import KnownError
from ccodesk.models import QuickTimeStatus
from ccodesk.printing.files import safe_name
from ccodesk.services import quicktime as qt
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.printing import ask_and_print_pdf, ask_and_save_pdf, print_and_save_buttons
from ccodesk.ui.quicktime_pages import (
    AssessmentPage,
    CausalEventPage,
    ScanningPage,
    StrategyPage,
)
from ccodesk.ui.quicktime_plan import PlanPage, ReviewPage
from ccodesk.ui.quicktime_stage import StagePage, WizardState

log = logging.getLogger("ccodesk.ui")
MINUTE_MS = 60_000
# Page ids: the stage numbers, and 6 for the review after the event.
CAUSAL_EVENT, SCANNING, ASSESSMENT, STRATEGY, PLAN, REVIEW = range(1, 7)
RECENTLY_REVIEWED = 20
ID_ROLE = Qt.ItemDataRole.UserRole


class QuickTimeWizard(QWizard):
    """A new quick-time consultation, or one to continue: five stages, then the review."""

    saved = Signal(str)  # the consultation's id, after a page saved what it decided

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        consultation_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        deadline = dt.datetime.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
        title = "new"
        stage, event_at = 0, None
        if consultation_id is not None:
            with store.session() as s:
                c = qt.get(s, consultation_id)
                consultation_id, deadline, title = c.id, c.deadline, c.title
                stage, event_at = c.stage, c.event_at
        self.state = WizardState(store, settings or Settings(), consultation_id, deadline)
        self.setWindowTitle(f"Quick-time consultation — {title}")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.HaveCustomButton1)
        # No mnemonics: the pages' fields use the letters; Ctrl+P prints, Esc closes.
        self.setButtonText(QWizard.WizardButton.CustomButton1, "Print record…")
        self.button(QWizard.WizardButton.CustomButton1).setShortcut(QKeySequence.StandardKey.Print)
        self.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.customButtonClicked.connect(lambda _which: self.open_print())
        self.causal_event = CausalEventPage(self.state)
        self.scanning = ScanningPage(self.state)
        self.assessment = AssessmentPage(self.state)
        self.strategy = StrategyPage(self.state)
        self.plan = PlanPage(self.state)
        self.review = ReviewPage(self.state)
        for page_id, page in zip(
            range(CAUSAL_EVENT, REVIEW + 1),
            (
                self.causal_event,
                self.scanning,
                self.assessment,
                self.strategy,
                self.plan,
                self.review,
            ),
            strict=True,
        ):
            self.setPage(page_id, page)
            page.saved.connect(self._page_saved)
        self.causal_event.deadline_changed.connect(self.refresh_countdown)
        self.currentIdChanged.connect(lambda _id: self._update_buttons())
        self.timer = QTimer(self)
        self.timer.setInterval(MINUTE_MS)
        self.timer.timeout.connect(self.refresh_countdown)
        self.timer.start()
        self.resize(900, 720)
        self.restart()
        if consultation_id is not None:
            self.go_to(self.resume_page(stage, event_at))
        self._update_buttons()

    @staticmethod
    def resume_page(stage: int, event_at: dt.datetime | None) -> int:
        """Where to continue: the stage after the last one saved; the review once held."""
        if stage >= 5 and event_at is not None and event_at <= dt.datetime.now():
            return REVIEW
        return {1: SCANNING, 2: SCANNING, 3: STRATEGY, 4: PLAN}.get(stage, PLAN)

    def go_to(self, page_id: int) -> None:
        """Move forward to `page_id` without saving the pages passed (they show the store)."""
        self.state.fast_forward = True
        try:
            while self.currentId() < page_id:
                before = self.currentId()
                self.next()
                if self.currentId() == before:
                    break
        finally:
            self.state.fast_forward = False

    def stage_pages(self) -> list[StagePage]:
        return [
            self.causal_event,
            self.scanning,
            self.assessment,
            self.strategy,
            self.plan,
            self.review,
        ]

    def refresh_countdown(self) -> None:
        """The countdown under every page's heading (every minute, and as the deadline moves)."""
        for page in self.stage_pages():
            page.show_countdown()

    def _page_saved(self) -> None:
        consultation_id = self.state.consultation_id
        if consultation_id is None:
            return
        self.setWindowTitle(
            f"Quick-time consultation — {self.causal_event.what.text().strip() or 'new'}"
        )
        self.refresh_countdown()
        self._update_buttons()
        self.saved.emit(consultation_id)

    def reject(self) -> None:
        """Close (Close, Esc, the window's close box): edited stages are saved or discarded
        as the officer says first, never lost unasked."""
        if all(self.close_stage(page) for page in self.stage_pages() if page.is_dirty()):
            super().reject()

    def close_stage(self, page: StagePage) -> bool:
        """Save or discard the edits of `page`; False to stay open."""
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"“{page.title()}” has changes that are not saved. Save them before closing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Discard:
            return True
        if answer != QMessageBox.StandardButton.Save:
            return False
        if page.save_page():
            return True
        QMessageBox.warning(self, "Not saved", f"“{page.title()}”: {page.problems.text()}")
        return False

    def _update_buttons(self) -> None:
        self.button(QWizard.WizardButton.CustomButton1).setEnabled(
            self.state.consultation_id is not None
        )

    def open_print(self) -> RecordPrintDialog | None:
        if self.state.consultation_id is None:
            return None
        dialog = RecordPrintDialog(self.store, self.state.consultation_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class RecordPrintDialog(QDialog):
    """Print the one-page record of a consultation, or save it as PDF."""

    saved_to = Signal(str)
    printed = Signal(int)

    def __init__(self, store: Store, consultation_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.consultation_id = consultation_id
        with store.session() as s:
            c = qt.get(s, consultation_id)
            self.title, when = c.title, c.event_at
        self.file_name = f"quick-time-{when:%Y-%m-%d}-{safe_name(self.title)}.pdf"
        self.setWindowTitle("Print the quick-time record")
        about = QLabel(f"The one-page record of “{self.title}”.")
        about.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        buttons, self.print_button, self.save_button = print_and_save_buttons(self)
        self.print_button.clicked.connect(lambda: self._build(self._print))
        self.save_button.clicked.connect(lambda: self._build(self._save))
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.job: BackgroundJob | None = None

    def _build(self, then: Callable[[bytes], None]) -> BackgroundJob:
        from ccodesk.services.quicktime_record import quicktime_pdf

        store, consultation_id = self.store, self.consultation_id

        def work(_progress: object, _cancelled: object) -> bytes:
            with store.session() as s:
                return quicktime_pdf(s, consultation_id)

        self.message.setText("Preparing the record…")
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        job = BackgroundJob(work)
        job.signals.succeeded.connect(then)
        job.signals.failed.connect(lambda _error: self._ready())
        job.on_failure(lambda error: self.message.setText(str(error)))
        job.signals.succeeded.connect(lambda _r: self._ready())
        self.job = job
        job.start()
        return job

    def _ready(self) -> None:
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)

    def _save(self, data: bytes) -> None:
        self.message.clear()
        try:
            written = ask_and_save_pdf(self, data, self.file_name)
        except KnownError as exc:
            self.message.setText(str(exc))
            return
        if written is None:
            return
        self.message.setText(f"Saved {written.name}.")
        self.saved_to.emit(str(written))

    def _print(self, data: bytes) -> None:
        self.message.clear()
        try:
            pages = ask_and_print_pdf(self, data, self.file_name)
        except KnownError as exc:
            self.message.setText(str(exc))
            return
        if pages is None:
            return
        self.message.setText(f"Sent {pages} page{'s' if pages != 1 else ''} to the printer.")
        self.printed.emit(pages)


class QuickTimeDialog(QDialog):
    """The quick-time consultations in progress, nearest deadline first, with New and Continue.

    Enter or a double-click on a line continues that consultation; a right-click offers
    Continue… and Print record….
    """

    COLUMNS = ("Consultation", "Stage reached", "Responses needed by", "Countdown")

    def __init__(
        self, store: Store, settings: Settings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings or Settings()
        self.setWindowTitle("Quick-time consultations")
        intro = QLabel(
            "When a short-notice, high-impact operation is coming, consult within a couple of "
            "days: causal event, scanning, assessment, strategy, plan — then the review."
        )
        intro.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(list(self.COLUMNS))
        self.table.setRootIsDecorated(False)
        self.table.setAccessibleName("Quick-time consultations")
        self.table.setColumnWidth(0, 320)
        self.table.setColumnWidth(1, 180)
        self.table.setColumnWidth(2, 170)
        self.include_reviewed = QCheckBox("Show recently &reviewed ones too")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.new_button = QPushButton("&New…")
        self.new_button.setShortcut(QKeySequence.StandardKey.New)
        self.continue_button = QPushButton("&Continue…")
        self.print_button = QPushButton("&Print record…")
        for button in (self.new_button, self.continue_button, self.print_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.new_button.clicked.connect(lambda: self.new_consultation())
        self.continue_button.clicked.connect(lambda: self.continue_selected())
        self.print_button.clicked.connect(lambda: self.print_selected())
        # a double-click (Enter is caught first: the dialog would also press its default button)
        self.table.itemActivated.connect(lambda _item, _col: self.continue_selected())
        self.table.installEventFilter(self)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_menu)
        self.table.currentItemChanged.connect(lambda _new, _old: self._update_buttons())
        self.include_reviewed.toggled.connect(lambda _on: self.refresh())
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.include_reviewed)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(MINUTE_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.resize(900, 420)
        self.refresh()

    def refresh(self) -> None:
        """Reread the list (and so the countdowns), keeping the selection."""
        selected = self.selected_id()
        with self.store.session() as s:
            rows = qt.list_open(s)
            if self.include_reviewed.isChecked():
                rows += qt.recently_reviewed(s, RECENTLY_REVIEWED)
            lines = [
                (
                    c.id,
                    c.title,
                    f"{c.stage} of 5: {qt.STAGES[c.stage - 1]}"
                    + ("" if c.status == QuickTimeStatus.OPEN else f" ({c.status.label.lower()})"),
                    f"{c.deadline:%a %d %b %H:%M}",
                    "reviewed"
                    if c.status == QuickTimeStatus.REVIEWED
                    else qt.countdown(c.deadline),
                )
                for c in rows
            ]
        self.table.clear()
        for consultation_id, *texts in lines:
            item = QTreeWidgetItem(texts)
            item.setData(0, ID_ROLE, consultation_id)
            item.setToolTip(0, texts[0])  # a long title, whole
            self.table.addTopLevelItem(item)
            if consultation_id == selected:
                self.table.setCurrentItem(item)
        first = self.table.topLevelItem(0)
        if self.table.currentItem() is None and first is not None:
            self.table.setCurrentItem(first)
        self._update_buttons()

    def selected_id(self) -> str | None:
        item = self.table.currentItem()
        return None if item is None else str(item.data(0, ID_ROLE))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or Return on the list continues the current consultation, and only that."""
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.selected_id() is not None
        ):
            self.continue_selected()
            return True
        return super().eventFilter(watched, event)

    def context_menu(self) -> QMenu:
        """What can be done with the consultation on the current line."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        go_on = menu.addAction("&Continue…")
        go_on.triggered.connect(lambda: self.continue_selected())
        menu.setDefaultAction(go_on)
        printing = menu.addAction("&Print record…")
        printing.triggered.connect(lambda: self.print_selected())
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        item = self.table.itemAt(pos)
        if item is not None:
            self.table.setCurrentItem(item)
        elif (item := self.table.currentItem()) is not None:
            pos = self.table.visualItemRect(item).center()  # the keyboard's menu key
        if item is not None:
            self.context_menu().popup(self.table.viewport().mapToGlobal(pos))

    def _update_buttons(self) -> None:
        chosen = self.selected_id() is not None
        self.continue_button.setEnabled(chosen)
        self.print_button.setEnabled(chosen)

    def _open(self, wizard: QuickTimeWizard) -> QuickTimeWizard:
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.saved.connect(lambda _id: self.refresh())
        wizard.finished.connect(lambda _result: self.refresh())
        wizard.open()
        return wizard

    def new_consultation(self) -> QuickTimeWizard:
        return self._open(QuickTimeWizard(self.store, self.settings, parent=self))

    def continue_selected(self) -> QuickTimeWizard | None:
        consultation_id = self.selected_id()
        if consultation_id is None:
            return None
        return self._open(QuickTimeWizard(self.store, self.settings, consultation_id, self))

    def print_selected(self) -> RecordPrintDialog | None:
        consultation_id = self.selected_id()
        if consultation_id is None:
            return None
        dialog = RecordPrintDialog(self.store, consultation_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
