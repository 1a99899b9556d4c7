"""The central unit's Conflicts page: the borough app's field-by-field review over the
central store — concurrent edits from two devices, the centre's version against the incoming
one, a person keeping one (recorded as the centre's command line records it: a new change
that goes back to the boroughs with the next reference or bundle)."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from ccodesk.sync.central import DESK_WAIT, Central
from ccodesk.ui.sync_conflicts import ConflictReview


class AtTheDesk:
    """The central store as a person at the desk decides in it: a decision waits at most
    `DESK_WAIT` seconds on another session's merge, then says the store is busy (StoreBusy)
    instead of freezing the window until the merge is done."""

    def __init__(self, central: Central) -> None:
        self.central = central

    def session(self) -> Session:
        return self.central.session()

    def transaction(self) -> contextlib.AbstractContextManager[Session]:
        return self.central.transaction(wait=DESK_WAIT)


class ConflictsPage(QWidget):
    """Open conflicts at the centre; `resolved` after one is decided."""

    resolved = Signal()

    def __init__(self, central: Central, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.central = central
        hint = QLabel(
            "Two devices changed the same record before either had the other's change. The "
            "centre kept one version for now; compare them field by field and keep the right "
            "one. If someone else has decided it already, you are told and nothing changes."
        )
        hint.setWordWrap(True)
        self.review = ConflictReview(
            AtTheDesk(central), lambda: central.config.name, local="the centre"
        )
        self.review.resolved.connect(self.resolved)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.review, 1)
        layout.addStretch(0)

    def refresh(self) -> None:
        self.review.refresh()

    def count(self) -> int:
        """How many conflicts are listed (open ones)."""
        return self.review.conflict_list.topLevelItemCount()
