"""Organisations & contacts: the directory, who serves whom, sensitivities, consent, fatigue.

The list sorts by its headers in SQL; Enter or a double-click opens an organisation's editor,
a right-click offers Edit…, Add contact… and Copy name; a contact's name in the details opens
the contact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ccodesk.models import OrganisationType
from ccodesk.services.directory import (
    ContactLine,
    OrganisationFilter,
    OrganisationOrder,
    OrganisationRow,
    contact_lines,
    count_organisations,
    get_organisation,
    organisation_rows,
)
from ccodesk.settings import Settings
from ccodesk.store import Store
from ccodesk.ui.directory_editors import ContactEditor, OrganisationEditor
from ccodesk.ui.engagements_page import compact_combo, search_text
from ccodesk.ui.lazy import LoadOnShow
from ccodesk.ui.paged_model import Column, PagedTableModel, sortable_header

CONTACT_LINK = "contact"  # the scheme of a contact's link in the details


class OrganisationModel(PagedTableModel[OrganisationRow]):
    """The directory, filtered and sorted in SQL, one page at a time."""

    def __init__(self, store: Store, settings: Settings, today: dt.date | None = None) -> None:
        self.store, self.settings = store, settings
        self.criteria = OrganisationFilter()
        self.today = today or dt.date.today()
        columns: list[Column[OrganisationRow]] = [
            Column("Name", lambda r: r.name, order=OrganisationOrder.NAME),
            Column("Type", lambda r: r.org_type.label, order=OrganisationOrder.TYPE),
            Column("Serves", lambda r: ", ".join(r.groups)),
            Column(
                "Sensitive topics",
                lambda r: str(r.sensitivities or ""),
                align_right=True,
                order=OrganisationOrder.SENSITIVITIES,
                tooltip=False,
            ),
            Column(
                "Contacts",
                lambda r: str(r.contacts or ""),
                align_right=True,
                order=OrganisationOrder.CONTACTS,
                tooltip=False,
            ),
            Column(
                "Consulted",
                self._consulted,
                align_right=True,
                order=OrganisationOrder.CONSULTED,
                tooltip=False,
            ),
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
        criteria = dataclasses.replace(
            self.criteria,
            order=OrganisationOrder(self.order_key or OrganisationOrder.NAME),
            descending=self.descending,
        )
        with self.store.session() as s:
            return organisation_rows(
                s, criteria, since=since, until=until, offset=offset, limit=limit
            )

    def _count(self) -> int:
        with self.store.session() as s:
            return count_organisations(s, self.criteria)


class OrganisationsPage(LoadOnShow):
    """Search and type above the directory; the selected organisation's details beside it."""

    def __init__(self, store: Store, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.model = OrganisationModel(store, settings)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search organisations and contacts…")
        self.search.setAccessibleName("Search organisations")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self.org_type = QComboBox()
        self.org_type.setAccessibleName("Organisation type")
        self.org_type.addItem("All types", None)
        for t in OrganisationType:
            self.org_type.addItem(t.label, t.value)
        compact_combo(self.org_type, 14)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # arrows move between rows; Tab leaves the list
        self.table.setModel(self.model)
        self.table.setAccessibleName("Organisations")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # the name keeps its width on a small screen; the groups served (in full in the
        # tooltip) take what is left
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        for column, width in ((0, 230), (1, 130), (2, 160), (3, 110), (4, 75), (5, 130)):
            self.table.setColumnWidth(column, width)
        sortable_header(self.table, self.model)
        # `activated` is Enter and Return on the current row, and the platform's double-click
        self.table.activated.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_menu)
        self.details = QTextBrowser()
        self.details.setAccessibleName("Organisation details")
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._link_clicked)
        self.details.setMinimumWidth(200)
        self.summary = QLabel()
        self.new_button = QPushButton("&New organisation…")
        self.edit_button = QPushButton("&Edit…")
        self.contact_button = QPushButton("Add &contact…")
        self.new_button.clicked.connect(lambda: self.edit_organisation(None))
        self.edit_button.clicked.connect(self._edit_selected)
        self.contact_button.clicked.connect(self._add_contact)
        top = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.contact_button):
            top.addWidget(button)
        top.addWidget(self.search, 1)
        top.addWidget(self.org_type)
        self.split = QSplitter()
        self.split.setObjectName("organisations-split")
        self.split.addWidget(self.table)
        self.split.addWidget(self.details)
        self.split.setChildrenCollapsible(False)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([700, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.split, 1)
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
        self._debounce.stop()
        kind = self.org_type.currentData()
        self.model.criteria = OrganisationFilter(
            text=search_text(self.search.text()), org_type=OrganisationType(kind) if kind else None
        )
        self.model.reload()
        total = self.model.total
        self.summary.setText(f"{total:,} organisation{'s' if total != 1 else ''}")
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

    def edit_contact(self, contact_id: str) -> ContactEditor:
        editor = ContactEditor(self.store, contact_id, parent=self)
        organisation_id = editor.organisation_id
        if organisation_id is not None:
            editor.saved.connect(lambda _id: self.show_details(organisation_id))
        editor.open()
        return editor

    def _edit_selected(self) -> None:
        if (organisation_id := self.selected_id()) is not None:
            self.edit_organisation(organisation_id)

    def _add_contact(self) -> None:
        self.add_contact(self.selected_id())

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_organisation(self.model.row_object(index.row()).id)

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() == CONTACT_LINK:
            self.edit_contact(url.path())

    def context_menu(self, index: QModelIndex) -> QMenu | None:
        """What can be done with the organisation on `index`'s row (None off the rows)."""
        if not index.isValid():
            return None
        row = self.model.row_object(index.row())
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        edit = menu.addAction("&Edit…")
        edit.triggered.connect(lambda: self.edit_organisation(row.id))
        menu.setDefaultAction(edit)
        contact = menu.addAction("Add &contact…")
        contact.triggered.connect(lambda: self.add_contact(row.id))
        menu.addSeparator()
        copy = menu.addAction("Copy &name")
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(row.name))
        menu.addSeparator()
        new = menu.addAction("&New organisation…")
        new.triggered.connect(lambda: self.edit_organisation(None))
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            # the keyboard's menu key: the current row, beside it
            index = self.table.currentIndex()
            if index.isValid():
                pos = self.table.visualRect(index).center()
        else:
            self.table.setCurrentIndex(index)
        menu = self.context_menu(index)
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(pos))

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
            people = contact_lines(s, organisation_id, today)
            if people:
                parts.append(
                    "<p><b>Contacts:</b></p><ul>"
                    + "".join(_contact_item(c) for c in people)
                    + "</ul>"
                )
        self.details.setHtml("".join(parts))


WITHHELD_COLOUR = "#6b6b6b"  # a contact whose details are withheld: greyed, name only


def _contact_item(c: ContactLine) -> str:
    """A contact in the details: a link to open it, with its role and consent; a contact whose
    details may not be used is greyed, its role left out and the reason given."""
    link = f'<a href="{CONTACT_LINK}:{html.escape(c.id)}">{html.escape(c.name)}</a>'
    if c.withheld:
        why = html.escape(c.withheld)
        return f'<li><span style="color: {WITHHELD_COLOUR};">{link} ({why})</span></li>'
    role = f", {html.escape(c.role)}" if c.role else ""
    return f"<li>{link}{role} (consent valid{', shared' if c.shareable else ''})</li>"
