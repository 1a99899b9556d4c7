"""Choosing the period a page's figures are for: its kind (month, quarter, year), Previous, the
period shown and Next; and what the page says of its exports — the borough's Reports page and
the central unit's London page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton

from ccodesk.errors import KnownError
from ccodesk.services import indicator_export as export
from ccodesk.services.periods import Period, PeriodKind

KINDS = (("Month", PeriodKind.MONTH), ("Quarter", PeriodKind.QUARTER), ("Year", PeriodKind.YEAR))


class PeriodPicker:
    """The period controls and what they do, for a page with `period` and `refresh()` (put
    before the Qt class among the page's bases)."""

    period: Period
    kind: QComboBox
    previous_button: QPushButton
    period_label: QLabel
    next_button: QPushButton

    def refresh(self) -> None:
        raise NotImplementedError

    def period_controls(self) -> tuple[QLabel, QComboBox, QPushButton, QLabel, QPushButton]:
        """Build the kind picker (with its label), Previous, the period shown and Next
        (Alt+Left and Alt+Right), in that order, for the page to lay out."""
        self.kind = QComboBox()
        self.kind.setAccessibleName("Period kind")
        for label, kind in KINDS:
            self.kind.addItem(label, kind.value)
        self.kind.setCurrentIndex(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        kind_label = QLabel("&Period:")
        kind_label.setBuddy(self.kind)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setAccessibleName("Previous period")
        self.previous_button.setShortcut(QKeySequence("Alt+Left"))
        self.previous_button.clicked.connect(lambda: self.set_period(self.period.previous()))
        self.period_label = QLabel()
        self.period_label.setAccessibleName("Period shown")
        # as wide as the widest period, so Next stays under the pointer when clicked again
        bold = QFont(self.period_label.font())
        bold.setBold(True)
        widest = QFontMetrics(bold).horizontalAdvance("Q4 2026 (September to December)")
        self.period_label.setMinimumWidth(widest + 8)
        self.period_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = QPushButton("Next ▶")
        self.next_button.setAccessibleName("Next period")
        self.next_button.setShortcut(QKeySequence("Alt+Right"))
        self.next_button.clicked.connect(lambda: self.set_period(self.period.next()))
        return kind_label, self.kind, self.previous_button, self.period_label, self.next_button

    def _kind_changed(self, index: int) -> None:
        kind = PeriodKind(self.kind.itemData(index))
        self.set_period(Period.containing(kind, self.period.start))

    def set_period(self, period: Period) -> None:
        """Show another period (the kind picker follows)."""
        self.period = period
        index = self.kind.findData(period.kind.value)
        if index != self.kind.currentIndex():
            self.kind.blockSignals(True)
            self.kind.setCurrentIndex(index)
            self.kind.blockSignals(False)
        self._show_period()
        self.refresh()

    def _show_period(self) -> None:
        self.period_label.setText(f"<b>{self.period.long_label}</b>")


def withhold_box() -> QCheckBox:
    """ "Withhold small counts": the page's figures as the exports give them."""
    box = QCheckBox("&Withhold small counts")
    box.setAccessibleName("Withhold small counts of people, as the exports do")
    box.setToolTip(
        f"Show counts of people under {export.SMALL} as the exports do: "
        f"{export.SUPPRESSED_COUNT!r}, and what would give them back as "
        f"{export.SUPPRESSED_DERIVED!r}"
    )
    return box


class ExportStatus:
    """What a figures page says of an export: the file written and how small counts are shown
    in it, or why it could not be written (put before the Qt class among the page's bases)."""

    status: QLabel
    exported: Any  # the page's Signal(str): the file written
    export_failed: Any  # the page's Signal(str): why not

    def _exported(self, path: Path) -> None:
        self.status.setText(
            f"Wrote {path} (counts of people under {export.SMALL} are shown as "
            f"{export.SUPPRESSED_COUNT!r})."
        )
        self.exported.emit(str(path))

    def _export_failed(self, exc: KnownError) -> None:
        self.status.setText(str(exc))
        self.export_failed.emit(str(exc))
