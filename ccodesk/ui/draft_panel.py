"""What the engagement editor shows when it finds a draft: the draft and the saved version.

The officer chooses: restore the draft (only the fields they changed, put over what is saved),
keep the saved version (the draft is thrown away), or decide later (the editor closes and the
draft stays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccodesk.models import DecisionKind, EngagementKind, EngagementStatus, Level
from ccodesk.services.drafts import DraftCheck, Standing
from ccodesk.ui.engagement_form import ACCESS

FIELD_LABELS: dict[str, str] = {
    "kind": "Kind",
    "title": "Title",
    "theme": "Theme",
    "informs": "Informs",
    "informs_detail": "Which decision",
    "level": "Level",
    "status": "Status",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "notes": "Notes",
    "venue_name": "Venue",
    "venue_address": "Address",
    **dict(ACCESS),
    "interpreters": "Interpreters (languages)",
    "cco_name": "CCO",
    "blo_name": "BLO",
    "cso_name": "Community Safety Officer",
    "target_groups": "Target priority groups",
    "topics": "Topics",
    "partner_ids": "Partner organisations",
    "attendance": "Attendance",
}
CHOICES: dict[str, dict[str, str]] = {
    "kind": {k.value: k.label for k in EngagementKind},
    "informs": {d.value: d.label for d in DecisionKind},
    "level": {lv.value: lv.label for lv in Level},
    "status": {s.value: s.label for s in EngagementStatus},
}


class ValueWords:
    """An engagement field's value in the users' words (names, not codes)."""

    def __init__(
        self,
        groups: Mapping[str, str],
        topics: Mapping[str, str],
        partners: Mapping[str, str],
    ) -> None:
        self.names = {"target_groups": groups, "topics": topics, "partner_ids": partners}
        self.groups = groups

    @staticmethod
    def label(field: str) -> str:
        return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())

    def describe(self, field: str, value: Any) -> str:
        if field in CHOICES:
            return CHOICES[field].get(value, "Not set") if value else "Not set"
        if field in self.names:
            names = self.names[field]
            # a set of picks: shown in name order, so two versions compare at a glance
            shown = sorted(
                (names.get(code, "(no longer listed)") for code in value), key=str.casefold
            )
            return ", ".join(shown) or "None"
        if field in ("starts_at", "ends_at") and value:
            return f"{dt.datetime.fromisoformat(value):%a %d %b %Y %H:%M}"
        if field == "attendance":
            return self._attendance(value)
        if isinstance(value, bool) or value is None:
            return "Yes" if value else "No"
        text = str(value).strip()
        return text if text else "(empty)"

    def _attendance(self, value: dict[str, Any] | None) -> str:
        if value is None:
            return "Not recorded"
        counts = [
            f"{self.groups.get(code, code)} {count}"
            for code, count in value.get("group_counts", {}).items()
        ]
        parts = [f"total {value.get('total', 0)}", *counts]
        parts.append(f"prefer not to say {value.get('prefer_not_to_say', 0)}")
        parts.append(f"not asked {value.get('not_asked', 0)}")
        return "; ".join(parts).capitalize()


def _when(saved_at: dt.datetime) -> str:
    if saved_at.date() == dt.date.today():
        return f"today at {saved_at:%H:%M}"
    return f"{saved_at:%a %d %b %Y} at {saved_at:%H:%M}"


class DraftPanel(QWidget):
    """The choice about a draft found on opening the editor."""

    restore_chosen = Signal()
    keep_saved_chosen = Signal()
    later_chosen = Signal()

    def __init__(
        self,
        check: DraftCheck,
        saved_at: dt.datetime,
        words: ValueWords,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Unsaved draft")
        when = _when(saved_at)
        standing = check.standing
        if standing == Standing.OUTDATED:
            heading = f"This engagement has changed since your unsaved draft of {when}."
            explain = (
                "It was saved again after you started the draft (an edit, a calendar import "
                "or a colleague's changes). Compare the two below. Restoring your draft puts "
                "only the fields you changed over the saved version; the others keep their "
                "saved values."
            )
            restore, keep = "&Restore my changes", "&Keep the saved version"
        elif standing == Standing.RECORD_DELETED:
            heading = f"This engagement was deleted after your unsaved draft of {when}."
            explain = (
                "Your draft can be saved as a new engagement, or thrown away. Below is what "
                "you had changed."
            )
            restore, keep = "&Restore as a new engagement", "&Discard the draft"
        else:
            heading = f"You have unsaved changes from {when}."
            explain = "Restore them, or throw them away and open what is saved?"
            restore, keep = "&Restore my changes", "&Discard the draft"
        self.heading = QLabel(f"<b>{heading}</b>")
        self.heading.setWordWrap(True)
        self.explanation = QLabel(explain)
        self.explanation.setWordWrap(True)
        self.table = self._table(check, words, when)
        self.restore_button = QPushButton(restore)
        self.keep_button = QPushButton(keep)
        self.later_button = QPushButton("Decide &later")
        self.later_button.setToolTip("Close the editor and keep the draft as it is")
        self.restore_button.clicked.connect(self.restore_chosen)
        self.keep_button.clicked.connect(self.keep_saved_chosen)
        self.later_button.clicked.connect(self.later_chosen)
        row = QHBoxLayout()
        for button in (self.restore_button, self.keep_button, self.later_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.restore_button.setDefault(True)

    @staticmethod
    def _table(check: DraftCheck, words: ValueWords, when: str) -> QTableWidget:
        outdated = check.standing == Standing.OUTDATED
        deleted = check.standing == Standing.RECORD_DELETED
        headers = ["Field", f"Your draft ({when})"]
        if not deleted:
            headers.append("Saved now")
        if outdated:
            headers.append("If you restore")
        order = list(FIELD_LABELS)
        differences = sorted(
            check.differences,
            key=lambda d: order.index(d.field) if d.field in order else len(order),
        )
        table = QTableWidget(len(differences), len(headers))
        table.setAccessibleName("Differences between the draft and the saved version")
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for row, difference in enumerate(differences):
            cells = [
                words.label(difference.field),
                words.describe(difference.field, difference.draft),
            ]
            if not deleted:
                cells.append(words.describe(difference.field, difference.saved))
            if outdated:
                if difference.edited and difference.changed_since:
                    cells.append("Your value (both changed)")
                elif difference.edited:
                    cells.append("Your value")
                else:
                    cells.append("The saved value (you did not change it)")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text.replace("\n", " / "))
                item.setToolTip(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                table.setItem(row, column, item)
        table.resizeRowsToContents()
        return table
