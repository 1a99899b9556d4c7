"""Organisations & contacts: the directory, who serves whom, sensitivities, consent, fatigue."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ccodesk.models import OrganisationType
from ccodesk.services.directory import (
    OrganisationFilter,
    OrganisationRow,
    count_organisations,
    get_organisation,
    organisation_rows,
)
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.directory_editors import ContactEditor, OrganisationEditor
from ccodesk.ui.engagements_page import search_text
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.paged_model import Column, PagedTableModel


class OrganisationModel(PagedTableModel[OrganisationRow]):
    def __init__(self, store: Store, settings: Settings, today: dt.date | None = None) -> None:
        self.store, self.settings = store, settings
        self.criteria = OrganisationFilter()
        self.today = today or dt.date.today()
        columns: list[Column[OrganisationRow]] = [
            Column("Name", lambda r: r.name),
            Column("Type", lambda r: r.org_type.label),
            Column("Serves", lambda r: ", ".join(r.groups)),
            Column("Sensitive topics", lambda r: str(r.sensitivities or ""), align_right=True),
            Column("Contacts", lambda r: str(r.contacts or ""), align_right=True),
            Column("Consulted", self._consulted, lambda r: r.consulted, align_right=True),
        ]
        super().__init__(columns, self._page, self._count)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        header = super().headerData(section, orientation, role)
        if header == "Consulted":
            return f"Consulted ({self.settings.fatigue_window_days} days)"
        return header

    def _consulted(self, row: OrganisationRow) -> str:
        if not row.consulted:
            return ""
        tired = " ⚠" if row.consulted >= self.settings.fatigue_threshold else ""
        return f"{row.consulted}{tired}"

    def _page(self, offset: int, limit: int) -> list[OrganisationRow]:
        until = dt.datetime.combine(self.today + dt.timedelta(days=1), dt.time())
        since = until - dt.timedelta(days=self.settings.fatigue_window_days)
        with self.store.session() as s:
            return organisation_rows(
                s, self.criteria, since=since, until=until, offset=offset, limit=limit
            )

    def _count(self) -> int:
        with self.store.session() as s:
            return count_organisations(s, self.criteria)


class OrganisationsPage(LoadOnShow):
    def __init__(self, store: Store, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = OrganisationModel(store, settings)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search organisations and contacts…")
        self.search.setAccessibleName("Search organisations")
        self.search.setClearButtonEnabled(True)
        self.org_type = QComboBox()
        self.org_type.setAccessibleName("Organisation type")
        self.org_type.addItem("All types", None)
        for t in OrganisationType:
            self.org_type.addItem(t.label, t.value)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Organisations")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 150), (2, 220), (3, 100), (4, 70), (5, 130)):
            self.table.setColumnWidth(column, width)
        self.details = QTextBrowser()
        self.details.setAccessibleName("Organisation details")
        self.summary = QLabel()
        self.new_button = QPushButton("&New organisation…")
        self.edit_button = QPushButton("&Edit…")
        self.contact_button = QPushButton("Add &contact…")
        self.new_button.clicked.connect(lambda: self.edit_organisation(None))
        self.edit_button.clicked.connect(self._edit_selected)
        self.contact_button.clicked.connect(self._add_contact)
        self.table.doubleClicked.connect(lambda _index: self._edit_selected())
        top = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.contact_button):
            top.addWidget(button)
        top.addWidget(self.search, 3)
        top.addWidget(self.org_type)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setSizes([700, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._debounce.start)
        self.org_type.currentIndexChanged.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self._selected)

    def refresh(self) -> None:
        self.loaded = True
        kind = self.org_type.currentData()
        self.model.criteria = OrganisationFilter(
            text=search_text(self.search.text()), org_type=OrganisationType(kind) if kind else None
        )
        self.model.reload()
        self.summary.setText(f"{self.model.total:,} organisations")
        self.details.clear()

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()).id if rows else None

    def edit_organisation(self, organisation_id: str | None) -> OrganisationEditor:
        editor = OrganisationEditor(self.store, organisation_id, parent=self)
        editor.saved.connect(self._saved)
        editor.open()
        return editor

    def add_contact(self, organisation_id: str | None) -> ContactEditor:
        editor = ContactEditor(self.store, organisation_id=organisation_id, parent=self)
        if organisation_id is not None:
            editor.saved.connect(lambda _id: self.show_details(organisation_id))
        editor.open()
        return editor

    def _edit_selected(self) -> None:
        if (organisation_id := self.selected_id()) is not None:
            self.edit_organisation(organisation_id)

    def _add_contact(self) -> None:
        self.add_contact(self.selected_id())

    def _saved(self, organisation_id: str) -> None:
        self.refresh()
        self.show_details(organisation_id)

    def _selected(self, selected: QItemSelection, _old: QItemSelection) -> None:
        if not selected.indexes():
            return
        self.show_details(self.model.row_object(selected.indexes()[0].row()).id)

    def show_details(self, organisation_id: str) -> None:
        today = dt.date.today()
        with self.store.session() as s:
            org = get_organisation(s, organisation_id)
            parts = [
                f"<h3>{html.escape(org.name)}</h3>",
                f"<p>{html.escape(org.org_type.label)}</p>",
            ]
            for label, value in (
                ("Address", f"{org.address} {org.postcode}".strip()),
                ("Phone", org.phone),
                ("E-mail", org.email),
            ):
                if value:
                    parts.append(f"<p><b>{label}:</b> {html.escape(value)}</p>")
            served = ", ".join(g.name for g in org.groups_served) or "not recorded"
            parts.append(f"<p><b>Serves:</b> {html.escape(served)}</p>")
            live = [x for x in org.sensitivities if not x.deleted]
            if live:
                parts.append(
                    "<p><b>Sensitivities:</b></p><ul>"
                    + "".join(
                        f"<li>{html.escape(x.level.label)}: {html.escape(x.topic.name)}"
                        + (f" — {html.escape(x.note)}" if x.note else "")
                        + "</li>"
                        for x in live
                    )
                    + "</ul>"
                )
            people = [c for c in org.contacts if not c.deleted]
            if people:
                items = []
                for c in people:
                    consent = "consent valid" if c.consent_valid_on(today) else "no valid consent"
                    items.append(
                        f"<li>{html.escape(c.name)}"
                        + (f", {html.escape(c.role)}" if c.role else "")
                        + f" ({consent}{', shared' if c.shareable else ''})</li>"
                    )
                parts.append("<p><b>Contacts:</b></p><ul>" + "".join(items) + "</ul>")
        self.details.setHtml("".join(parts))
