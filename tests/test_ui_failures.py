"""The desktop's one failure policy: a KnownError is shown in plain words by the page that ran
the work, Cancel shows nothing, and a bug reaches the crash dialog (through the global
excepthook), never a warning box; the crash hook does not recurse on a crash inside its dialog.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from types import TracebackType

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from ccodesk.errors import Cancelled, KnownError, StoreBusy
from ccodesk.ui.background import BackgroundJob

Hooked = list[tuple[type[BaseException], BaseException]]


@pytest.fixture
def crash_dialog(monkeypatch: pytest.MonkeyPatch) -> Hooked:
    """What reaches the global excepthook (the crash dialog's door)."""
    seen: Hooked = []

    def hook(kind: type[BaseException], error: BaseException, _tb: TracebackType | None) -> None:
        seen.append((kind, error))

    monkeypatch.setattr(sys, "excepthook", hook)
    return seen


def _run(qtbot, work, **handlers):  # type: ignore[no-untyped-def]
    job = BackgroundJob(work)
    known: list[KnownError] = []
    stopped: list[Cancelled] = []
    job.on_failure(known.append, stopped.append if handlers.get("cancel") else None)
    with qtbot.waitSignal(job.signals.failed, timeout=10_000):
        job.start()
    qtbot.wait(10)
    return known, stopped


def test_a_known_error_goes_to_the_page_in_plain_words(qtbot, crash_dialog: Hooked) -> None:  # type: ignore[no-untyped-def]
    def work(_progress: object, _cancelled: object) -> None:
        raise StoreBusy("The store is busy.")

    known, stopped = _run(qtbot, work, cancel=True)
    assert [str(e) for e in known] == ["The store is busy."]
    assert stopped == [] and crash_dialog == []


def test_cancel_is_no_error(qtbot, crash_dialog: Hooked) -> None:  # type: ignore[no-untyped-def]
    def work(_progress: object, _cancelled: object) -> None:
        raise Cancelled()

    known, stopped = _run(qtbot, work, cancel=True)
    assert known == [] and crash_dialog == [] and len(stopped) == 1
    known, stopped = _run(qtbot, work)  # a page with nothing to say about it
    assert known == [] and crash_dialog == [] and stopped == []


def test_a_bug_reaches_the_crash_dialog(qtbot, crash_dialog: Hooked) -> None:  # type: ignore[no-untyped-def]
    def work(_progress: object, _cancelled: object) -> None:
        raise ZeroDivisionError("a bug")

    known, _stopped = _run(qtbot, work)
    assert known == []
    assert [kind for kind, _error in crash_dialog] == [ZeroDivisionError]


def test_the_crash_hook_does_not_recurse(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """A bug while the crash dialog is open is logged, not shown in a second dialog."""
    from ccodesk.ui.crash import install_excepthook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored afterwards
    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text())
        if len(shown) == 1:  # the dialog's own event loop runs a slot that fails
            try:
                raise RuntimeError("inside the crash dialog")
            except RuntimeError as inner:
                sys.excepthook(RuntimeError, inner, inner.__traceback__)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    install_excepthook(tmp_path / "ccodesk.log")
    try:
        raise ValueError("the first bug")
    except ValueError as first:
        sys.excepthook(ValueError, first, first.__traceback__)
    assert len(shown) == 1 and str(tmp_path / "ccodesk.log") in shown[0]
    assert "inside the crash dialog" in capsys.readouterr().err  # printed, not shown
    try:  # the guard is down again: the next bug gets its dialog
        raise ValueError("a later bug")
    except ValueError as later:
        sys.excepthook(ValueError, later, later.__traceback__)
    assert len(shown) == 2


def test_timetable_work_with_a_bug_is_no_warning_box(
    qtbot, store, monkeypatch: pytest.MonkeyPatch, crash_dialog: Hooked
) -> None:  # type: ignore[no-untyped-def]
    """Before, any failure of the timetable's background work was a warning box."""
    from ccodesk.ui.timetable_page import TimetablePage

    page = TimetablePage(store, today=dt.date(2026, 11, 18))
    qtbot.addWidget(page)
    warned: list[object] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a))

    def buggy(_progress: object) -> object:
        return {}["missing"]

    job = page._in_background("Importing the calendar", buggy, lambda _r: None, start=False)
    with qtbot.waitSignal(job.signals.failed, timeout=10_000):
        job.start()
    qtbot.wait(10)
    assert warned == []
    assert [kind for kind, _error in crash_dialog] == [KeyError]
    # a KnownError is still the page's warning, in plain words
    job = page._in_background(
        "Importing the calendar",
        lambda _p: (_ for _ in ()).throw(KnownError("Could not read x.ics: permission denied")),
        lambda _r: None,
        start=False,
    )
    with qtbot.waitSignal(job.signals.failed, timeout=10_000):
        job.start()
    qtbot.wait(10)
    assert [a[2] for a in warned] == [
        "Importing the calendar failed: Could not read x.ics: permission denied"
    ]


def test_cancel_on_the_sync_page_imports_nothing_and_says_nothing(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_dialog: Hooked
) -> None:
    """The progress dialog's Cancel, pressed before the import runs: Cancelled, no message."""
    import threading

    from PySide6.QtCore import QRunnable, QThreadPool

    from ccodesk.store import create_store
    from ccodesk.sync.central import init_central, reference_bundle, trust_add
    from ccodesk.sync.device import sync_status
    from ccodesk.sync.receive import import_bundle
    from ccodesk.ui.sync_page import SyncPage
    from tests.support.sync_attacks import content_digest

    said: list[str] = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda _p, _t, text, *a, **k: said.append(text))
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    store = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada")
    reference = tmp_path / "ref.ccref"
    reference.write_bytes(reference_bundle(central))
    import_bundle(store, reference, confirm_centre=lambda _fp: True)
    # The centre's next reference bundle trusts a colleague: importing it would change the store.
    with create_store(tmp_path / "blo", borough_code="camden", officer_name="Bo") as blo:
        trust_add(central, "camden", "Bo", blo.public_key_openssh())
    reference.write_bytes(reference_bundle(central))
    central.close()
    with store.session() as s:
        before = content_digest(s)
    page = SyncPage(store)
    qtbot.addWidget(page)
    page.show()

    # The pool busy with something else, so the import waits while Cancel is pressed.
    pool = QThreadPool.globalInstance()
    threads = pool.maxThreadCount()
    release = threading.Event()

    class Busy(QRunnable):
        def run(self) -> None:
            release.wait(10)

    pool.setMaxThreadCount(1)
    try:
        pool.start(Busy())
        job = page.import_from(reference)
        page._progress.findChild(QPushButton).click()  # Cancel
        assert job.cancelled
        release.set()
        with qtbot.waitSignal(job.signals.failed, timeout=10_000) as failed:
            pass
    finally:
        release.set()
        pool.waitForDone()
        pool.setMaxThreadCount(threads)
    qtbot.wait(10)
    assert isinstance(failed.args[0], Cancelled)
    assert said == [] and crash_dialog == []
    with store.session() as s:
        assert content_digest(s) == before
    assert sync_status(store).centre is not None
    store.close()
