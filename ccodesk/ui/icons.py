"""Icons from resources/icons: SVG through Qt's SVG icon engine, so sharp at any scale."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtGui import QIcon

import ccodesk.resources

# The resources package is always a directory on disk (source tree, wheel, PyInstaller
# folder), so its path is found without importlib.resources (2 ms before the window shows).
ICON_DIR = Path(ccodesk.resources.__file__).parent / "icons"


@functools.cache
def icon(name: str) -> QIcon:
    """The icon `name` (e.g. "timetable"); an empty icon if the file is missing."""
    path = ICON_DIR / f"{name}.svg"
    if not path.is_file():
        return QIcon()
    return QIcon(str(path))
