"""Icons from resources/icons: SVG through Qt's SVG icon engine, so sharp at any scale."""

from __future__ import annotations

import functools
from importlib import resources

from PySide6.QtGui import QIcon


@functools.cache
def icon(name: str) -> QIcon:
    """The icon `name` (e.g. "timetable"); an empty icon if the file is missing."""
    path = resources.files("ccodesk.resources").joinpath("icons", f"{name}.svg")
    if not path.is_file():
        return QIcon()
    return QIcon(str(path))
