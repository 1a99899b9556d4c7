"""The desktop app's entry point (`ccodesk`).

Until the desktop issue lands this opens a simple window on the store: which borough, whose
store, how much it holds, and how many changes the centre has not yet acknowledged.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KeyUnavailable, KnownError, StoreNotFound
from ccodesk.keystore import PassphrasePrompt
from ccodesk.store import Store, default_data_dir, open_store


def _summary(store: Store) -> str:
    from sqlalchemy import func, select

    from ccodesk.models import Engagement, Organisation
    from ccodesk.services.reference import borough_name

    with store.session() as s:
        engagements = s.scalar(
            select(func.count()).select_from(Engagement).where(Engagement.deleted.is_(False))
        )
        organisations = s.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.deleted.is_(False))
        )
    return (
        f"<h2>{borough_name(store.borough_code) or 'Central unit'}</h2>"
        f"<p>Officer: {store.officer_name} ({store.officer_role.upper()})</p>"
        f"<p>{engagements:,} engagements · {organisations:,} organisations</p>"
        f"<p>{store.pending_changes():,} changes not yet acknowledged by the centre</p>"
        f"<p style='color:gray'>Store: {store.data_dir}</p>"
    )


class PlaceholderWindow(QMainWindow):
    """The main window until the desktop workspace exists."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.setWindowTitle("ccodesk")
        body = QWidget()
        layout = QVBoxLayout(body)
        self.label = QLabel(text)
        self.label.setAccessibleName("Store summary")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        layout.addStretch(1)
        self.setCentralWidget(body)
        self.resize(560, 320)


def _ask_passphrase(parent: QWidget | None) -> PassphrasePrompt:
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
    app = QApplication.instance() or QApplication(sys.argv[:1])
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    try:
        with open_store(data_dir, prompt=_ask_passphrase(None)) as store:
            text = _summary(store)
    except StoreNotFound:
        text = (
            f"<h2>No store yet</h2><p>There is no ccodesk store in {data_dir}.</p>"
            "<p>Create one with <code>ccodesk-cli init --borough NAME --officer NAME</code>"
            " and fill it with <code>ccodesk-cli demo-data</code>.</p>"
        )
    except KnownError as exc:
        if args.smoke_test:
            print(f"ccodesk: {exc}", file=sys.stderr)
            return 1
        QMessageBox.critical(None, "ccodesk", str(exc))
        return 1
    window = PlaceholderWindow(text)
    window.show()
    if args.smoke_test:
        app.processEvents()
        image = window.grab()
        ok = window.isVisible() and not image.isNull() and image.width() > 0
        print("smoke test: main window rendered" if ok else "smoke test: main window failed")
        return 0 if ok else 1
    QTimer.singleShot(0, window.raise_)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
