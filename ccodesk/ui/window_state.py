"""The main window's size, place and splitters, kept between runs in `window-state.ini`.

Kept beside the settings file (the same `ccodesk` config directory, or `CCODESK_CONFIG_DIR`),
apart from it because it changes at every close and holds Qt's opaque geometry bytes, not
settings a user edits. Read through `QSettings` (Qt's own code, which writes through a
temporary file and a rename): it is read before the window is shown, where importing
`platformdirs` and the settings module would cost start-up time.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QSplitter, QWidget

log = logging.getLogger("ccodesk.ui")
FILE_NAME = "window-state.ini"
CONFIG_DIR_ENV = "CCODESK_CONFIG_DIR"  # as ccodesk.settings


def _folder() -> Path:
    """The settings file's directory, found without importing `platformdirs` on Linux."""
    env = os.environ.get(CONFIG_DIR_ENV)
    if env:
        return Path(env)
    if sys.platform.startswith("linux"):  # platformdirs' rule for Linux, read each time
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        return Path(xdg if xdg.strip() else os.path.expanduser("~/.config")) / "ccodesk"
    from ccodesk.settings import settings_path

    return settings_path().parent


def _settings() -> QSettings:
    # An explicit file, not QSettings' own user scope: Qt caches that path once per process.
    return QSettings(str(_folder() / FILE_NAME), QSettings.Format.IniFormat)


def state_path() -> Path:
    """Where the window state lives."""
    return Path(_settings().fileName())


def read_state() -> dict[str, bytes]:
    """The saved state, name → Qt's bytes; empty if there is none or it is unreadable."""
    store = _settings()
    if store.status() != QSettings.Status.NoError:
        log.warning("ignoring unreadable window state %s", store.fileName())
        return {}
    state: dict[str, bytes] = {}
    for key in store.allKeys():
        value = store.value(key)
        if isinstance(value, QByteArray):
            state[key] = bytes(value.data())
    return state


def write_state(state: dict[str, bytes]) -> None:
    """Save the state; a failure is logged, never shown (it is only a convenience)."""
    store = _settings()
    for key, value in sorted(state.items()):
        store.setValue(key, QByteArray(value))
    store.sync()
    if store.status() != QSettings.Status.NoError:
        log.warning("could not save the window state to %s", store.fileName())


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
            # The sizes only: a saved state also holds the orientation, and a splitter whose
            # layout changed between versions (or a state saved from another splitter) must
            # keep the orientation this version builds it with.
            orientation = splitter.orientation()
            splitter.restoreState(QByteArray(state[key]))
            splitter.setOrientation(orientation)


# Room for what the window manager adds outside a window's geometry (title bar, borders).
FRAME_ROOM = 48


def fitted(screen: QRect, width: int, height: int) -> QRect:
    """A first-run window rectangle: the preferred size, or less so that the window *with its
    frame* fits the screen's room (a 768-pixel-high window on a 768-pixel screen puts its
    title bar off the top)."""
    w = min(width, screen.width() - FRAME_ROOM)
    h = min(height, screen.height() - FRAME_ROOM)
    x = screen.x() + (screen.width() - w) // 2
    y = screen.y() + (screen.height() - h) // 2
    return QRect(x, y, w, h)
