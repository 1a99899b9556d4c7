"""`ccodesk --central [--db URL]`: the central unit's window over its store.

The store is opened as the central command line opens it (`open_central`: SQLite in the central
unit's folder by default, PostgreSQL by URL). A database password never comes on the command
line nor from a file in clear: a URL holding one is refused; the password is taken from the OS
keyring (service `KEYRING_SERVICE`, the URL as given) or asked for. With no central unit set
up yet, the first-run wizard opens on its central path.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from ccodesk.errors import DatabaseLoginRefused, KnownError, WrongKey
from ccodesk.ui.prompts import ask_database_password, ask_passphrase

if TYPE_CHECKING:
    from ccodesk.sync.central import Central
    from ccodesk.ui.central_window import CentralWindow

log = logging.getLogger("ccodesk.ui")


def _start_logging(smoke: bool) -> None:
    from ccodesk.logs import configure_logging
    from ccodesk.ui.crash import install_excepthook

    log_path = configure_logging()
    if not smoke:  # a smoke test must fail fast, never wait on a dialog
        install_excepthook(log_path)


def _refuse(message: str) -> int:
    print(f"ccodesk: {message}", file=sys.stderr)
    return 2


def run_central(
    app: QCoreApplication, home: Path | None, url: str | None, *, smoke: bool = False
) -> int:
    """Open the central unit in `home` (default: the central command line's) and run its window
    (`smoke`: until the board is shown, then say whether it rendered and exit)."""
    from ccodesk.store.central import (
        keyring_password,
        needs_password,
        refuse_password_in_url,
        shown_url,
    )
    from ccodesk.store.info import PASSPHRASE_ENV, default_data_dir
    from ccodesk.sync.central import CONFIG, CentralConfig, default_home

    home = home or default_home()
    try:
        if url:
            refuse_password_in_url(url)
        _start_logging(smoke)
        if not (home / CONFIG).exists():
            if url:
                return _refuse(
                    f"There is no central unit set up in {home} for the database "
                    f"{shown_url(url)}: ask whoever looks after the central database to set "
                    "it up, or name the central unit's folder with --data-dir."
                )
            if smoke:
                return _refuse(f"There is no central unit set up in {home}.")
            from ccodesk.ui.first_run import FirstRunWizard

            wizard = FirstRunWizard(default_data_dir(), central_home=home, central=True)
            if not wizard.exec() or wizard.central is None:
                return 0
            return show_central(app, wizard.central)
        config = CentralConfig.read(home)
    except KnownError as exc:
        return _refuse(str(exc))
    passphrase = None
    if config.protection == "keyfile" and PASSPHRASE_ENV not in os.environ:
        if smoke:
            return _refuse(f"The central unit's keys need a passphrase: set {PASSPHRASE_ENV}.")
        passphrase = ask_passphrase(None, keys="the central unit's keys")
        if passphrase is None:
            return 0
    password = None
    if url and needs_password(url):
        password = keyring_password(url)
        if password is None and smoke:
            return _refuse(f"No password for {shown_url(url)} in the keyring.")
        if password is None:
            password = ask_database_password(None, shown_url(url))
            if password is None:
                return 0
    from ccodesk.ui.central_window import CentralWindow

    window = CentralWindow(home=home)

    def failed(exc: BaseException) -> None:
        nonlocal passphrase, password
        if smoke or not isinstance(exc, WrongKey | DatabaseLoginRefused):
            _open_failed(app, window, exc, smoke)
            return
        # As the borough window does: a mistyped passphrase or password is asked for again.
        if isinstance(exc, WrongKey) and passphrase is not None:
            passphrase = ask_passphrase(window, True, keys="the central unit's keys")
            retry = passphrase is not None
        elif isinstance(exc, DatabaseLoginRefused) and url:
            password = ask_database_password(window, shown_url(url), again=True)
            retry = password is not None
        else:
            _open_failed(app, window, exc, smoke)
            return
        if retry:
            window.open_in_background(url, passphrase, password or None)
        else:
            app.exit(0)

    window.open_failed.connect(failed)
    if smoke:
        window.central_ready.connect(
            lambda: window.boroughs.board_shown.connect(lambda: _smoke_done(app, window))
        )
    window.show()
    window.open_in_background(url, passphrase, password or None)
    return _run(app, window)


def _smoke_done(app: QCoreApplication, window: CentralWindow) -> None:
    image = window.grab()
    ok = window.isVisible() and not image.isNull() and image.width() > 0
    print(f"smoke test: {window.windowTitle()} rendered" if ok else "smoke test: window failed")
    app.exit(0 if ok else 1)


def _open_failed(
    app: QCoreApplication, window: CentralWindow, exc: BaseException, smoke: bool
) -> None:
    from ccodesk.ui.background import handle_failure

    def known(error: KnownError) -> None:
        log.warning("cannot open the central store: %s", error)
        if smoke:
            print(f"ccodesk: {error}", file=sys.stderr)
        else:
            QMessageBox.critical(window, "ccodesk", str(error))

    handle_failure(exc, known)
    app.exit(1)


def show_central(app: QCoreApplication, central: Central) -> int:
    """Run the central unit's window over a store just created (the wizard's central path)."""
    from ccodesk.ui.central_window import CentralWindow

    window = CentralWindow(central, home=central.home)
    window.show()
    return _run(app, window)


def _run(app: QCoreApplication, window: CentralWindow) -> int:
    try:
        return int(app.exec())
    finally:
        window.close()
        window.close_store()
