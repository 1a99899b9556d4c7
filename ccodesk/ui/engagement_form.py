"""The fields of an engagement, as widgets whose whole state is one JSON-able dict.

The state dict is what undo/redo snapshots, what drafts keep, and what becomes an
`EngagementDraft` (plus attendance) when the user saves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ccodesk.models import DecisionKind, EngagementKind, EngagementStatus, Level
from ccodesk.services.engagements import EngagementDraft, validate_engagement
from ccodesk.ui.date_edits import DateTimeEdit
from ccodesk.ui.partner_picker import PartnerDirectory, PartnerPicker
from ccodesk.ui.qtdates import pydatetime, qdatetime

ACCESS = (
    ("community_venue", "In the community's own place (mosque, community centre, estate room…)"),
    ("step_free", "Step-free access"),
    ("hearing_loop", "Hearing loop"),
    ("bsl", "BSL interpreter"),
    ("childcare", "Childcare"),
    ("daytime", "Daytime (suits older people)"),
)
TEXTS = (
    "title",
    "theme",
    "informs_detail",
    "venue_name",
    "interpreters",
    "cco_name",
    "blo_name",
    "cso_name",
)
PLAIN = ("venue_address", "notes")


def _combo(accessible: str, items: list[tuple[str, str | None]]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(accessible)
    for label, value in items:
        combo.addItem(label, value)
    return combo


def _stamp(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


class EngagementForm(QTabWidget):
    """Tabs of fields for one engagement; `changed` fires on any edit."""

    changed = Signal(str)  # the name of the field that changed

    def __init__(
        self,
        groups: list[tuple[str, str]],
        topics: list[tuple[str, str]],
        partners: PartnerDirectory,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._loading = False
        self.group_names = dict(groups)
        self.text: dict[str, QLineEdit] = {}
        for name in TEXTS:
            self.text[name] = QLineEdit()
        self.plain = {name: QPlainTextEdit() for name in PLAIN}
        for plain in self.plain.values():
            plain.setTabChangesFocus(True)  # Tab moves on; an address or note needs no tabs
        self.combos = {
            "kind": _combo("Kind", [(k.label, k.value) for k in EngagementKind]),
            "informs": _combo(
                "Decision it informs",
                [("Not set", None)] + [(d.label, d.value) for d in DecisionKind],
            ),
            "level": _combo("Level", [(lv.label, lv.value) for lv in Level]),
            "status": _combo("Status", [(s.label, s.value) for s in EngagementStatus]),
        }
        self.starts = DateTimeEdit()
        self.ends = DateTimeEdit()
        for edit, name in ((self.starts, "Starts"), (self.ends, "Ends")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd dd MMM yyyy HH:mm")
            edit.setAccessibleName(name)
        self._duration = dt.timedelta(hours=2)  # kept when the start moves, as in Outlook
        self.access = {name: QCheckBox(label) for name, label in ACCESS}
        self.targets = {code: QCheckBox(name) for code, name in groups}
        self.topics = self._checklist("Topics", topics)
        self.partners = PartnerPicker(partners, label="Partner organisations")
        self.attendance_box = QGroupBox("Record attendance and equality monitoring")
        self.attendance_box.setCheckable(True)
        self.attendance_box.setChecked(False)
        self.total = self._spin("Total attendance")
        self.prefer_not = self._spin("Prefer not to say")
        self.not_asked = self._spin("Not asked")
        self.counts = {code: self._spin(f"Attendees from {name}") for code, name in groups}
        self._build()
        self._connect()

    # layout -------------------------------------------------------------------------------
    def _checklist(self, accessible: str, items: list[tuple[str, str]]) -> QListWidget:
        widget = QListWidget()
        widget.setAccessibleName(accessible)
        for value, label in items:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            widget.addItem(item)
        return widget

    @staticmethod
    def _spin(accessible: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, 100_000)
        spin.setAccessibleName(accessible)
        return spin

    def _build(self) -> None:
        t = self.text
        details = QWidget()
        form = QFormLayout(details)
        for label, widget in (
            ("&Kind:", self.combos["kind"]),
            ("&Title:", t["title"]),
            ("T&heme:", t["theme"]),
            ("&Informs:", self.combos["informs"]),
            ("Which &decision:", t["informs_detail"]),
            ("&Level:", self.combos["level"]),
            ("&Status:", self.combos["status"]),
            ("St&arts:", self.starts),
            ("&Ends:", self.ends),
            ("&Notes:", self.plain["notes"]),
        ):
            form.addRow(label, widget)
        self.addTab(details, "Details")

        venue = QWidget()
        form = QFormLayout(venue)
        form.addRow("&Venue:", t["venue_name"])
        form.addRow("&Address:", self.plain["venue_address"])
        for box in self.access.values():
            form.addRow("", box)
        form.addRow("Inter&preters (languages):", t["interpreters"])
        self.addTab(venue, "Venue && access")

        people = QWidget()
        grid = QGridLayout(people)
        organisers = QFormLayout()
        organisers.addRow("&CCO:", t["cco_name"])
        organisers.addRow("&BLO:", t["blo_name"])
        organisers.addRow("Community Safety &Officer:", t["cso_name"])
        grid.addLayout(organisers, 0, 0, 1, 2)
        targets = QGroupBox("Target priority groups")
        target_layout = QVBoxLayout(targets)
        for box in self.targets.values():
            target_layout.addWidget(box)
        grid.addWidget(targets, 1, 0)
        grid.addWidget(QLabel("Topics:"), 2, 0)
        grid.addWidget(self.topics, 3, 0)
        partners_label = QLabel("Partne&r organisations:")
        partners_label.setBuddy(self.partners.search)
        partner_column = QVBoxLayout()
        partner_column.addWidget(partners_label)
        partner_column.addWidget(self.partners, 1)
        grid.addLayout(partner_column, 1, 1, 3, 1)
        grid.setColumnStretch(1, 1)
        self.addTab(people, "People && groups")

        form = QFormLayout(self.attendance_box)
        form.addRow("&Total:", self.total)
        for code, spin in self.counts.items():
            form.addRow(f"{self.group_names[code]}:", spin)
        form.addRow("Prefer not to say:", self.prefer_not)
        form.addRow("Not asked:", self.not_asked)
        attendance = QWidget()
        QVBoxLayout(attendance).addWidget(self.attendance_box)
        self.addTab(attendance, "Attendance")
        for name, edit in t.items():
            edit.setAccessibleName(name.replace("_", " ").capitalize())
        for name, plain in self.plain.items():
            plain.setAccessibleName(name.replace("_", " ").capitalize())

    def _connect(self) -> None:
        def emit(name: str):  # type: ignore[no-untyped-def]
            return lambda *_: None if self._loading else self.changed.emit(name)

        for name, edit in self.text.items():
            edit.textEdited.connect(emit(name))
        for name, plain in self.plain.items():
            plain.textChanged.connect(emit(name))
        for name, combo in self.combos.items():
            combo.currentIndexChanged.connect(emit(name))
        self.starts.dateTimeChanged.connect(self._start_moved)
        self.ends.dateTimeChanged.connect(self._end_moved)
        for name, box in self.access.items():
            box.toggled.connect(emit(name))
        for code, box in self.targets.items():
            box.toggled.connect(emit(f"target:{code}"))
        self.topics.itemChanged.connect(emit("topics"))
        self.partners.changed.connect(emit("partners"))
        self.attendance_box.toggled.connect(emit("attendance"))
        for name, spin in [
            ("total", self.total),
            ("prefer_not_to_say", self.prefer_not),
            ("not_asked", self.not_asked),
            *self.counts.items(),
        ]:
            spin.valueChanged.connect(emit(f"count:{name}"))

    # dates ---------------------------------------------------------------------------------
    def _start_moved(self, value: QDateTime) -> None:
        """The end follows the start, keeping the length (Outlook's way); never before it."""
        self.ends.blockSignals(True)
        try:
            self.ends.setMinimumDateTime(value)
            self.ends.setDateTime(qdatetime(pydatetime(value) + self._duration))
        finally:
            self.ends.blockSignals(False)
        if not self._loading:
            self.changed.emit("starts_at")  # one edit: the snapshot holds the new end too

    def _end_moved(self, value: QDateTime) -> None:
        """Moving the end alone changes the length."""
        self._duration = pydatetime(value) - pydatetime(self.starts.dateTime())
        if not self._loading:
            self.changed.emit("ends_at")

    # state ---------------------------------------------------------------------------------
    @staticmethod
    def _checked(widget: QListWidget) -> list[str]:
        return [
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    def state(self) -> dict[str, Any]:
        """Everything in the form, as plain JSON-able values."""
        value: dict[str, Any] = {n: e.text() for n, e in self.text.items()}
        value |= {n: e.toPlainText() for n, e in self.plain.items()}
        value |= {n: c.currentData() for n, c in self.combos.items()}
        value |= {n: b.isChecked() for n, b in self.access.items()}
        value["starts_at"] = _stamp(pydatetime(self.starts.dateTime()))
        value["ends_at"] = _stamp(pydatetime(self.ends.dateTime()))
        value["target_groups"] = [c for c, b in self.targets.items() if b.isChecked()]
        value["topics"] = self._checked(self.topics)
        value["partner_ids"] = self.partners.partner_ids()
        value["attendance"] = None
        if self.attendance_box.isChecked():
            value["attendance"] = {
                "total": self.total.value(),
                "prefer_not_to_say": self.prefer_not.value(),
                "not_asked": self.not_asked.value(),
                "group_counts": {c: s.value() for c, s in self.counts.items() if s.value()},
            }
        return value

    def set_state(self, value: dict[str, Any]) -> None:
        """Show `value` (from `state()`, a draft, or a stored engagement) without signals."""
        self._loading = True
        try:
            for n, e in self.text.items():
                e.setText(value.get(n, ""))
            for n, p in self.plain.items():
                if p.toPlainText() != value.get(n, ""):
                    p.setPlainText(value.get(n, ""))
            for n, c in self.combos.items():
                c.setCurrentIndex(max(0, c.findData(value.get(n))))
            for n, b in self.access.items():
                b.setChecked(bool(value.get(n)))
            self.starts.setDateTime(qdatetime(dt.datetime.fromisoformat(value["starts_at"])))
            self.ends.setDateTime(qdatetime(dt.datetime.fromisoformat(value["ends_at"])))
            for code, box in self.targets.items():
                box.setChecked(code in value.get("target_groups", []))
            wanted = set(value.get("topics", []))
            for i in range(self.topics.count()):
                item = self.topics.item(i)
                checked = item.data(Qt.ItemDataRole.UserRole) in wanted
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.partners.set_partner_ids(value.get("partner_ids", []))
            attendance = value.get("attendance")
            self.attendance_box.setChecked(attendance is not None)
            attendance = attendance or {}
            self.total.setValue(attendance.get("total", 0))
            self.prefer_not.setValue(attendance.get("prefer_not_to_say", 0))
            self.not_asked.setValue(attendance.get("not_asked", 0))
            for code, spin in self.counts.items():
                spin.setValue(attendance.get("group_counts", {}).get(code, 0))
        finally:
            self._loading = False


def draft_from_state(value: dict[str, Any]) -> EngagementDraft:
    """The engagement part of a form state, for `save_engagement`."""
    informs = value.get("informs")
    return EngagementDraft(
        kind=EngagementKind(value["kind"]),
        title=value["title"],
        starts_at=dt.datetime.fromisoformat(value["starts_at"]),
        ends_at=dt.datetime.fromisoformat(value["ends_at"]) if value.get("ends_at") else None,
        theme=value["theme"],
        informs=DecisionKind(informs) if informs else None,
        informs_detail=value["informs_detail"],
        level=Level(value["level"]),
        status=EngagementStatus(value["status"]),
        venue_name=value["venue_name"],
        venue_address=value["venue_address"],
        community_venue=bool(value.get("community_venue")),
        step_free=value["step_free"],
        hearing_loop=value["hearing_loop"],
        bsl=value["bsl"],
        interpreters=value["interpreters"],
        childcare=value["childcare"],
        daytime=value["daytime"],
        cco_name=value["cco_name"],
        blo_name=value["blo_name"],
        cso_name=value["cso_name"],
        notes=value["notes"],
        partner_ids=list(value["partner_ids"]),
        target_groups=list(value["target_groups"]),
        topics=list(value["topics"]),
    )


def state_problems(
    session: Session,
    value: dict[str, Any],
    engagement_id: str | None,
    group_names: dict[str, str],
) -> list[str]:
    """Everything that stops `value` from being saved, as the editor shows it while typing.

    The same rules as `save_engagement` and `record_attendance` (the service refuses what this
    lists), so each problem goes away as soon as the officer fixes it.
    """
    attendance = value.get("attendance")
    problems = validate_engagement(
        session,
        draft_from_state(value),
        engagement_id,
        with_attendance=attendance is not None,
    )
    if attendance is not None:
        total = attendance["total"]
        for code, count in attendance["group_counts"].items():
            if count > total:
                problems.append(
                    f"Attendance: {group_names.get(code, code)} ({count:,}) is more than the "
                    f"total ({total:,})."
                )
        if attendance["prefer_not_to_say"] + attendance["not_asked"] > total:
            problems.append(
                "Attendance: \u201cPrefer not to say\u201d and \u201cNot asked\u201d add up "
                f"to more than the total ({total:,})."
            )
    return problems


def problems_text(problems: list[str]) -> str:
    """The problems as the editor lists them (empty when there are none)."""
    if not problems:
        return ""
    return "To save, fix:\n" + "\n".join(f"\u2022 {p}" for p in problems)
