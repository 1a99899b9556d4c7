"""The desktop app's entry point (`ccodesk`).

Start-up shows the main window first and opens the store behind it: importing SQLAlchemy and
the models, fetching the key, decrypting and checking the schema happen on the thread pool
while the window is already on screen (see `MainWindow.open_in_background`). Only Qt and a few
small modules are imported before the window appears.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from ccodesk.errors import KnownError, StoreError, WrongKey
from ccodesk.store.info import PASSPHRASE_ENV, StoreInfo, default_data_dir, store_exists
from ccodesk.ui.crash import install_excepthook
from ccodesk.ui.main_window import MainWindow
from ccodesk.ui.prompts import ask_passphrase

log = logging.getLogger("ccodesk.ui")

SMOKE_TIMEOUT_MS = 120_000
# Wall-clock times (time.time()) of the last smoke test: "shown" and "ready" (benchmarks).
SMOKE_TIMES: dict[str, float] = {}


def _needs_passphrase(data_dir: Path) -> bool:
    return StoreInfo.read(data_dir).protection == "keyfile" and PASSPHRASE_ENV not in os.environ


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ccodesk")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="open the store in DIR (with --central: the central unit's folder)",
    )
    parser.add_argument(
        "--central",
        action="store_true",
        help="open the central consultation unit's store (the central command line's)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get("CCODESK_CENTRAL_DB"),
        help="with --central: the central database, a SQLite file by default or "
        "postgresql+psycopg://USER@HOST/DB (the password from the keyring or asked for, "
        "never in the URL)",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the main window, check it rendered, and exit",
    )
    args = parser.parse_args(argv)
    explicit_db = any(a == "--db" or a.startswith("--db=") for a in (argv or sys.argv[1:]))
    if explicit_db and not args.central:
        parser.error("--db names a central database: use it with --central")
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    if not args.central and not args.data_dir and not store_exists(data_dir):
        # An officer of a central unit starts ccodesk as everyone does: with no borough store
        # on this computer and a central unit set up, its window opens.
        args.central = _central_set_up()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ccodesk")
    if args.central:
        from ccodesk.ui.central_app import run_central

        return run_central(
            app, Path(args.data_dir) if args.data_dir else None, args.db, smoke=args.smoke_test
        )

    if not store_exists(data_dir):
        _start_logging(smoke=args.smoke_test)
        from ccodesk.ui.first_run import FirstRunWizard

        wizard = FirstRunWizard(data_dir)
        if args.smoke_test:
            return _smoke_first_run(app, wizard)
        if not wizard.exec():
            return 0
        if wizard.central is not None:
            from ccodesk.ui.central_app import show_central

            return show_central(app, wizard.central)
        if wizard.store is None:
            return 0
        window = MainWindow(wizard.store)
        window.show()
        try:
            return int(app.exec())
        finally:
            window.close()
            window.close_store()

    window = MainWindow(data_dir=data_dir)
    launch = _Launch(app, window, data_dir, smoke=args.smoke_test)
    window.show()
    _start_logging(smoke=args.smoke_test)  # after the window: it imports logging.handlers
    try:
        return launch.run()
    finally:
        window.close()
        window.close_store()


def _central_set_up() -> bool:
    """Whether a central unit is set up in its default folder on this computer."""
    from ccodesk.sync.central import CONFIG, default_home

    return (default_home() / CONFIG).exists()


def _start_logging(*, smoke: bool) -> None:
    from ccodesk.logs import configure_logging

    log_path = configure_logging()
    if not smoke:  # a smoke test must fail fast, never wait on a dialog
        install_excepthook(log_path)


class _Launch:
    """Opens the store behind the shown window: passphrase, errors, and the smoke test."""

    def __init__(
        self, app: QCoreApplication, window: MainWindow, data_dir: Path, *, smoke: bool
    ) -> None:
        self.app, self.window, self.data_dir, self.smoke = app, window, data_dir, smoke
        self.exit_code = 0
        window.open_failed.connect(self._failed)
        if smoke:
            window.dashboard_shown.connect(self._dashboard_filled)
            window.store_ready.connect(self._smoke_ready)

    def run(self) -> int:
        if self.smoke:
            self.app.processEvents()  # the window is shown: let it paint
            if not _rendered(self.window):
                print("smoke test: window failed", file=sys.stderr)
                return 1
            SMOKE_TIMES.pop("ready", None)
            SMOKE_TIMES.pop("live", None)
            SMOKE_TIMES["shown"] = time.time()
            QTimer.singleShot(SMOKE_TIMEOUT_MS, self._smoke_timeout)
        if not self._start():
            return self.exit_code
        code = int(self.app.exec())
        return self.exit_code or code

    def _start(self, again: bool = False) -> bool:
        passphrase = None
        try:
            needs = _needs_passphrase(self.data_dir)
        except KnownError as exc:
            self._report(exc)
            return False
        if needs:
            if self.smoke:
                self._report(
                    StoreError(f"The store's keys need a passphrase: set {PASSPHRASE_ENV}.")
                )
                return False
            passphrase = ask_passphrase(self.window, again)
            if passphrase is None:
                log.info("no passphrase given: not opening %s", self.data_dir)
                self.window.close()
                return False
        self.window.open_in_background(passphrase)
        return True

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, WrongKey) and not self.smoke and _needs_passphrase(self.data_dir):
            if self._start(again=True):
                return
            self.app.exit(0)
            return
        self.exit_code = 1
        self.app.exit(1)
        from ccodesk.ui.background import handle_failure

        # a bug: the crash dialog (or, in a smoke test, the traceback) reports it
        handle_failure(exc, self._report)

    def _report(self, exc: BaseException) -> None:
        log.warning("cannot open %s: %s", self.data_dir, exc)
        self.exit_code = 1
        if self.smoke:
            print(f"ccodesk: {exc}", file=sys.stderr)
        else:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(self.window, "ccodesk", str(exc))

    # -- smoke test ----------------------------------------------------------------------------

    def _dashboard_filled(self) -> None:
        """The dashboard is on screen with the store's figures: what the officer waits for
        ("ready": the first time, which may be the last run's lines; "live": the latest)."""
        SMOKE_TIMES.setdefault("ready", time.time())
        SMOKE_TIMES["live"] = time.time()

    def _smoke_ready(self) -> None:
        """Every page is built: check the window renders, and report how long the wait was."""
        dashboard = self.window.dashboard
        if dashboard.board is None:
            dashboard.board_shown.connect(self._smoke_ready)
            return
        SMOKE_TIMES.setdefault("ready", time.time())
        SMOKE_TIMES.setdefault("live", SMOKE_TIMES["ready"])
        ok = _rendered(self.window)
        shown_to_ready = SMOKE_TIMES["ready"] - SMOKE_TIMES["shown"]
        print(
            f"smoke test: {self.window.windowTitle()} rendered "
            f"(dashboard filled {shown_to_ready * 1000:.0f} ms after the window was shown)"
            if ok
            else "smoke test: window failed"
        )
        # the wall-clock marks, for benchmarks that time a process they cannot import into (a
        # frozen build): "smoke times: shown=<epoch> ready=<epoch> live=<epoch>"
        print("smoke times: " + " ".join(f"{k}={v:.6f}" for k, v in sorted(SMOKE_TIMES.items())))
        self.exit_code = 0 if ok else 1
        self.app.exit(self.exit_code)

    def _smoke_timeout(self) -> None:
        print("smoke test: the store did not open in time", file=sys.stderr)
        self.exit_code = 1
        self.app.exit(1)


def _rendered(window: QWidget) -> bool:
    image = window.grab()
    return window.isVisible() and not image.isNull() and image.width() > 0


def _smoke_first_run(app: QCoreApplication, window: QWidget) -> int:
    """Show the first-run wizard, check that it rendered, and say so."""
    window.show()
    app.processEvents()
    ok = _rendered(window)
    print(f"smoke test: {window.windowTitle()} rendered" if ok else "smoke test: window failed")
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
