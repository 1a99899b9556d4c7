"""The settings dialog: consultee-fatigue threshold and window, and the CCO's hourly rate."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from ccodesk.errors import ValidationError
from ccodesk.settings import Settings, save_settings


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, path: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("ccodesk settings")
        self.path = path
        self.settings = settings
        self.threshold = QSpinBox()
        self.threshold.setRange(1, 50)
        self.threshold.setValue(settings.fatigue_threshold)
        self.threshold.setSuffix(" consultations")
        self.window_days = QSpinBox()
        self.window_days.setRange(7, 730)
        self.window_days.setValue(settings.fatigue_window_days)
        self.window_days.setSuffix(" days")
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0, 500)
        self.rate.setPrefix("£")
        self.rate.setValue(settings.cco_hourly_rate_pence / 100)
        self.problems = QLabel()
        self.problems.setStyleSheet("color: #b00020;")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                "Warn of consultee fatigue when an organisation would be consulted "
                "again after this many consultations:"
            )
        )
        form.addRow("&Threshold:", self.threshold)
        form.addRow("&Within the last:", self.window_days)
        form.addRow("CCO &hourly rate (officer time):", self.rate)
        form.addRow(self.problems)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for widget, name in (
            (self.threshold, "Fatigue threshold"),
            (self.window_days, "Fatigue window"),
            (self.rate, "Hourly rate"),
        ):
            widget.setAccessibleName(name)

    def save(self) -> None:
        changed = dataclasses.replace(
            self.settings,
            fatigue_threshold=self.threshold.value(),
            fatigue_window_days=self.window_days.value(),
            cco_hourly_rate_pence=round(self.rate.value() * 100),
        )
        try:
            save_settings(changed, self.path)
        except (ValidationError, OSError) as exc:
            self.problems.setText(f"Not saved: {exc}")
            return
        self.settings = changed
        self.accept()
