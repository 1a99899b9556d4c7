"""Bugs go to a crash dialog (with the log's path); errors a user can fix get plain words."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from ccodesk.errors import KnownError

log = logging.getLogger("ccodesk.ui")


def show_known_error(parent: object, error: KnownError) -> None:
    """A message the user can act on: no traceback, no 'crash'."""
    QMessageBox.warning(parent if QApplication.instance() else None, "ccodesk", str(error))  # type: ignore[arg-type]


def install_excepthook(log_path: Path) -> None:
    """Route uncaught exceptions: KnownError → plain message, anything else → crash dialog.

    A crash while the crash dialog (or the message) is being shown does not open another:
    it is logged and printed, and the dialog already open stays the one the user sees.
    """
    showing = False

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        text = "".join(traceback.format_exception(kind, error, tb))
        if showing:  # re-entered from inside the dialog's own event loop
            log.error("uncaught exception while reporting another\n%s", text)
            sys.__excepthook__(kind, error, tb)
            return
        showing = True
        try:
            _report(kind, error, tb, text, log_path)
        finally:
            showing = False

    sys.excepthook = hook


def _report(
    kind: type[BaseException],
    error: BaseException,
    tb: TracebackType | None,
    text: str,
    log_path: Path,
) -> None:
    if isinstance(error, KnownError):
        log.warning("%s", error)
        show_known_error(None, error)
        return
    log.error("uncaught exception\n%s", text)
    if QApplication.instance() is None:
        sys.__excepthook__(kind, error, tb)
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "ccodesk has hit a bug",
        "Something went wrong inside ccodesk. Your saved work is safe in the "
        f"store.\n\nPlease send the log file to support:\n{log_path}",
    )
    box.setDetailedText(text)
    box.exec()
