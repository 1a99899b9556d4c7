"""Where file dialogs start: the folder the officer last chose, else their home folder.

Never the process's working directory (wherever ccodesk happened to be started from): an
export offered in a program's own folder is a file the officer cannot find afterwards.
"""

from __future__ import annotations

from pathlib import Path

_last_folder: Path | None = None


def start_path(name: str = "") -> str:
    """The path a save or open dialog starts at: `name` in the last folder chosen (or home)."""
    folder = _last_folder if _last_folder is not None and _last_folder.is_dir() else Path.home()
    return str(folder / name) if name else str(folder)


def remember(chosen: str) -> None:
    """Note the folder of a file the officer chose, for the next dialog."""
    global _last_folder
    if chosen:
        _last_folder = Path(chosen).parent
