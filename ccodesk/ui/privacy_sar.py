"""Subject access (issue 15): find what is held about a person, answer with a PDF and a JSON,
and keep the log of requests (received, due a calendar month later, answered).

`SubjectAccessPanel` is the "Subject access" tab of the Data protection page. The officer
types the name (and the e-mail and phone the person gave), the day the request came, and
presses Enter or Search: what is held appears grouped by kind, each with why it is held, and
each item opens to its fields. "Log request" logs a request received today (or on the date
given) to answer later; "Export PDF and JSON…" asks for a folder, writes NAME-sar.pdf and
NAME-sar.json there and marks the person's open request answered (or logs and answers a new
one). The search and the export run off the UI thread.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services.person_match import SearchTerms
from ccodesk.services.subject_access import PersonFound
from ccodesk.services.subject_access_log import RequestRow
from ccodesk.store import Store
from ccodesk.ui.background import BackgroundJob
from ccodesk.ui.date_edits import DateEdit
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.qtdates import pydate, qdate

LOG_COLUMNS = ("Received", "Due", "Answered", "Asked by", "Items", "State")


class SubjectAccessPanel(LoadOnShow):
    """The request form, what was found (grouped, with why), the export, the request log.

    The log is read when the panel is first shown (`LoadOnShow`), not when it is built."""

    searched = Signal()  # what was found is on screen
    exported = Signal(object)  # an `Answer`: the request answered and its two files
    log_shown = Signal()  # the request log was read again

    def __init__(
        self, store: Store, today: dt.date | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._today = today
        self.found: PersonFound | None = None
        self.requests: list[RequestRow] = []
        self._jobs: list[BackgroundJob] = []  # the pool does not own them (autoDelete is off)
        self._generation = 0

        self.name = QLineEdit()
        self.name.setPlaceholderText("as the person gave it")
        self.email = QLineEdit()
        self.phone = QLineEdit()
        self.received = DateEdit(qdate(self.today))
        self.received.setCalendarPopup(True)
        self.received.setMaximumDate(qdate(self.today))
        self.received.setDisplayFormat("dd MMM yyyy")
        form = QGridLayout()
        for row, col, text, field in (
            (0, 0, "&Name:", self.name),
            (0, 2, "&E-mail:", self.email),
            (1, 0, "&Phone:", self.phone),
            (1, 2, "&Received on:", self.received),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addWidget(label, row, col)
            form.addWidget(field, row, col + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        for edit in (self.name, self.email, self.phone):
            edit.returnPressed.connect(self.search)

        self.search_button = QPushButton("&Search")
        self.search_button.clicked.connect(self.search)
        self.log_button = QPushButton("&Log request")
        self.log_button.setToolTip("Log the request as received, to answer it later")
        self.log_button.clicked.connect(self.log_request)
        self.export_button = QPushButton("E&xport PDF and JSON…")
        self.export_button.setToolTip(
            "Write the answer (a PDF and a JSON file) into a folder and mark the request answered"
        )
        self.export_button.clicked.connect(lambda: self.export())
        buttons = QHBoxLayout()
        for button in (self.search_button, self.log_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.status = QLabel("Type the person's name, e-mail or phone, then press Enter.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.results = QTreeWidget()
        self.results.setAccessibleName("What is held")
        self.results.setHeaderLabels(["What is held", "Why it is held"])
        self.results.setWordWrap(True)
        self.results.setUniformRowHeights(False)
        self.results.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.results.header().setStretchLastSection(True)
        self.results.setColumnWidth(0, 320)

        self.log = QTableWidget(0, len(LOG_COLUMNS))
        self.log.setAccessibleName("Subject access requests")
        self.log.setHorizontalHeaderLabels(list(LOG_COLUMNS))
        self.log.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.log.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.log.verticalHeader().hide()
        self.log.horizontalHeader().setStretchLastSection(True)
        self.log.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.log.itemActivated.connect(lambda item: self.open_request(item.row()))
        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_title = QLabel("&Requests logged (double-click one to fill in the form):")
        log_title.setBuddy(self.log)
        log_layout.addWidget(log_title)
        log_layout.addWidget(self.log)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.results)
        split.addWidget(log_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 120])
        split.setChildrenCollapsible(False)
        self.results.setMinimumHeight(120)
        self.log.setMinimumHeight(90)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def refresh(self) -> None:
        """Read the request log (the first time the panel is shown)."""
        self.refresh_log()

    def terms(self) -> SearchTerms:
        return SearchTerms(self.name.text(), self.email.text(), self.phone.text())

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def _run(self, work: Any, done: Any, busy: str) -> BackgroundJob:
        job = BackgroundJob(work)
        job.signals.succeeded.connect(done)
        job.on_failure(self._failed)
        job.signals.succeeded.connect(lambda _r: self._busy(False))
        job.signals.failed.connect(lambda _e: self._busy(False))
        self._jobs = [j for j in self._jobs if not j.done] + [job]
        self._busy(True)
        self._say(busy)
        job.start()
        return job

    def _busy(self, busy: bool) -> None:
        for button in (self.search_button, self.log_button, self.export_button):
            button.setEnabled(not busy)

    def _failed(self, exc: KnownError) -> None:
        self._say(str(exc))

    # -- the search -------------------------------------------------------------------------

    def search(self) -> BackgroundJob | None:
        """Find what is held about the person the form names (in the background)."""
        try:
            terms = self.terms().checked()
        except KnownError as exc:
            self._say(str(exc))
            return None
        self._generation += 1
        generation, store = self._generation, self.store

        def work(_progress: object, _cancelled: object) -> tuple[int, PersonFound]:
            from ccodesk.services.subject_access import find_person

            with store.session() as session:
                return generation, find_person(session, terms.name, terms.email, terms.phone)

        return self._run(work, self._arrived, "Searching…")

    def _arrived(self, result: tuple[int, PersonFound]) -> None:
        generation, found = result
        if generation != self._generation:  # an older search finishing late is not shown
            return
        self.show_found(found)

    def show_found(self, found: PersonFound) -> None:
        from ccodesk.words import plural

        self.found = found
        self.results.clear()
        for category in found.categories:
            top = QTreeWidgetItem([f"{category.label} ({category.count:,})", category.why])
            top.setToolTip(1, category.why)
            for held in (i for i in found.items if i.category == category.key):
                item = QTreeWidgetItem([held.title, held.why])
                item.setToolTip(0, held.title)
                item.setToolTip(1, held.why)
                for label, value in held.fields:
                    if value:
                        item.addChild(QTreeWidgetItem([label, value]))
                top.addChild(item)
            self.results.addTopLevelItem(top)
            top.setExpanded(True)
        who = found.terms.name or found.terms.email or found.terms.phone
        if found.items:
            kinds = plural(len(found.categories), "kind")
            self._say(
                f"Found {plural(len(found.items), 'item')} of {kinds} about {who}. Read them "
                "before exporting: free text naming someone else is given as written."
            )
        else:
            self._say(f"Nothing held names or matches {who}.")
        self.searched.emit()

    # -- the log ----------------------------------------------------------------------------

    def log_request(self) -> RequestRow | None:
        """Log the request the form describes as received (open, due a month later)."""
        from ccodesk.services.subject_access_log import log_request

        try:
            with self.store.transaction() as session:
                row = log_request(
                    session,
                    self.terms(),
                    pydate(self.received.date()),
                    officer=self.store.officer_name,
                )
        except KnownError as exc:
            self._say(str(exc))
            return None
        self._say(
            f"Logged the request from {row.requester}: received {row.received_on:%d %b %Y}, "
            f"answer due by {row.due_on:%d %b %Y}."
        )
        self.refresh_log()
        return row

    def refresh_log(self) -> None:
        """Read the request log again (a few rows: on the UI thread)."""
        from ccodesk.services.subject_access_log import list_requests

        self.loaded = True
        with self.store.session() as session:
            self.requests = list_requests(session)
        self.log.setRowCount(len(self.requests))
        for row, r in enumerate(self.requests):
            values = (
                f"{r.received_on:%d %b %Y}",
                f"{r.due_on:%d %b %Y}",
                f"{r.answered_on:%d %b %Y}" if r.answered_on else "—",
                r.requester,
                "" if r.items_found is None else f"{r.items_found:,}",
                r.state(self.today),
            )
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if col == 4:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.log.setItem(row, col, cell)
        self.log.resizeColumnsToContents()
        self.log_shown.emit()

    def open_request(self, row: int) -> None:
        """Fill the form with a logged request's terms and search for them."""
        if not 0 <= row < len(self.requests):
            return
        r = self.requests[row]
        name, email, phone = ([*r.terms, "", "", ""])[:3]
        self.name.setText(name or r.requester)
        self.email.setText(email)
        self.phone.setText(phone)
        self.received.setDate(qdate(r.received_on))
        self.search()

    def select_request(self, request_id: int) -> None:
        """Show a logged request (the dashboard's line opens it): select it, fill the form."""
        self.refresh_log()
        for row, r in enumerate(self.requests):
            if r.id == request_id:
                self.log.selectRow(row)
                self.open_request(row)
                return

    # -- the export -------------------------------------------------------------------------

    def export(self, folder: Path | None = None) -> BackgroundJob | None:
        """Answer the request: a PDF and a JSON written into a folder (asked for when not
        given), the log marked answered. Files already there are replaced only if the
        officer agrees."""
        from ccodesk.services.subject_access_answer import answer_paths

        try:
            terms = self.terms().checked()
        except KnownError as exc:
            self._say(str(exc))
            return None
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                self, "Folder for the answer (a PDF and a JSON file)", start_path()
            )
            if not chosen:
                return None
            remember(str(Path(chosen) / "answer"))
            folder = Path(chosen)
        requester = terms.name or terms.email or terms.phone
        there = [p.name for p in answer_paths(folder, requester) if p.exists()]
        overwrite = False
        if there:
            asked = QMessageBox.question(
                self,
                "Subject access",
                f"{' and '.join(there)} already in {folder}. Replace them?",
            )
            if asked != QMessageBox.StandardButton.Yes:
                return None
            overwrite = True
        store, target = self.store, folder
        # received today (the form's default): the person's open request if there is one
        received = pydate(self.received.date())
        received_on = None if received == self.today else received
        officer = store.officer_name

        def work(_progress: object, _cancelled: object) -> Any:
            from ccodesk.services.subject_access_answer import answer_request, borough_holder

            with store.transaction() as session:
                return answer_request(
                    session,
                    terms,
                    target,
                    received_on=received_on,
                    held_by=borough_holder(session, store.borough_code),
                    officer=officer,
                    overwrite=overwrite,
                )

        return self._run(work, self._answered, "Writing the answer…")

    def _answered(self, answer: Any) -> None:
        from ccodesk.words import plural

        items = plural(len(answer.report.items), "item")
        self._say(
            f"Answered request {answer.request.id} from {answer.request.requester}: wrote "
            f"{answer.pdf.name} and {answer.json.name} ({items}) in {answer.pdf.parent}."
        )
        self.refresh_log()
        self.exported.emit(answer)
