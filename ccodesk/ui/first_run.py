"""The first-run wizard: who and where you are, how the keys are kept, and demo data — or,
for an officer of a central consultation unit, the central store and its keys, created as
the central command line's `init` creates them."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from ccodesk.errors import KnownError
from ccodesk.models import OfficerRole
from ccodesk.resource_files import load_json
from ccodesk.services.demo import load_demo_data
from ccodesk.store import Store, create_store
from ccodesk.store.keys import MIN_PASSPHRASE, NO_KEYRING, judge_keyring
from ccodesk.ui.background import BackgroundJob, ProgressDialog, handle_failure

if TYPE_CHECKING:
    from ccodesk.sync.central import Central

log = logging.getLogger("ccodesk.ui")

CENTRAL_NAME = "Central consultation unit"

ROLES = (OfficerRole.CCO, OfficerRole.BLO, OfficerRole.CSO)


class IdentityPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Welcome to ccodesk")
        self.setSubTitle("Tell ccodesk where you work and who you are.")
        self.in_borough = QRadioButton("I work &in a borough (CCO, BLO or CSO)")
        self.in_centre = QRadioButton("I work in a &central consultation unit")
        self.in_borough.setChecked(True)
        self.place = QButtonGroup(self)
        self.place.addButton(self.in_borough)
        self.place.addButton(self.in_centre)
        self.unit_name = QLineEdit(CENTRAL_NAME)
        self.unit_name.setAccessibleName("The unit's name")
        self.borough = QComboBox()
        self.borough.addItem("Choose a borough…", None)
        for b in sorted(load_json("reference", "boroughs.json"), key=lambda b: b["name"]):
            self.borough.addItem(b["name"], b["code"])
        self.officer = QLineEdit()
        self.officer.setPlaceholderText("e.g. Ada Okafor")
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(role.label, role.value)
        form = QFormLayout(self)
        form.addRow(self.in_borough)
        form.addRow(self.in_centre)
        self.form = form
        form.addRow("&Borough:", self.borough)
        form.addRow("Your na&me:", self.officer)  # Alt+N is the wizard's Next
        form.addRow("Your &role:", self.role)
        form.addRow("The &unit's name:", self.unit_name)
        self.borough.currentIndexChanged.connect(self.completeChanged)
        self.officer.textChanged.connect(self.completeChanged)
        self.unit_name.textChanged.connect(self.completeChanged)
        self.in_centre.toggled.connect(self._place_changed)
        self._place_changed()

    @property
    def central(self) -> bool:
        """Whether the officer works in a central consultation unit."""
        return self.in_centre.isChecked()

    def _place_changed(self) -> None:
        central = self.central
        for widget in (self.borough, self.officer, self.role):
            self.form.setRowVisible(widget, not central)
        self.form.setRowVisible(self.unit_name, central)
        self.setSubTitle(
            "The central unit's store will hold what every borough sends; its keys sign "
            "receipts and reference bundles."
            if central
            else "Tell ccodesk which borough this store is for and who you are."
        )
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if self.central:
            return bool(self.unit_name.text().strip())
        return self.borough.currentData() is not None and bool(self.officer.text().strip())


class KeysPage(QWizardPage):
    """How the store's key is kept: in this computer's keyring if it is fit for secrets,
    otherwise under a passphrase, with the reason why."""

    def __init__(self, keyring_available: bool, reason: str = "") -> None:
        super().__init__()
        self.keyring_available = keyring_available
        self.setTitle("Protecting the store")
        layout = QVBoxLayout(self)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("Passphrase again")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.reason = QLabel(reason or NO_KEYRING)
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("Why a passphrase")
        if keyring_available:
            self.setSubTitle(
                "The store is encrypted. Its key will be kept in this computer's "
                "keyring, so you will not need to type anything to open it."
            )
            layout.addWidget(QLabel("Nothing to choose here: press Next."))
        else:
            self.setSubTitle(
                "The store is encrypted. Its key is sealed with a passphrase you will type "
                "at every start."
            )
            layout.addWidget(self.reason)
            form = QFormLayout()
            form.addRow("&Passphrase:", self.passphrase)
            form.addRow("&Again:", self.confirm)
            layout.addLayout(form)
            layout.addWidget(self.hint)
            self.passphrase.textChanged.connect(self._check)
            self.confirm.textChanged.connect(self._check)
            self._check()

    def _check(self) -> None:
        self.hint.setText(
            self.problem() or "Keep the passphrase safe: without it the store cannot be opened."
        )
        self.completeChanged.emit()

    def problem(self) -> str:
        if self.keyring_available:
            return ""
        if len(self.passphrase.text()) < MIN_PASSPHRASE:
            return f"The passphrase needs at least {MIN_PASSPHRASE} characters."
        if self.passphrase.text() != self.confirm.text():
            return "The two passphrases differ."
        return ""

    def isComplete(self) -> bool:
        return not self.problem()


class DemoPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Ready")
        self.setSubTitle("ccodesk will create the encrypted store when you press Finish.")
        self.demo = QCheckBox("Load a year of &demo data to try ccodesk out")
        self.demo.setChecked(True)
        QVBoxLayout(self).addWidget(self.demo)


class FirstRunWizard(QWizard):
    """Creates the store (and optionally demo data); `store` holds it once accepted — or,
    on the central path, the central unit in `central_home`: then `central` holds it."""

    def __init__(
        self,
        data_dir: Path,
        keyring_available: bool | None = None,
        *,
        central_home: Path | None = None,
        central: bool = False,
    ) -> None:
        super().__init__()
        self.setWindowTitle("ccodesk — first run")
        self.data_dir = data_dir
        self._central_home = central_home
        self.store: Store | None = None
        self.central: Central | None = None
        self.identity = IdentityPage()
        if keyring_available is None:  # judged here, not trusted blindly: see store.keys
            verdict = judge_keyring()
            self.keys = KeysPage(verdict.usable, verdict.reason)
        else:
            self.keys = KeysPage(keyring_available)
        self.demo_page = DemoPage()
        for page in (self.identity, self.keys, self.demo_page):
            self.addPage(page)
        self.identity.in_centre.setChecked(central)
        self.job: BackgroundJob | None = None

    @property
    def central_home(self) -> Path:
        """Where the central unit's store and keys go (the central command line's default)."""
        if self._central_home is None:
            from ccodesk.sync.central import default_home

            self._central_home = default_home()
        return self._central_home

    def nextId(self) -> int:
        """The central path ends after the keys: no demo data at the centre."""
        if self.currentPage() is self.keys and self.identity.central:
            return -1
        return super().nextId()

    def accept(self) -> None:
        if self.identity.central:
            self._accept_central()
            return
        if self.store is None:
            try:
                self.store = self._create()
            except KnownError as exc:
                QMessageBox.warning(self, "ccodesk", str(exc))
                return
        if self.demo_page.demo.isChecked() and self.job is None:
            self._load_demo(self.store)
            return
        super().accept()

    def _accept_central(self) -> None:
        """Create the central unit's store and keys as the central command line's `init` does."""
        if self.central is None:
            from ccodesk.sync.central import init_central

            passphrase = self.keys.passphrase.text()
            try:
                self.central = init_central(
                    self.central_home,
                    None,
                    self.identity.unit_name.text().strip(),
                    lambda _confirm: passphrase,
                )
            except KnownError as exc:
                QMessageBox.warning(self, "ccodesk", str(exc))
                return
            log.info("created the central unit in %s", self.central_home)
        super().accept()

    def _create(self) -> Store:
        passphrase = self.keys.passphrase.text()
        store = create_store(
            self.data_dir,
            borough_code=self.identity.borough.currentData(),
            officer_name=self.identity.officer.text().strip(),
            officer_role=OfficerRole(self.identity.role.currentData()),
            prompt=lambda _confirm: passphrase,
            use_keyring=self.keys.keyring_available,
        )
        log.info("created store in %s", self.data_dir)
        return store

    def _load_demo(self, store: Store) -> None:
        def work(progress, cancelled):  # type: ignore[no-untyped-def]
            return load_demo_data(
                store,
                scale=1,
                seed=1,
                anchor=dt.date.today(),
                progress=progress,
                cancelled=cancelled,
            )

        self.job = BackgroundJob(work)
        self.progress = ProgressDialog(self.job, "Loading demo data…", self)
        self.job.signals.succeeded.connect(lambda _r: super(FirstRunWizard, self).accept())
        self.job.signals.failed.connect(self._demo_failed)
        self.job.start()

    def _demo_failed(self, error: Exception) -> None:
        # The store exists and is empty: go on without demo data rather than lose it. Cancel
        # says nothing; a bug goes to the crash dialog, not into an information box.
        handle_failure(
            error,
            lambda known: QMessageBox.information(
                self, "ccodesk", f"No demo data was loaded: {known}"
            ),
        )
        super().accept()
