"""Long work off the UI thread: one QRunnable adapter and a progress dialog with Cancel.

Work is a plain function from the services, `work(progress, cancelled)`, that reports progress
through `progress(done, total, what)` and stops when `cancelled()` turns true by raising
`Cancelled` inside its transaction (which rolls back, so a cancelled job writes nothing).

One failure policy (`BackgroundJob.on_failure`, `handle_failure`): `Cancelled` is no error and
shows nothing unless the caller asks; a `KnownError` goes to the caller, which shows its plain
words; anything else is a bug, handed to the crash dialog through the global excepthook.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ccodesk.errors import Cancelled, KnownError

log = logging.getLogger("ccodesk.ui")

Progress = Callable[[int, int, str], None]
Work = Callable[[Progress, Callable[[], bool]], Any]
Known = Callable[[KnownError], object]
Stopped = Callable[[Cancelled], object]


def report_bug(error: BaseException) -> None:
    """Hand a bug to the crash dialog (the global excepthook, `ccodesk.ui.crash`)."""
    sys.excepthook(type(error), error, error.__traceback__)


def handle_failure(error: BaseException, known: Known, cancelled: Stopped | None = None) -> None:
    """The failure policy: Cancelled → `cancelled` (or nothing), KnownError → `known`, and
    anything else → the crash dialog."""
    if isinstance(error, Cancelled):
        if cancelled is not None:
            cancelled(error)
    elif isinstance(error, KnownError):
        known(error)
    else:
        report_bug(error)


class _Signals(QObject):
    progress = Signal(int, int, str)
    partial = Signal(object)  # a first result, before the whole (the work emits it itself)
    succeeded = Signal(object)
    failed = Signal(object)


class BackgroundJob(QRunnable):
    """Runs `work` on the global thread pool, turning its progress into Qt signals."""

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work
        self.signals = _Signals()
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        """Whether `run` has finished (its signals are sent; dropping the job is safe)."""
        return self._done.is_set()

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, self._cancel.is_set)
        except Exception as exc:  # handed to the UI thread, which decides how to show it
            log.info("background job ended with %r", exc)
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self._done.set()

    def start(self) -> None:
        QThreadPool.globalInstance().start(self)

    def on_failure(self, known: Known, cancelled: Stopped | None = None) -> None:
        """When the work fails: `known(error)` for a KnownError (show its words),
        `cancelled(error)` when the user cancelled (nothing was written), the crash dialog
        for anything else (see `handle_failure`)."""
        self.signals.failed.connect(lambda error: handle_failure(error, known, cancelled))


class ProgressDialog(QProgressDialog):
    """A modal progress dialog bound to a job: Cancel cancels the job."""

    def __init__(self, job: BackgroundJob, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, "Cancel", 0, 0, parent)
        self.setWindowTitle(title)
        from PySide6.QtCore import Qt  # not at import: this module loads before the window shows

        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(300)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)  # the title and "Finding the file's events…" whole
        self.job = job
        self.canceled.connect(job.cancel)
        job.signals.progress.connect(self._on_progress)
        job.signals.succeeded.connect(self._done)
        job.signals.failed.connect(self._done)

    def _on_progress(self, done: int, total: int, what: str) -> None:
        self.setMaximum(total)
        self.setValue(done)
        self.setLabelText(what)

    def _done(self, _result: object) -> None:
        self.reset()
        self.hide()
