"""The first-run wizard, end to end with real keys and clicks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from ccodesk.services.engagements import EngagementFilter, count_engagements
from ccodesk.store import open_store
from ccodesk.ui.first_run import FirstRunWizard


def _fill_identity(qtbot, wizard: FirstRunWizard) -> None:  # type: ignore[no-untyped-def]
    page = wizard.identity
    assert not page.isComplete()
    page.borough.setCurrentIndex(page.borough.findText("Lewisham"))
    qtbot.keyClicks(page.officer, "Grace Mensah")
    page.role.setCurrentIndex(1)  # BLO
    assert page.isComplete()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)


def test_wizard_with_keyring_and_demo_data(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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


def test_wizard_with_a_passphrase(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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


def test_cancelling_creates_nothing(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=True)
    qtbot.addWidget(wizard)
    wizard.show()
    _fill_identity(qtbot, wizard)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert wizard.store is None
    assert not (tmp_path / "store").exists()
