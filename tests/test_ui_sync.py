"""The desktop's Sync page, driven with pytest-qt: export, import, status, conflict review."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ccodesk.models import Engagement
from ccodesk.store import create_store
from ccodesk.sync.borough import device_recipient, import_bundle
from ccodesk.sync.central import init_central, reference_bundle, trust_add
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.ui.sync_page import SyncPage
from tests.test_sync import add_engagement, export, rename


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes are recorded instead of shown (they are modal)."""
    messages: list[str] = []
    for name in ("information", "warning"):
        monkeypatch.setattr(
            QMessageBox, name, lambda _parent, _title, text, *a, **k: messages.append(text)
        )
    return messages


def test_export_import_and_status(qtbot, tmp_path: Path, said: list[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    store = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada")
    trust_add(central, "camden", "Ada", store.public_key_openssh())
    (tmp_path / "ref.ccref").write_bytes(reference_bundle(central))
    page = SyncPage(store)
    qtbot.addWidget(page)
    page.show()
    assert page.loaded and page.fields["centre"].text().startswith("not configured")

    # Import the centre's reference bundle: the officer is asked to confirm its fingerprint.
    asked: list[str] = []

    def question(_parent, _title, text, *a, **k):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "ref.ccref"), "")
    )
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.fields["centre"].text().startswith("MPA Central Unit"), timeout=10_000
    )
    assert asked and central.fingerprint() in asked[0]
    assert said and said[-1].startswith("Reference bundle from MPA Central Unit")

    # Export: the file is written in the background and the status follows.
    add_engagement(store, "Camden PCCG")
    target = tmp_path / "out" / "camden-1.ccbundle"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "bundle 1" in page.fields["export"].text(), timeout=10_000)
    assert target.exists() and said[-1].startswith("Wrote bundle 1")
    assert not page.fields["awaiting"].text().startswith("0 changes")

    # The centre merges it; its receipt, imported here, leaves nothing pending.
    outcome = merge_bundle(central, target, tmp_path / "receipts")
    assert outcome.receipt is not None
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(outcome.receipt), ""))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.fields["awaiting"].text().startswith("0 changes"), timeout=10_000)
    assert page.fields["receipt"].text() != "never"

    # A damaged file: a plain message, nothing changed.
    junk = tmp_path / "junk.ccbundle"
    junk.write_bytes(b"not a bundle")
    page.import_from(junk)
    qtbot.waitUntil(lambda: "Importing failed" in said[-1], timeout=10_000)
    store.close()
    central.close()


def test_conflict_review_keeps_the_chosen_version(qtbot, tmp_path: Path, said: list[str]) -> None:  # type: ignore[no-untyped-def]
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    cco = create_store(tmp_path / "cco", borough_code="camden", officer_name="Ada")
    blo = create_store(tmp_path / "blo", borough_code="camden", officer_name="PS Dean")
    for store, officer in ((cco, "Ada"), (blo, "PS Dean")):
        trust_add(central, "camden", officer, store.public_key_openssh())
    (tmp_path / "ref.ccref").write_bytes(reference_bundle(central))
    for store in (cco, blo):
        import_bundle(store, tmp_path / "ref.ccref", confirm_centre=lambda _fp: True)
    shared = add_engagement(cco, "Joint PCCG")
    import_bundle(blo, export(cco, tmp_path / "seed.ccbundle", recipients=[device_recipient(blo)]))
    rename(cco, shared, "Joint PCCG at the library")
    rename(blo, shared, "Joint PCCG at the leisure centre")
    from_blo = export(blo, tmp_path / "blo.ccbundle", recipients=[device_recipient(cco)])
    assert import_bundle(cco, from_blo).merge.conflicts == 1  # type: ignore[union-attr]

    page = SyncPage(cco)
    qtbot.addWidget(page)
    page.show()
    assert page.conflict_list.topLevelItemCount() == 1
    assert page.conflict_list.topLevelItem(0).text(0).startswith("Engagement: Joint PCCG at")
    rows = {
        page.versions.topLevelItem(i).text(0): page.versions.topLevelItem(i)
        for i in range(page.versions.topLevelItemCount())
    }
    assert rows["title"].text(1) == "Joint PCCG at the library"
    assert rows["title"].text(2) == "Joint PCCG at the leisure centre"
    qtbot.mouseClick(page.keep_incoming, Qt.MouseButton.LeftButton)
    assert page.conflict_list.topLevelItemCount() == 0
    assert not page.keep_incoming.isEnabled()
    with cco.session() as s:
        assert s.get(Engagement, shared).title == "Joint PCCG at the leisure centre"  # type: ignore[union-attr]
    # The choice is a new change of this device's, so it goes to the centre next time.
    assert merge_bundle(central, export(cco, tmp_path / "after.ccbundle")).ok
    with central.session() as s:
        assert s.get(Engagement, shared).title == "Joint PCCG at the leisure centre"  # type: ignore[union-attr]
    for closing in (cco, blo, central):
        closing.close()
