"""The Alt+letter keys a window offers: each letter must lead to one control only (two labels
with the same letter leave the officer in the first, typing into the wrong field)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabWidget, QWidget

_MARK = re.compile(r"&([^&\s])")


def _letter(text: str) -> str | None:
    found = _MARK.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def clashes(root: QWidget, also: Sequence[str] = ()) -> dict[str, list[str]]:
    """The letters offered more than once among `root`'s controls on show (and the texts in
    `also`: the window's menus, whose Alt+letter is offered on every page), with their texts."""
    offered: dict[str, list[str]] = {}

    def offer(text: str) -> None:
        letter = _letter(text)
        if letter is not None:
            offered.setdefault(letter, []).append(text)

    for text in also:
        offer(text)
    for label in root.findChildren(QLabel):
        if label.buddy() is not None and label.isVisibleTo(root):
            offer(label.text())
    for button in root.findChildren(QAbstractButton):
        if button.isVisibleTo(root):
            offer(button.text())
    for box in root.findChildren(QGroupBox):
        if box.isVisibleTo(root) and box.isCheckable():
            offer(box.title())
    for tabs in root.findChildren(QTabWidget):
        if tabs.isVisibleTo(root):
            for i in range(tabs.count()):
                offer(tabs.tabText(i))
    return {letter: texts for letter, texts in offered.items() if len(texts) > 1}
