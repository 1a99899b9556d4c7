"""The first-run wizard, end to end with real keys and clicks."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from ccodesk.services.engagements import EngagementFilter, count_engagements
from ccodesk.store import open_store
from ccodesk.store.keys import PLAIN_FILE
from ccodesk.ui.first_run import FirstRunWizard
from tests.support.fit import LAPTOPS, assert_fits


def _fill_identity(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    page = wizard.identity
    assert not page.isComplete()
    page.borough.setCurrentIndex(page.borough.findText("Lewisham"))
    qtbot.keyClicks(page.officer, "Grace Mensah")
    page.role.setCurrentIndex(1)  # BLO
    assert page.isComplete()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_wizard_with_keyring_and_demo_data(qtbot: QtBot, tmp_path: Path) -> None:
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=True)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_identity(qtbot, wizard)
    assert wizard.currentPage() is wizard.keys
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.demo_page.demo.isChecked()
    with qtbot.waitSignal(wizard.accepted, timeout=60_000):
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton
        )
    assert wizard.store is not None
    assert wizard.store.officer_role == "blo"
    assert wizard.store.info.protection == "keyring"
    with wizard.store.session() as session:  # a borough-year of demo data
        assert count_engagements(session, EngagementFilter()) == 300
    wizard.store.close()
    with open_store(tmp_path / "store") as again:
        assert again.borough_code == "lewisham"
        assert again.officer_name == "Grace Mensah"


def test_wizard_with_a_passphrase(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=False)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_identity(qtbot, wizard)
    keys = wizard.keys
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.keyClicks(keys.passphrase, "short")
    assert not next_button.isEnabled()
    assert "at least 8" in keys.hint.text()
    qtbot.keyClicks(keys.passphrase, " but now long")
    qtbot.keyClicks(keys.confirm, "short but not the same")
    assert keys.hint.text() == "The two passphrases differ."
    keys.confirm.clear()
    qtbot.keyClicks(keys.confirm, "short but now long")
    assert next_button.isEnabled()
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    wizard.demo_page.demo.setChecked(False)
    with qtbot.waitSignal(wizard.accepted, timeout=30_000):
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton
        )
    assert wizard.store is not None
    assert wizard.store.info.protection == "keyfile"
    assert wizard.store.pending_changes() == 0
    wizard.store.close()
    monkeypatch.setenv("CCODESK_PASSPHRASE", "short but now long")
    with open_store(tmp_path / "store") as again:
        assert again.officer_name == "Grace Mensah"


def test_cancelling_creates_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=True)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_identity(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert wizard.store is None
    assert not (tmp_path / "store").exists()


def test_a_plaintext_keyring_is_refused_and_the_reason_shown(qtbot: QtBot, tmp_path: Path) -> None:
    keyring.set_keyring(PlaintextKeyring())  # the only backend, as with keyrings.alt installed
    wizard = FirstRunWizard(tmp_path / "store")
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_identity(qtbot, wizard)
    keys = wizard.keys
    assert wizard.currentPage() is keys
    assert not keys.keyring_available
    assert keys.reason.isVisible() and keys.reason.text() == PLAIN_FILE
    assert "keyring" not in keys.subTitle()  # never "kept in this computer's keyring"
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    qtbot.keyClicks(keys.passphrase, "a long passphrase")
    qtbot.keyClicks(keys.confirm, "a long passphrase")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    wizard.demo_page.demo.setChecked(False)
    with qtbot.waitSignal(wizard.accepted, timeout=30_000):
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton
        )
    assert wizard.store is not None and wizard.store.info.protection == "keyfile"
    wizard.store.close()
    plain = Path(PlaintextKeyring().file_path)
    assert not plain.exists() or "ccodesk" not in plain.read_text()


def test_a_real_keyring_is_still_used(qtbot: QtBot, tmp_path: Path) -> None:
    wizard = FirstRunWizard(tmp_path / "store")  # the tests' own backend, judged like any other
    qtbot.addWidget(wizard)
    assert wizard.keys.keyring_available
    assert "keyring" in wizard.keys.subTitle()


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
@pytest.mark.parametrize("keyring_available", [True, False])
def test_wizard_fits_a_laptop(
    qtbot: QtBot, tmp_path: Path, width: int, height: int, keyring_available: bool
) -> None:
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=keyring_available)
    qtbot.addWidget(wizard)
    wizard.show()
    assert_fits(wizard, width, height)
    _fill_identity(qtbot, wizard)
    assert_fits(wizard, width, height)
    if not keyring_available:
        assert wizard.keys.reason.isVisible()
        qtbot.keyClicks(wizard.keys.passphrase, "a long passphrase")
        qtbot.keyClicks(wizard.keys.confirm, "a long passphrase")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.demo_page
    assert_fits(wizard, width, height)
