"""The desktop app's entry point (`ccodesk`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QWidget

from ccodesk.errors import KeyUnavailable, KnownError, StoreNotFound
from ccodesk.keystore import PassphrasePrompt
from ccodesk.logs import configure_logging
from ccodesk.store import default_data_dir, open_store
from ccodesk.ui.crash import install_excepthook
from ccodesk.ui.first_run import FirstRunWizard
from ccodesk.ui.main_window import MainWindow

log = logging.getLogger("ccodesk.ui")


def ask_passphrase(parent: QWidget | None) -> PassphrasePrompt:
    def prompt(_confirm: bool) -> str:
        text, ok = QInputDialog.getText(
            parent, "ccodesk", "Passphrase for the store's keys:", QLineEdit.EchoMode.Password
        )
        if not ok:
            raise KeyUnavailable("No passphrase was given, so the store stays locked.")
        return text

    return prompt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ccodesk")
    parser.add_argument("--data-dir", metavar="DIR", help="open the store in DIR")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the main window, check it rendered, and exit",
    )
    args = parser.parse_args(argv)
    log_path = configure_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ccodesk")
    if not args.smoke_test:  # a smoke test must fail fast, never wait on a dialog
        install_excepthook(log_path)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    store = None
    try:
        store = open_store(data_dir, prompt=ask_passphrase(None))
    except StoreNotFound:
        wizard = FirstRunWizard(data_dir)
        if args.smoke_test:
            return _smoke(app, wizard)
        if not wizard.exec() or wizard.store is None:
            return 0
        store = wizard.store
    except KnownError as exc:
        log.warning("cannot open %s: %s", data_dir, exc)
        if args.smoke_test:
            print(f"ccodesk: {exc}", file=sys.stderr)
            return 1
        QMessageBox.critical(None, "ccodesk", str(exc))
        return 1
    log.info("opened %s", data_dir)
    window = MainWindow(store)
    try:
        if args.smoke_test:
            return _smoke(app, window)
        window.show()
        return int(app.exec())
    finally:
        window.close()
        store.close()


def _smoke(app: QCoreApplication, window: QWidget) -> int:
    """Show `window`, check that it rendered, and say so (for CI and the installer)."""
    window.show()
    app.processEvents()
    image = window.grab()
    ok = window.isVisible() and not image.isNull() and image.width() > 0
    print(f"smoke test: {window.windowTitle()} rendered" if ok else "smoke test: window failed")
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
