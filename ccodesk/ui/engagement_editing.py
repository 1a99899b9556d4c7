"""What the engagement editor is built from: the state of a saved or a new engagement as the
form shows it, one undoable edit, the Undo keys, and the scrolling and focus helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoCommand
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from ccodesk.models import EngagementKind, EngagementStatus, Level
from ccodesk.services.engagements import get_engagement
from ccodesk.store import Store
from ccodesk.ui.engagement_form import ACCESS, PLAIN, TEXTS


class ShowsState(Protocol):
    def show_state(self, value: dict[str, Any]) -> None: ...


class UndoKeysToStack(QObject):
    """Send Undo/Redo keys in text fields to the editor's stack, not the field's own undo."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
            and isinstance(event, QKeyEvent)
            and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
            )
        ):
            if event.type() == QEvent.Type.ShortcutOverride:
                event.ignore()  # let the dialog's Undo/Redo actions have the shortcut
                return True
            return True
        return False


class Snapshot(QUndoCommand):
    """One edit: the form's state before and after. Typing in one field merges into one."""

    def __init__(
        self, editor: ShowsState, field: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        super().__init__(f"Edit {field.split(':')[0].replace('_', ' ')}")
        self.editor, self.field, self.before, self.after = editor, field, before, after
        self._first = True

    def id(self) -> int:
        return hash(self.field) & 0x7FFFFFFF

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, Snapshot) or other.field != self.field:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:  # the form already shows `after`
            self._first = False
            return
        self.editor.show_state(self.after)

    def undo(self) -> None:
        self.editor.show_state(self.before)


def engagement_state(store: Store, engagement_id: str) -> dict[str, Any]:
    with store.session() as s:
        e = get_engagement(s, engagement_id)
        a = e.attendance
        return {
            **{n: getattr(e, n) for n in (*TEXTS, *PLAIN, *(name for name, _ in ACCESS))},
            "kind": e.kind.value,
            "informs": e.informs.value if e.informs else None,
            "level": e.level.value,
            "status": e.status.value,
            "starts_at": e.starts_at.isoformat(timespec="minutes"),
            "ends_at": (e.ends_at or e.starts_at + dt.timedelta(hours=2)).isoformat(
                timespec="minutes"
            ),
            "target_groups": [g.code for g in e.target_groups],
            "topics": [t.code for t in e.topics],
            "partner_ids": [o.id for o in e.partners],
            "attendance": None
            if a is None
            else {
                "total": a.total,
                "prefer_not_to_say": a.prefer_not_to_say,
                "not_asked": a.not_asked,
                "group_counts": {c.group_code: c.count for c in a.counts},
            },
        }


def new_engagement_state(store: Store, starts_at: dt.datetime | None = None) -> dict[str, Any]:
    """A new engagement: tomorrow at 18:00 unless told otherwise, organised by this officer."""
    start = starts_at or dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(18, 0))
    organiser = {"cco": "cco_name", "blo": "blo_name", "cso": "cso_name"}.get(store.officer_role)
    return {
        **dict.fromkeys((*TEXTS, *PLAIN), ""),
        **dict.fromkeys((name for name, _ in ACCESS), False),
        **({organiser: store.officer_name} if organiser else {}),
        "kind": EngagementKind.PCCG_MEETING.value,
        "informs": None,
        "level": Level.LOCAL.value,
        "status": EngagementStatus.PLANNED.value,
        "starts_at": start.isoformat(timespec="minutes"),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(timespec="minutes"),
        "target_groups": [],
        "topics": [],
        "partner_ids": [],
        "attendance": None,
    }


def scrolling(page: QWidget) -> QScrollArea:
    """`page` in a scroll area, so a tab taller than the screen scrolls instead of growing."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(page)
    return scroll


def first_field(page: QWidget | None) -> QWidget | None:
    """The first widget of `page` that Tab would reach."""
    if page is None:
        return None
    widget = page.nextInFocusChain()
    for _ in range(5000):  # the focus chain is a ring; bounded in case `page` is not on it
        if widget is None or widget is page:
            return None
        if (
            page.isAncestorOf(widget)
            and widget.isVisibleTo(page)
            and widget.isEnabled()
            and widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value
        ):
            return widget
        widget = widget.nextInFocusChain()
    return None
