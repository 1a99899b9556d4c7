"""Secrets typed by the officer at start-up: the store's passphrase, a database's password."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget


def ask_passphrase(
    parent: QWidget | None, again: bool = False, *, keys: str = "the store's keys"
) -> str | None:
    """The passphrase typed by the officer, or None when they cancel."""
    label = f"Passphrase for {keys}:"
    if again:
        label = "That passphrase did not unlock the keys. Try again:"
    text, ok = QInputDialog.getText(parent, "ccodesk", label, QLineEdit.EchoMode.Password)
    return text if ok else None


def ask_database_password(parent: QWidget | None, shown: str, again: bool = False) -> str | None:
    """The central database's password typed by the officer, or None when they cancel."""
    said = "The database refused that password. " if again else ""
    text, ok = QInputDialog.getText(
        parent,
        "ccodesk — central unit",
        f"{said}Password for the central database {shown}:",
        QLineEdit.EchoMode.Password,
    )
    return text if ok else None
