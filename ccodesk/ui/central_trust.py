"""The central unit's Trust page: the borough devices whose bundles are accepted (sortable),
adding one from its public key — pasted, or the file its Sync page saves — with the key's
fingerprint in large type to read back over the phone, revoking one with a reason, and the
allowed_signers file and the reference bundle written for the boroughs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccodesk.errors import KnownError
from ccodesk.services.central_trust import (
    KeyPreview,
    TrustRow,
    boroughs,
    check_key,
    export_allowed_signers,
    export_reference_bundle,
    read_key_file,
    trust_rows,
)
from ccodesk.sync.central import Central, trust_add, trust_revoke
from ccodesk.ui.central_boroughs import BoardTable
from ccodesk.ui.file_dialogs import remember, start_path
from ccodesk.ui.tables import RowsModel, rows_table
from ccodesk.words import plural

Index = QModelIndex | QPersistentModelIndex
REVOKED = QColor("#6b6b6b")
REFUSED = "color: #b00020;"


class TrustModel(RowsModel[TrustRow]):
    """The trusted devices (revoked ones greyed)."""

    BOROUGH, OFFICER, FINGERPRINT, ADDED, REVOKED = range(5)
    HEADERS = ("Borough", "Officer", "Fingerprint", "Added", "Revoked")

    def foreground(self, row: TrustRow, column: int) -> QColor | None:
        return REVOKED if row.revoked_at is not None else None

    def text(self, row: TrustRow, column: int) -> str:
        if column == self.BOROUGH:
            return row.borough or "(no borough)"
        if column == self.OFFICER:
            return row.officer
        if column == self.FINGERPRINT:
            return row.fingerprint
        if column == self.ADDED:
            return f"{row.added_at:%d %b %Y}"
        return f"{row.revoked_at:%d %b %Y}" if row.revoked_at else ""

    def sort_key(self, row: TrustRow, column: int) -> Any:
        if column == self.ADDED:
            return row.added_at.isoformat()
        if column == self.REVOKED:  # the trusted ones last, oldest revocations first
            return row.revoked_at.isoformat() if row.revoked_at else "~"
        return self.text(row, column).lower()


class AddDeviceDialog(QDialog):
    """A device's public key (pasted or from its file), its borough and officer, and its
    fingerprint in large type, to read back over the phone before trusting it."""

    def __init__(self, central: Central, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.central = central
        self.preview: KeyPreview | None = None
        self.added: TrustRow | None = None
        self.setWindowTitle("Add a borough device")
        self.setMinimumWidth(640)  # the fingerprint in large type on one line
        self.key_text = QPlainTextEdit()
        self.key_text.setPlaceholderText("ssh-ed25519 AAAA… ccodesk:camden:…")
        self.key_text.setAccessibleName("The device's public key")
        self.key_text.setMaximumHeight(80)
        self.key_text.textChanged.connect(self._read_key)
        key_label = QLabel("Paste the device's public &key, or load the file it saved:")
        key_label.setWordWrap(True)
        key_label.setBuddy(self.key_text)
        self.load_button = QPushButton("&Load key file…")
        self.load_button.clicked.connect(self.pick_key_file)
        self.borough = QComboBox()
        self.borough.setAccessibleName("Borough")
        self.borough.addItem("Choose the borough…", None)
        for code, name in boroughs():
            self.borough.addItem(name, code)
        self.borough.currentIndexChanged.connect(self._update)
        self.officer = QLineEdit()
        self.officer.setAccessibleName("Officer")
        self.officer.textChanged.connect(self._update)
        form = QFormLayout()
        form.addRow("&Borough:", self.borough)
        form.addRow("&Officer:", self.officer)
        for field in (self.borough, self.officer):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field)
        self.fingerprint = QLabel()
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setWordWrap(True)
        self.fingerprint.setAccessibleName("Fingerprint")
        big = QFont(self.fingerprint.font())
        big.setPointSizeF(big.pointSizeF() * 1.4)
        big.setStyleHint(QFont.StyleHint.Monospace)
        big.setFamily("monospace")
        self.fingerprint.setFont(big)
        self.read_back = QLabel(
            "Read this fingerprint to the officer over the phone: their device's Sync page "
            "shows the same. Trust the key only if every character matches."
        )
        self.read_back.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(REFUSED)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.trust_button = self.buttons.addButton(
            "&Trust this device", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.trust)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(key_label)
        layout.addWidget(self.key_text)
        load_row = QHBoxLayout()
        load_row.addWidget(self.load_button)
        load_row.addStretch(1)
        layout.addLayout(load_row)
        layout.addLayout(form)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.read_back)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._read_key()

    def pick_key_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Load a device's public key", start_path(), "Public keys (*.pub);;All files (*)"
        )
        if chosen:
            remember(chosen)
            self.load_key_file(Path(chosen))

    def load_key_file(self, path: Path) -> None:
        """Put the key file's line in the box (a file that is no key is refused in words)."""
        try:
            text = read_key_file(path)
        except KnownError as exc:
            self.key_text.clear()
            self.problem.setText(str(exc))
            return
        self.key_text.setPlainText(text)

    def _read_key(self) -> None:
        text = self.key_text.toPlainText()
        self.preview = None
        self.problem.clear()
        if text.strip():
            try:
                self.preview = check_key(text)
            except KnownError as exc:
                self.problem.setText(str(exc))
                if "PRIVATE KEY" in text:  # never left on screen
                    self.key_text.blockSignals(True)
                    self.key_text.clear()
                    self.key_text.blockSignals(False)
        preview = self.preview
        self.fingerprint.setText(preview.fingerprint if preview else "")
        self.fingerprint.setVisible(preview is not None)
        self.read_back.setVisible(preview is not None)
        if preview is not None and preview.borough and self.borough.currentData() is None:
            found = self.borough.findData(preview.borough)
            if found >= 0:
                self.borough.setCurrentIndex(found)
        self._update()

    def _update(self) -> None:
        self.trust_button.setEnabled(
            self.preview is not None
            and self.borough.currentData() is not None
            and bool(self.officer.text().strip())
        )

    def trust(self) -> None:
        """Trust the key; a refusal (already trusted, …) is said here and nothing is written."""
        if self.preview is None or not self.trust_button.isEnabled():
            return
        try:
            row = trust_add(
                self.central,
                str(self.borough.currentData()),
                self.officer.text().strip(),
                self.preview.text,
            )
        except KnownError as exc:
            self.problem.setText(str(exc))
            return
        self.added = next(r for r in trust_rows(self.central) if r.fingerprint == row.fingerprint)
        self.accept()


class RevokeDialog(QDialog):
    """Asks before a device is revoked, with the reason (kept in the audit trail)."""

    def __init__(self, row: TrustRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setWindowTitle("Revoke a device")
        said = QLabel(
            f"Revoke the device of {row.officer} ({row.borough or 'no borough'}), "
            f"fingerprint {row.fingerprint}? Its bundles will no longer be merged; the key "
            "stays listed as revoked."
        )
        said.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("e.g. laptop lost, officer left the borough")
        self.reason.textChanged.connect(self._update)
        reason_label = QLabel("&Reason:")
        reason_label.setBuddy(self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.revoke_button = self.buttons.addButton(
            "&Revoke", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(said)
        row_layout = QHBoxLayout()
        row_layout.addWidget(reason_label)
        row_layout.addWidget(self.reason, 1)
        layout.addLayout(row_layout)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        self.revoke_button.setEnabled(bool(self.reason.text().strip()))


class TrustPage(QWidget):
    """The trusted devices and what the centre does with them; `changed` after an add or a
    revocation, `borough_wanted` with a borough's code when a device is opened (double-click
    or Enter: its borough's devices and bundles)."""

    changed = Signal()
    borough_wanted = Signal(str)

    def __init__(self, central: Central, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.central = central
        self.add_dialog: AddDeviceDialog | None = None
        self.revoke_dialog: RevokeDialog | None = None
        hint = QLabel(
            "Bundles are merged only from the devices trusted here. After adding or revoking "
            "one, export the reference bundle for the boroughs to import."
        )
        hint.setWordWrap(True)
        self.model = TrustModel()
        self.table = BoardTable()  # Enter opens the current row, as a double-click does
        _view, self.proxy = rows_table(self.model, "Trusted devices", self, view=self.table)
        self.table.sortByColumn(TrustModel.BOROUGH, Qt.SortOrder.AscendingOrder)
        sample = "SHA256:" + "M" * 43  # a fingerprint's length, shown whole
        fingerprint_width = self.table.fontMetrics().horizontalAdvance(sample) + 24
        for column, width in ((0, 150), (1, 160), (2, fingerprint_width), (3, 100)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.table.doubleClicked.connect(self.open_device)
        self.table.opened.connect(self.open_device)
        self.add_button = QPushButton("&Add device…")
        self.add_button.clicked.connect(self.add_device)
        self.revoke_button = QPushButton("&Revoke…")
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.signers_button = QPushButton("Export allowed_&signers…")
        self.signers_button.clicked.connect(lambda: self.export_signers())
        self.reference_button = QPushButton("Export reference &bundle…")
        self.reference_button.clicked.connect(lambda: self.export_reference())
        buttons = QHBoxLayout()
        for button in (self.add_button, self.revoke_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.signers_button, self.reference_button):
            buttons.addWidget(button)
        self.said = QLabel()
        self.said.setWordWrap(True)
        self.said.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.said)
        self._update()

    def refresh(self) -> None:
        self.model.set_rows(trust_rows(self.central))
        trusted = sum(r.revoked_at is None for r in self.model.rows)
        revoked = len(self.model.rows) - trusted
        self.table.setToolTip(
            f"{plural(trusted, 'device')} trusted, {revoked} revoked" if revoked else ""
        )
        self._update()

    def selected(self) -> TrustRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: TrustRow = self.proxy.data(rows[0], TrustModel.OBJECT_ROLE)
        return row

    def open_device(self, index: QModelIndex) -> None:
        row: TrustRow | None = self.proxy.data(index, TrustModel.OBJECT_ROLE)
        if row is not None and row.borough_code:
            self.borough_wanted.emit(row.borough_code)

    def _update(self) -> None:
        chosen = self.selected()
        self.revoke_button.setEnabled(chosen is not None and chosen.revoked_at is None)

    def _say(self, text: str, refused: bool = False) -> None:
        self.said.setStyleSheet(REFUSED if refused else "")
        self.said.setText(text)

    # -- adding and revoking ---------------------------------------------------------------

    def add_device(self) -> AddDeviceDialog:
        """Open the Add device dialog (not modal to the tests: `open`, not `exec`)."""
        dialog = self.add_dialog = AddDeviceDialog(self.central, self)
        dialog.accepted.connect(lambda: self._added(dialog))
        dialog.open()
        return dialog

    def _added(self, dialog: AddDeviceDialog) -> None:
        row = dialog.added
        self.refresh()
        if row is not None:
            self._say(
                f"Trusted {row.fingerprint} for {row.borough or 'no borough'}, {row.officer}. "
                "Export the reference bundle for the borough to import."
            )
        self.changed.emit()

    def revoke_selected(self) -> RevokeDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.revoked_at is not None:
            return None
        dialog = self.revoke_dialog = RevokeDialog(chosen, self)
        dialog.accepted.connect(lambda: self._revoke(dialog))
        dialog.open()
        return dialog

    def _revoke(self, dialog: RevokeDialog) -> None:
        row = dialog.row
        try:
            trust_revoke(self.central, row.fingerprint, dialog.reason.text())
        except KnownError as exc:
            self._say(str(exc), refused=True)
        else:
            self._say(
                f"Revoked {row.fingerprint} ({row.borough or 'no borough'}, {row.officer}) on "
                f"{dt.date.today():%d %b %Y}. Export the reference bundle for the boroughs."
            )
            self.changed.emit()
        self.refresh()

    # -- exports ---------------------------------------------------------------------------

    def _save_path(self, title: str, name: str, kinds: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            title,
            start_path(name),
            kinds,
            options=QFileDialog.Option.DontConfirmOverwrite,  # asked below, in our words
        )
        if not chosen:
            return None
        remember(chosen)
        return Path(chosen)

    def _may_replace(self, path: Path) -> bool | None:
        """False when the file exists and the user keeps it (None: nothing to ask)."""
        if not path.exists():
            return None
        answer = QMessageBox.question(
            self,
            "Replace the file?",
            f"{path} already exists. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def export_signers(self, path: Path | None = None) -> Path | None:
        """Write the allowed_signers file, for checking bundles with ssh-keygen."""
        path = path or self._save_path("Export allowed_signers", "allowed_signers", "All files (*)")
        if path is None:
            return None
        replace = self._may_replace(path)
        if replace is False:
            self._say(f"{path} was left as it was; nothing was written.")
            return None
        try:
            count = export_allowed_signers(self.central, path, overwrite=bool(replace))
        except KnownError as exc:
            self._say(str(exc), refused=True)
            return None
        self._say(f"Wrote {plural(count, 'signer')} to {path}.")
        return path

    def export_reference(self, path: Path | None = None) -> Path | None:
        """Write the signed reference bundle for the boroughs to import."""
        path = path or self._save_path(
            "Export the reference bundle", "reference.ccref", "Reference bundles (*.ccref)"
        )
        if path is None:
            return None
        replace = self._may_replace(path)
        if replace is False:
            self._say(f"{path} was left as it was; nothing was written.")
            return None
        try:
            export_reference_bundle(self.central, path, overwrite=bool(replace))
        except KnownError as exc:
            self._say(str(exc), refused=True)
            return None
        self._say(
            f"Wrote the reference bundle to {path} (signed by {self.central.fingerprint()}). "
            "Send it to the boroughs to import on their Sync page."
        )
        return path
