"""Pages that query the store only when first shown (start-up stays quick at scale)."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget


class LoadOnShow(QWidget):
    """A page whose `refresh()` runs when it is first shown, not when it is built."""

    loaded = False

    def refresh(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:
        if not self.loaded:
            self.refresh()
        super().showEvent(event)
