"""The calendar import's preview: every event of the file (each occurrence of a series), what
would happen to it and why, and the kind each new engagement gets, before anything is written.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccodesk.models import EngagementKind
from ccodesk.services import checks
from ccodesk.services.calendar_import import Action, ImportPlan, Planned

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("When", "Event", "Kind", "What happens")
KIND_COLUMN = 2
SHOWN = {
    Action.ADD: "Added",
    Action.UPDATE: "Updated",
    Action.UNCHANGED: "Unchanged",
    Action.REFUSED: "Refused",
}


def what_happens(item: Planned) -> str:
    """The last column in words: the action, the fields that change, or why it is refused."""
    text = SHOWN[item.action]
    if item.action == Action.UPDATE:
        text += ": " + ", ".join(sorted(k.replace("_", " ") for k in item.changes))
    if item.reasons:
        text += (": " if item.action == Action.REFUSED else " (check: ") + " ".join(item.reasons)
        text += "" if item.action == Action.REFUSED else ")"
    return text


class PlanModel(QAbstractTableModel):
    """The plan's events; the kind of a new engagement can be changed per event (for every
    occurrence of its series at once)."""

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.kinds: dict[str, EngagementKind] = {}  # the officer's choices, by UID

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.plan.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def kind_of(self, item: Planned) -> EngagementKind:
        return self.kinds.get(item.event.uid, item.kind)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        item = self.plan.items[index.row()]
        if index.column() == KIND_COLUMN and item.action == Action.ADD:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.plan.items[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return checks.moment(item.event.starts_at)
            if column == 1:
                series = " (series)" if item.event.series else ""
                return item.event.summary + series
            if column == KIND_COLUMN:
                return self.kind_of(item).label
            return what_happens(item)
        if role == Qt.ItemDataRole.EditRole and column == KIND_COLUMN:
            return self.kind_of(item).value
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != KIND_COLUMN:
            return False
        uid = self.plan.items[index.row()].event.uid
        self.kinds[uid] = EngagementKind(value)
        rows = [r for r, p in enumerate(self.plan.items) if p.event.uid == uid]
        self.dataChanged.emit(
            self.index(min(rows), KIND_COLUMN), self.index(max(rows), KIND_COLUMN)
        )
        return True


class KindDelegate(QStyledItemDelegate):
    """A combo box of the engagement kinds, in the Kind column."""

    def createEditor(self, parent: QWidget, _option: Any, _index: Index) -> QWidget:
        combo = QComboBox(parent)
        for kind in EngagementKind:
            combo.addItem(kind.label, kind.value)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class CalendarImportDialog(QDialog):
    """Shows the plan; Import accepts it (with the kinds chosen), Cancel writes nothing."""

    def __init__(self, file_name: str, plan: ImportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import {file_name}")
        self.plan = plan
        layout = QVBoxLayout(self)
        head = f"{plan.events_shown} in {plan.name or file_name}"
        if plan.series:
            head += f", with {plan.series_shown}"
        self.summary = QLabel(f"<b>{head}:</b> {plan.summary()}. Nothing is written until you "
                              "press Import.")  # fmt: skip
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        form = QFormLayout()
        self.default_kind = QComboBox()
        for kind in EngagementKind:
            self.default_kind.addItem(kind.label, kind.value)
        new = [p for p in plan.items if p.action == Action.ADD]
        self.default_kind.setCurrentIndex(
            max(0, self.default_kind.findData(new[0].kind.value if new else None))
        )
        self.default_kind.setEnabled(bool(new))
        self.default_kind.setToolTip(
            "The kind of every new engagement; change one event's in the table"
        )
        form.addRow("&Kind of the new engagements:", self.default_kind)
        layout.addLayout(form)
        self.model = PlanModel(plan, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(KIND_COLUMN, KindDelegate(self.table))
        self.table.setEditTriggers(
            QTableView.EditTrigger.DoubleClicked
            | QTableView.EditTrigger.SelectedClicked
            | QTableView.EditTrigger.EditKeyPressed
        )
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 260)
        header.setSectionResizeMode(KIND_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(KIND_COLUMN, 150)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        if plan.unreadable:
            unread = QLabel("Not read: " + "; ".join(plan.unreadable[:5]))
            unread.setWordWrap(True)
            layout.addWidget(unread)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        todo = plan.count(Action.ADD) + plan.count(Action.UPDATE)
        self.import_button.setEnabled(todo > 0)
        if not todo:
            self.import_button.setToolTip("Nothing would change")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.default_kind.currentIndexChanged.connect(self._default_changed)
        self.resize(900, 520)

    def _default_changed(self) -> None:
        kind = EngagementKind(self.default_kind.currentData())
        for item in self.plan.items:
            if item.action == Action.ADD:
                item.kind = kind
        self.model.kinds.clear()
        self.model.dataChanged.emit(
            self.model.index(0, KIND_COLUMN),
            self.model.index(max(0, self.model.rowCount() - 1), KIND_COLUMN),
        )

    def chosen_default(self) -> EngagementKind:
        return EngagementKind(self.default_kind.currentData())

    def chosen_kinds(self) -> dict[str, EngagementKind]:
        return dict(self.model.kinds)
