"""Guards against known defects of the Qt binding that crash the program."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QListWidgetItem


def test_empty_qvariants_do_not_leak_references_to_none(qapp: QApplication) -> None:
    """PySide6 6.12.0 decremented None's refcount on every empty QVariant (pinned out)."""
    combo = QComboBox()
    combo.addItem("Any", None)
    item = QListWidgetItem("no data")
    before = sys.getrefcount(None)
    for _ in range(200):
        assert combo.currentData() is None
        assert item.data(Qt.ItemDataRole.UserRole) is None
    assert sys.getrefcount(None) - before >= 0
