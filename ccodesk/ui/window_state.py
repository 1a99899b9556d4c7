"""The main window's size, place and splitters, kept between runs in `window-state.json`.

Kept beside the settings file (same directory, written atomically), apart from it because it
changes at every close and holds Qt's opaque geometry bytes, not settings a user edits.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtWidgets import QSplitter, QWidget

log = logging.getLogger("ccodesk.ui")
FILE_NAME = "window-state.json"


def state_path() -> Path:
    """Where the window state lives: the settings file's directory."""
    from ccodesk.settings import settings_path

    return settings_path().with_name(FILE_NAME)


def read_state(path: Path | None = None) -> dict[str, bytes]:
    """The saved state, name → Qt's bytes; empty if there is none or it is unreadable."""
    path = path or state_path()
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable window state %s: %s", path, exc)
        return {}
    state: dict[str, bytes] = {}
    if not isinstance(raw, dict):
        return state
    for key, value in raw.items():
        if isinstance(key, str) and isinstance(value, str):
            try:
                state[key] = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                continue
    return state


def write_state(state: dict[str, bytes], path: Path | None = None) -> None:
    """Save the state atomically; a failure is logged, never shown (it is only convenience)."""
    from ccodesk.fileio import atomic_write_bytes

    path = path or state_path()
    text = json.dumps({k: base64.b64encode(v).decode() for k, v in sorted(state.items())})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, text.encode())
    except OSError as exc:  # disk full, read-only home: the next start has the default size
        log.warning("could not save the window state to %s: %s", path, exc)


def splitters(root: QWidget, prefix: str) -> dict[str, QSplitter]:
    """Every splitter under `root`, by a name stable between runs (its page and position)."""
    found: dict[str, QSplitter] = {}
    for number, splitter in enumerate(root.findChildren(QSplitter)):
        name = splitter.objectName() or str(number)
        found[f"{prefix}/splitter/{name}"] = splitter
    return found


def save_splitters(root: QWidget, prefix: str, state: dict[str, bytes]) -> None:
    for key, splitter in splitters(root, prefix).items():
        state[key] = bytes(splitter.saveState().data())


def restore_splitters(root: QWidget, prefix: str, state: dict[str, bytes]) -> None:
    for key, splitter in splitters(root, prefix).items():
        if key in state:
            splitter.restoreState(QByteArray(state[key]))


def fitted(screen: QRect, width: int, height: int) -> QRect:
    """A first-run window rectangle: the preferred size, never larger than the screen's room."""
    w, h = min(width, screen.width()), min(height, screen.height())
    x = screen.x() + (screen.width() - w) // 2
    y = screen.y() + (screen.height() - h) // 2
    return QRect(x, y, w, h)
