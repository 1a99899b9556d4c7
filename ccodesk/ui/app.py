"""The desktop app's entry point (`ccodesk`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QLineEdit, QMessageBox, QWidget

from ccodesk.errors import KeyUnavailable, KnownError, StoreNotFound
from ccodesk.keystore import PassphrasePrompt
from ccodesk.logs import configure_logging
from ccodesk.store import default_data_dir, open_store
from ccodesk.ui.crash import install_excepthook
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


def no_store_window(data_dir: Path) -> QLabel:
    """Shown until the first-run wizard exists: how to create a store."""
    label = QLabel(
        f"<h2>No store yet</h2><p>There is no ccodesk store in {data_dir}.</p>"
        "<p>Create one with <code>ccodesk-cli init --borough NAME --officer NAME</code>"
        " and fill it with <code>ccodesk-cli demo-data</code>.</p>"
    )
    label.setWindowTitle("ccodesk")
    label.setAccessibleName("No store")
    label.setMargin(24)
    label.resize(560, 240)
    return label


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
    install_excepthook(log_path)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    store = None
    try:
        store = open_store(data_dir, prompt=ask_passphrase(None))
        window: QWidget = MainWindow(store)
    except StoreNotFound:
        window = no_store_window(data_dir)
    except KnownError as exc:
        log.warning("cannot open %s: %s", data_dir, exc)
        if args.smoke_test:
            print(f"ccodesk: {exc}", file=sys.stderr)
            return 1
        QMessageBox.critical(None, "ccodesk", str(exc))
        return 1
    log.info("opened %s", data_dir)
    window.show()
    try:
        if args.smoke_test:
            app.processEvents()
            image = window.grab()
            ok = window.isVisible() and not image.isNull() and image.width() > 0
            print("smoke test: main window rendered" if ok else "smoke test: window failed")
            return 0 if ok else 1
        return int(app.exec())
    finally:
        window.close()
        if store is not None:
            store.close()


if __name__ == "__main__":
    sys.exit(main())
