"""The conflict review — the Sync page's on a borough device, the Conflicts page's at the
centre: the conflicts found, the two versions field by field, and a button for each version —
a person picks the one to keep."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ccodesk.errors import KnownError
from ccodesk.models import SyncConflict
from ccodesk.sync.merge import conflicts, get_conflict, resolve_conflict

UNLIMITED = 16_777_215  # QWIDGETSIZE_MAX


class ConflictStore(Protocol):
    """A borough's Store or the central store: what the review reads and resolves in."""

    def session(self) -> Session: ...

    def transaction(self) -> contextlib.AbstractContextManager[Session]: ...


class ConflictReview(QGroupBox):
    """Open conflicts and their two versions; `resolved` after one is decided.

    `who()` is recorded as the person who decided; `local` names the side that held the
    record before the incoming bundle ("this device", or "the centre").
    """

    resolved = Signal()
    refused = Signal(str)  # the plain message shown when a decision was refused

    def __init__(
        self,
        store: ConflictStore,
        who: Callable[[], str],
        parent: QWidget | None = None,
        *,
        local: str = "this device",
    ) -> None:
        super().__init__("Conflicts to review", parent)
        self.store = store
        self.who = who
        self.local = local
        self.conflict_list = QTreeWidget()
        self.conflict_list.setHeaderLabels(["Record", "Found", "Kept for now"])
        self.conflict_list.setRootIsDecorated(False)
        self.conflict_list.setAccessibleName("Conflicts")
        self.conflict_list.currentItemChanged.connect(lambda *_: self._show_conflict())
        self.versions = QTreeWidget()
        self.versions.setHeaderLabels(["Field", local[:1].upper() + local[1:], "Incoming"])
        self.versions.setRootIsDecorated(False)
        self.versions.setAccessibleName("The two versions")
        # The two versions side by side at equal widths: the field that differs is read in
        # full in both (a tooltip holds anything longer still).
        header = self.versions.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.keep_local = QPushButton(f"Keep &{local}'s version")
        self.keep_incoming = QPushButton("Keep the i&ncoming version")
        self.keep_local.clicked.connect(lambda: self.resolve("local"))
        self.keep_incoming.clicked.connect(lambda: self.resolve("incoming"))
        # The list above the versions, each the window's width: the records' names and the
        # two versions are read whole on a laptop's screen.
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.conflict_list)
        self.split.addWidget(self.versions)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 3)
        listed = self.conflict_list.header()
        listed.setStretchLastSection(False)
        listed.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            listed.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.keep_row = QWidget()
        keep = QHBoxLayout(self.keep_row)
        keep.setContentsMargins(0, 0, 0, 0)
        keep.addStretch(1)
        keep.addWidget(self.keep_local)
        keep.addWidget(self.keep_incoming)
        inner = QVBoxLayout(self)
        inner.addWidget(self.split, 1)
        inner.addWidget(self.keep_row)

    def refresh(self) -> None:
        self.conflict_list.clear()
        with self.store.session() as session:
            for c in conflicts(session):
                title = _title(c)
                winner = f"{self.local}'s" if c.winner == "local" else "incoming"
                item = QTreeWidgetItem([title, f"{c.found_at:%d %b %Y %H:%M}", winner])
                item.setData(0, Qt.ItemDataRole.UserRole, c.id)
                item.setToolTip(0, title)
                self.conflict_list.addTopLevelItem(item)
        count = self.conflict_list.topLevelItemCount()
        self.setTitle(
            f"Conflicts to review ({count})"
            if count
            else "Conflicts to review: none — every change merged cleanly"
        )
        # With nothing to review the box is one line, and the rest of the page gets the room.
        self.setFlat(not count)
        self.split.setVisible(bool(count))
        self.keep_row.setVisible(bool(count))
        self.setMaximumHeight(UNLIMITED if count else self.minimumSizeHint().height())
        first = self.conflict_list.topLevelItem(0)
        if first is not None:
            self.conflict_list.setCurrentItem(first)
        self._show_conflict()

    def selected_conflict(self) -> int | None:
        item = self.conflict_list.currentItem()
        return None if item is None else int(item.data(0, Qt.ItemDataRole.UserRole))

    def _show_conflict(self) -> None:
        self.versions.clear()
        chosen = self.selected_conflict()
        for button in (self.keep_local, self.keep_incoming):
            button.setEnabled(chosen is not None)
        if chosen is None:
            return
        with self.store.session() as session:
            conflict = get_conflict(session, chosen)
            if conflict is None:
                return
            local, incoming = conflict.local, conflict.incoming
        for name, mine, theirs in _differences(local, incoming):
            item = QTreeWidgetItem([name, mine, theirs])
            item.setToolTip(1, mine)
            item.setToolTip(2, theirs)
            if mine != theirs:
                for column in (1, 2):
                    item.setBackground(column, QBrush(QColor("#fff3bf")))
            self.versions.addTopLevelItem(item)

    def resolve(self, keep: str) -> None:
        chosen = self.selected_conflict()
        if chosen is None:
            return
        try:
            with self.store.transaction() as session:
                resolve_conflict(session, chosen, keep, self.who())
        except KnownError as exc:
            self.refused.emit(str(exc))
            QMessageBox.warning(self, "ccodesk", str(exc))
        self.refresh()
        self.resolved.emit()


def _title(conflict: SyncConflict) -> str:
    for version in (conflict.local, conflict.incoming):
        data = version.get("data") or {}
        name = data.get("title") or data.get("name") or data.get("text") or data.get("description")
        if name:
            return f"{conflict.entity.replace('_', ' ').capitalize()}: {str(name)[:80]}"
    return f"{conflict.entity.replace('_', ' ').capitalize()} {conflict.record_id[:8]}"


def _differences(local: dict[str, Any], incoming: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Field by field, the two versions as an officer reads them; differing fields first.
    Two values that differ but read the same (seconds apart) are shown as stored."""

    def value(version: dict[str, Any], key: str) -> Any:
        if version.get("deleted"):
            return "(deleted)"
        found = (version.get("data") or {}).get(key)
        return (version.get("children") or {}).get(key) if found is None else found

    def row(name: str, key: str) -> tuple[str, str, str]:
        mine, theirs = value(local, key), value(incoming, key)
        shown = (_readable(mine), _readable(theirs))
        if mine != theirs and shown[0] == shown[1]:
            shown = (json.dumps(mine, ensure_ascii=False), json.dumps(theirs, ensure_ascii=False))
        return (name, *shown)

    keys: list[str] = []
    for version in (local, incoming):
        for part in ("data", "children"):
            for key in version.get(part) or {}:
                if key not in keys:
                    keys.append(key)
    rows = [row(k.replace("_", " "), k) for k in keys] or [row("record", "_")]
    rows.sort(key=lambda r: r[1] == r[2])
    return [("last changed", _stamp(local), _stamp(incoming)), *rows]


def _readable(value: Any) -> str:
    """A stored value as an officer reads it: Yes/No, dates in words, lists of codes as a
    list ("children-young-people, disabled"), anything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return _readable_date(value)
    if isinstance(value, list):
        if all(isinstance(item, dict) and len(item) == 1 for item in value):
            return ", ".join(_readable(next(iter(item.values()))) for item in value)
        return "; ".join(_readable(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')}: {_readable(v)}" for k, v in value.items())
    return str(value)


def _readable_date(text: str) -> str:
    """An ISO date or date-time ("2026-03-06T18:30:00") in words; other text unchanged."""
    if len(text) not in (10, 16, 19) or text[4:5] != "-" or text[7:8] != "-":
        return text
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{when:%a %d %b %Y}" if len(text) == 10 else f"{when:%a %d %b %Y %H:%M}"


def _stamp(version: dict[str, Any]) -> str:
    try:
        wall = int(str(version.get("hlc", ""))[:13])
    except ValueError:
        return ""
    return f"{dt.datetime.fromtimestamp(wall / 1000):%d %b %Y %H:%M}"
