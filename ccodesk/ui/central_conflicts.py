"""The central unit's Conflicts page: the borough app's field-by-field review over the
central store — concurrent edits from two devices, the centre's version against the incoming
one, a person keeping one (recorded as the centre's command line records it: a new change
that goes back to the boroughs with the next reference or bundle)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ccodesk.sync.central import Central
from ccodesk.ui.sync_conflicts import ConflictReview


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
        self.review = ConflictReview(central, lambda: central.config.name, local="the centre")
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
