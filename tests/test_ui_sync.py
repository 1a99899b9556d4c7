"""The desktop's Sync page, driven with pytest-qt: first-time set-up with the centre, export,
import, status, conflict review, and fitting a laptop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from ccodesk.cli.central import main as central_cli
from ccodesk.models import Engagement
from ccodesk.store import Store, create_store
from ccodesk.sync.central import (
    init_central,
    open_central,
    reference_bundle,
    trust_add,
    trust_list,
)
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.device import device_keys, device_recipient, sync_status
from ccodesk.sync.receive import import_bundle
from ccodesk.ui.sync_page import NO_CENTRE_YET, SyncPage
from tests.support.fit import LAPTOPS, assert_fits, assert_page_fits
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


def _central_cli(home: Path, *args: str) -> None:
    """The centre's own command line, as the central unit runs it."""
    assert central_cli(["--home", str(home), *args]) == 0


def test_first_time_setup_entirely_in_the_desktop(
    qtbot: QtBot, tmp_path: Path, said: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    central.close()
    store = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada")
    page = SyncPage(store)
    qtbot.addWidget(page)
    page.show()

    # A fresh store: the set-up steps, this device's key and fingerprint; no export yet.
    keys = device_keys(store)
    assert page.setup.isVisible()
    assert page.setup.key_text.toPlainText() == store.public_key_openssh()
    assert keys.fingerprint in page.setup.fingerprint.text()
    assert not page.export_button.isEnabled()
    assert page.export_reason.isVisible() and "reference bundle" in page.export_reason.text()
    assert not page.show_setup.isVisible()  # the set-up is shown anyway

    # Step 1: Copy puts the key on the clipboard; Save as writes the file the centre trusts.
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(page.setup.copy_key, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text().strip() == store.public_key_openssh()
    assert page.setup.key_note.isVisible() and "Copied" in page.setup.key_note.text()
    key_file = tmp_path / "mail" / "ada.pub"
    offered: list[str] = []

    def save_as(
        _parent: object, _title: str, suggested: str, *_a: Any, **_k: Any
    ) -> tuple[str, str]:
        offered.append(suggested)
        return str(key_file), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(page.setup.save_key, Qt.MouseButton.LeftButton)
    assert offered and offered[0].endswith(".pub")
    assert key_file.read_text() == store.public_key_openssh() + "\n"
    assert str(key_file) in page.setup.key_note.text()
    home = tmp_path / "central"
    _central_cli(home, "trust", "add", "--borough", "Camden", "--officer", "Ada", str(key_file))
    reference = tmp_path / "mail" / "centre.ccref"
    _central_cli(home, "reference", "export", "-o", str(reference))
    with open_central(home, None) as centre:
        centre_fingerprint = centre.fingerprint()
        assert keys.fingerprint in {k.fingerprint for k in trust_list(centre)}

    # Step 2: the reference bundle's fingerprint is shown; Cancel trusts nothing.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(reference), ""))
    qtbot.mouseClick(page.setup.choose_reference, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.trust_dialog is not None, timeout=10_000)
    dialog = page.trust_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.fingerprint.text() == centre_fingerprint
    for width, height in LAPTOPS:
        assert_fits(dialog, width, height)
    assert dialog.fingerprint.width() >= dialog.fingerprint.sizeHint().width()  # read whole
    qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
    assert page.trust_dialog is None
    assert "not trusted" in page.setup.import_note.text()
    assert sync_status(store).centre is None and not page.export_button.isEnabled()

    # Trust, after comparing: the centre is pinned, the set-up steps go, export is possible.
    qtbot.mouseClick(page.setup.choose_reference, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.trust_dialog is not None, timeout=10_000)
    dialog = page.trust_dialog
    assert dialog is not None
    with qtbot.waitSignal(page.status_changed, timeout=10_000):
        qtbot.mouseClick(dialog.trust, Qt.MouseButton.LeftButton)
    assert said[-1].startswith("Reference bundle from MPA Central Unit")
    assert centre_fingerprint in (sync_status(store).centre or "")
    assert page.fields["centre"].toolTip().startswith("MPA Central Unit")
    assert not page.setup.isVisible()
    assert page.export_button.isEnabled() and not page.export_reason.isVisible()
    # the key can still be shown (to send again), and folded away again
    assert page.show_setup.isVisible()
    qtbot.mouseClick(page.show_setup, Qt.MouseButton.LeftButton)
    assert page.setup.isVisible()
    assert page.setup.key_text.toPlainText() == store.public_key_openssh()
    qtbot.mouseClick(page.show_setup, Qt.MouseButton.LeftButton)
    assert not page.setup.isVisible()

    # Export: a bundle the centre merges.
    add_engagement(store, "Camden PCCG")
    target = tmp_path / "out" / "camden-1.ccbundle"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(page.status_changed, timeout=10_000):
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert "bundle 1" in page.fields["export"].text()
    assert target.exists() and said[-1].startswith("Wrote bundle 1")
    assert not page.fields["awaiting"].text().startswith("0 changes")
    with open_central(home, None) as centre:
        outcome = merge_bundle(centre, target, tmp_path / "receipts")
        assert outcome.ok and outcome.result is not None and outcome.result.applied >= 1
        with centre.session() as s:
            assert s.scalars(select(Engagement.title)).all() == ["Camden PCCG"]
    assert outcome.receipt is not None

    # The receipt, imported here: nothing pending, and the status bar is told.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(outcome.receipt), ""))
    with qtbot.waitSignal(page.status_changed, timeout=10_000):
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    assert page.fields["awaiting"].text().startswith("0 changes")
    assert page.fields["receipt"].text() != "never"
    assert store.pending_changes() == 0

    # A damaged file: a plain message, nothing changed, no signal.
    junk = tmp_path / "junk.ccbundle"
    junk.write_bytes(b"not a bundle")
    signals: list[bool] = []
    page.status_changed.connect(lambda: signals.append(True))
    page.import_from(junk)
    qtbot.waitUntil(lambda: "Importing failed" in said[-1], timeout=10_000)
    assert not signals
    store.close()


def test_a_reference_bundle_from_another_centre_is_refused(
    qtbot: QtBot, tmp_path: Path, said: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = init_central(tmp_path / "ours", None, "MPA Central Unit")
    other = init_central(tmp_path / "other", None, "Somebody Else")
    store = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada")
    (tmp_path / "ours.ccref").write_bytes(reference_bundle(ours))
    (tmp_path / "other.ccref").write_bytes(reference_bundle(other))
    import_bundle(store, tmp_path / "ours.ccref", confirm_centre=lambda _fp: True)
    page = SyncPage(store)
    qtbot.addWidget(page)
    page.show()
    assert not page.setup.isVisible()
    page.import_from(tmp_path / "other.ccref")  # a pinned centre: no trust question, a refusal
    qtbot.waitUntil(lambda: bool(said) and "Importing failed" in said[-1], timeout=10_000)
    assert page.trust_dialog is None and "does not trust" in said[-1]
    assert ours.fingerprint() in (sync_status(store).centre or "")
    for closing in (store, ours, other):
        closing.close()


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_sync_page_fits_a_laptop_while_setting_up(
    qtbot: QtBot, store: Store, width: int, height: int
) -> None:
    page = SyncPage(store)
    qtbot.addWidget(page)
    assert_page_fits(page, width, height)
    assert page.setup.isVisible()
    for button in (page.setup.copy_key, page.setup.save_key, page.setup.choose_reference):
        assert button.isVisibleTo(page)
    # Nothing is wider than the page: the scroll area never needs a horizontal bar.
    content = page.scroll_area.widget()
    assert content is not None
    assert content.width() <= page.scroll_area.viewport().width()
    for label in page.findChildren(QLabel):
        if label.isVisibleTo(page) and label.window() is page:
            right = label.mapTo(content, label.rect().topRight()).x()
            assert right <= content.width(), label.text()


def test_no_command_line_instructions_in_desktop_messages() -> None:
    """The desktop tells people what to do in the desktop, never which command to run."""
    ui = Path(__file__).resolve().parent.parent / "ccodesk" / "ui"
    for source in ui.glob("*.py"):
        text = source.read_text()
        for word in ("ccodesk-cli", "ccodesk-central"):
            assert word not in text, f"{source.name} mentions {word}"
    assert "ccodesk-cli" not in NO_CENTRE_YET


def test_conflict_review_keeps_the_chosen_version(
    qtbot: QtBot, tmp_path: Path, said: list[str]
) -> None:
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
    for width, height in LAPTOPS:  # the review's lists and both buttons on screen
        assert_page_fits(page, width, height)
        for button in (page.keep_local, page.keep_incoming):
            assert button.isVisibleTo(page)
    assert page.conflict_list.topLevelItemCount() == 1
    assert page.conflict_list.topLevelItem(0).text(0).startswith("Engagement: Joint PCCG at")
    rows = {
        page.versions.topLevelItem(i).text(0): page.versions.topLevelItem(i)
        for i in range(page.versions.topLevelItemCount())
    }
    assert rows["title"].text(1) == "Joint PCCG at the library"
    assert rows["title"].text(2) == "Joint PCCG at the leisure centre"
    with qtbot.waitSignal(page.status_changed, timeout=1_000):
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


def test_the_two_versions_read_as_an_officer_reads_them() -> None:
    """Yes/No, dates in words, lists of codes as a list; values that differ but would read the
    same (seconds apart) are shown as stored, so a highlighted row never looks identical."""
    from ccodesk.ui.sync_conflicts import _differences

    local = {
        "hlc": "0",
        "data": {
            "step_free": True,
            "starts_at": "2026-03-06T18:30:00",
            "ends_at": "2026-03-06T20:30:00",
        },
        "children": {"engagement_topic": [{"topic_code": "crime"}, {"topic_code": "youth"}]},
    }
    incoming = {
        "hlc": "0",
        "data": {
            "step_free": False,
            "starts_at": "2026-03-06T18:30:00",
            "ends_at": "2026-03-06T20:30:40",
        },
        "children": {"engagement_topic": [{"topic_code": "crime"}, {"topic_code": "youth"}]},
    }
    rows = {name: (mine, theirs) for name, mine, theirs in _differences(local, incoming)}
    assert rows["step free"] == ("Yes", "No")
    assert rows["starts at"] == ("Fri 06 Mar 2026 18:30", "Fri 06 Mar 2026 18:30")
    assert rows["ends at"] == ('"2026-03-06T20:30:00"', '"2026-03-06T20:30:40"')
    assert rows["engagement topic"] == ("crime, youth", "crime, youth")
    differing = [name for name, mine, theirs in _differences(local, incoming)[1:] if mine != theirs]
    assert differing == ["step free", "ends at"]
