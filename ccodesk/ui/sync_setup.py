"""First-time sync set-up on the Sync page: send this device's public key to the central unit,
then import the centre's reference bundle after checking its fingerprint. Also the small
widgets the Sync page lays out with (a label that elides, a row that folds when narrow)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QResizeEvent, QTextOption
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ccodesk.sync.device import DeviceKeys
from ccodesk.sync.receive import BundlePreview


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the room it has; the whole text in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(120)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideMiddle, self.width()
        )
        super().setText(shown)


class FoldingRow(QWidget):
    """Widgets side by side when the row is wide enough for them all, one above the other when
    not (or when narrower than `fold_below`). It can always shrink to its widest widget."""

    def __init__(self, fold_below: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fold_below = fold_below
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.widgets: list[QWidget] = []

    def add(self, widget: QWidget) -> None:
        self.widgets.append(widget)
        self.box.addWidget(widget, 1)

    def side_by_side_width(self) -> int:
        shown = [w for w in self.widgets if not w.isHidden()]
        spacing = max(self.box.spacing(), 0) * max(len(shown) - 1, 0)
        return sum(w.minimumSizeHint().width() for w in shown) + spacing

    def minimumSizeHint(self) -> QSize:
        shown = [w.minimumSizeHint() for w in self.widgets if not w.isHidden()]
        if not shown:
            return QSize(0, 0)
        return QSize(max(h.width() for h in shown), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        width = event.size().width()
        wide = width >= self.fold_below and width >= self.side_by_side_width()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _step_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class SetUpPanel(QGroupBox):
    """The two steps of first-time set-up, shown while no central unit is known."""

    save_key_requested = Signal()
    import_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Set up sync with your central unit", parent)
        self.keys: DeviceKeys | None = None

        step1 = QWidget()
        one = QVBoxLayout(step1)
        one.setContentsMargins(0, 0, 0, 0)
        one.addWidget(_step_title("1. Send this device's public key to your central unit"))
        one.addWidget(
            _wrapped(
                "E-mail this key to your central unit (attach the saved file, or paste the "
                "text); it is not secret. They will read its fingerprint back to you, by "
                "phone or in their letter: check it is the one shown here."
            )
        )
        self.key_text = QPlainTextEdit()
        self.key_text.setReadOnly(True)
        self.key_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.key_text.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.key_text.setAccessibleName("This device's public key")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.key_text.setFont(mono)
        lines = self.key_text.fontMetrics().lineSpacing()
        self.key_text.setFixedHeight(lines * 4 + 12)
        one.addWidget(self.key_text)
        self.fingerprint = QLabel()
        self.fingerprint.setWordWrap(True)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setAccessibleName("This device's fingerprint")
        one.addWidget(self.fingerprint)
        self.copy_key = QPushButton("&Copy key")
        self.copy_key.setToolTip("Put the public key on the clipboard, to paste into an e-mail")
        self.copy_key.clicked.connect(self.copy_to_clipboard)
        self.save_key = QPushButton("&Save key as…")
        self.save_key.setToolTip("Save the public key as a file, to attach to an e-mail")
        self.save_key.clicked.connect(self.save_key_requested)
        row = QHBoxLayout()
        row.addWidget(self.copy_key)
        row.addWidget(self.save_key)
        row.addStretch(1)
        one.addLayout(row)
        self.key_note = _wrapped("")
        self.key_note.setAccessibleName("What happened to the key")
        self.key_note.hide()
        one.addWidget(self.key_note)
        one.addStretch(1)

        step2 = QWidget()
        two = QVBoxLayout(step2)
        two.setContentsMargins(0, 0, 0, 0)
        two.addWidget(_step_title("2. Import the central unit's reference bundle"))
        two.addWidget(
            _wrapped(
                "The central unit then sends you its reference bundle (a .ccref file). "
                "ccodesk shows the central unit's fingerprint: trust it only if it is the one "
                "they gave you by phone or in their letter. Then you can export to them."
            )
        )
        self.choose_reference = QPushButton("Choose the &reference bundle…")
        self.choose_reference.clicked.connect(self.import_requested)
        row = QHBoxLayout()
        row.addWidget(self.choose_reference)
        row.addStretch(1)
        two.addLayout(row)
        self.import_note = _wrapped("")
        self.import_note.setAccessibleName("What happened to the reference bundle")
        self.import_note.hide()
        two.addWidget(self.import_note)
        two.addStretch(1)

        self.steps = FoldingRow(fold_below=700)
        self.steps.box.setSpacing(18)
        self.steps.add(step1)
        self.steps.add(step2)
        QVBoxLayout(self).addWidget(self.steps)

    def show_keys(self, keys: DeviceKeys) -> None:
        self.keys = keys
        self.key_text.setPlainText(keys.public_key)
        self.fingerprint.setText(f"Fingerprint: {keys.fingerprint}")

    def copy_to_clipboard(self) -> None:
        if self.keys is None:
            return
        QGuiApplication.clipboard().setText(self.keys.public_key + "\n")
        self.say_key("Copied the key: paste it into your e-mail to the central unit.")

    def say_key(self, text: str) -> None:
        self.key_note.setText(text)
        self.key_note.show()

    def say_import(self, text: str) -> None:
        self.import_note.setText(text)
        self.import_note.setVisible(bool(text))


class TrustCentreDialog(QDialog):
    """Shows a new central unit's fingerprint; only Trust pins its key."""

    def __init__(self, preview: BundlePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle("Trust this central unit?")
        layout = QVBoxLayout(self)
        layout.addWidget(
            _wrapped(
                f"This reference bundle comes from <b>{_escape(preview.sender)}</b>. "
                "Its key's fingerprint is:"
            )
        )
        self.fingerprint = QLabel(preview.signer)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setAccessibleName("The central unit's fingerprint")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(font.pointSizeF() * 1.2 if font.pointSizeF() > 0 else 12)
        self.fingerprint.setFont(font)
        layout.addWidget(self.fingerprint)
        layout.addWidget(
            _wrapped(
                "Compare it with the fingerprint the central unit gave you, by phone or in "
                "their letter. Trust it only if the two are the same: from then on ccodesk "
                "accepts bundles signed with this key, and encrypts your bundles to it."
            )
        )
        buttons = QDialogButtonBox()
        self.trust = buttons.addButton(
            "&Trust this central unit", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.trust.setAutoDefault(False)
        self.cancel.setDefault(True)  # Enter must not trust a key nobody compared
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # As wide as the fingerprint (it must be read whole, not broken), then as tall as the
        # wrapped sentences need at that width.
        margins = layout.contentsMargins()
        self.setMinimumWidth(
            max(480, self.fingerprint.sizeHint().width() + margins.left() + margins.right())
        )
        self.adjustSize()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
