"""The central unit's Trust and Conflicts pages (issue 16): devices added from a pasted key and
from its file, their bundles then merged; revoking; the exports; hostile keys; a conflict made
by two devices' bundles decided on the page, and decided twice on PostgreSQL."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from ccodesk.cli.central import main as central_cli
from ccodesk.models import AuditEvent, Engagement, SyncConflict, TrustedKey
from ccodesk.services.central_inbox import merge_many
from ccodesk.settings import Settings
from ccodesk.store import create_store
from ccodesk.sync import sshsig
from ccodesk.sync.central import (
    Central,
    allowed_signers,
    init_central,
    open_central,
    reference_bundle,
)
from ccodesk.sync.device import device_recipient, write_public_key
from ccodesk.sync.receive import import_bundle
from ccodesk.ui.central_conflicts import ConflictsPage
from ccodesk.ui.central_trust import AddDeviceDialog, TrustModel, TrustPage
from ccodesk.ui.central_window import CentralWindow
from tests.support.fit import LAPTOPS, assert_fits
from tests.test_sync import add_engagement, export, make_borough, rename
from tests.test_ui_followup import double_click


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = init_central(tmp_path / "centre", None, "MPA Central Unit")
    yield c
    c.close()


def _window(qtbot: QtBot, central: Central, tmp_path: Path) -> CentralWindow:
    window = CentralWindow(central, Settings(central_outbox=str(tmp_path / "outbox")))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.boroughs.board_shown, timeout=30_000):
        window.show()
    qtbot.waitExposed(window)
    return window


def _trust_page(qtbot: QtBot, window: CentralWindow) -> TrustPage:
    window.go_to(CentralWindow.PAGES.index("Trust"))
    assert window.stack.currentWidget() is window.trust
    return window.trust


def _state(central: Central) -> tuple[list[tuple[str, object]], int, str]:
    """What adding or revoking would change: the keys, the audit trail, allowed_signers."""
    with central.session() as s:
        keys = [(k.fingerprint, k.revoked_at) for k in s.scalars(select(TrustedKey))]
        events = len(list(s.scalars(select(AuditEvent.id))))
    return keys, events, allowed_signers(central)


def _add(qtbot: QtBot, page: TrustPage, officer: str) -> AddDeviceDialog:
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.add_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.trust_button.isEnabled()
    qtbot.keyClicks(dialog.officer, officer)
    return dialog


def test_devices_are_added_from_a_pasted_key_and_a_key_file_and_their_bundles_merge(
    qtbot: QtBot, qtmodeltester: ModelTester, tmp_path: Path, central: Central
) -> None:
    camden = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada Officer")
    hackney = create_store(tmp_path / "hackney", borough_code="hackney", officer_name="Bo Officer")
    window = _window(qtbot, central, tmp_path)
    page = _trust_page(qtbot, window)

    # Camden's key pasted from the clipboard (as from an e-mail)
    dialog = _add(qtbot, page, "Ada Officer")
    QApplication.clipboard().setText(camden.public_key_openssh())
    dialog.key_text.setFocus()
    qtbot.keyClick(dialog.key_text, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    expected = sshsig.fingerprint(camden.public_key_openssh())
    assert dialog.fingerprint.text() == expected and dialog.fingerprint.isVisible()
    assert dialog.fingerprint.font().pointSizeF() >= dialog.officer.font().pointSizeF() * 1.3
    assert dialog.borough.currentData() == "camden"  # from the key's comment
    assert dialog.trust_button.isEnabled()
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert page.said.text().startswith(f"Trusted {expected} for Camden, Ada Officer.")

    # Hackney's from the file its Sync page saves (`ccodesk-cli key export-public -o`)
    key_file = write_public_key(hackney, tmp_path / "hackney.pub")
    dialog = _add(qtbot, page, "Bo Officer")
    dialog.load_key_file(key_file)
    assert dialog.fingerprint.text() == sshsig.fingerprint(hackney.public_key_openssh())
    assert dialog.borough.currentText() == "Hackney"
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)

    qtmodeltester.check(page.model)
    assert [r.officer for r in page.model.rows] == ["Ada Officer", "Bo Officer"]
    with central.session() as s:
        device_ids = {k.officer: k.device_id for k in s.scalars(select(TrustedKey))}
    assert device_ids == {"Ada Officer": camden.device_id, "Bo Officer": hackney.device_id}
    # sortable: a click on Officer, twice, puts Bo first
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(TrustModel.OFFICER) + 10
    for _ in range(2):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    first = page.proxy.data(page.proxy.index(0, TrustModel.OFFICER))
    order = header.sortIndicatorOrder()
    assert first == ("Bo Officer" if order == Qt.SortOrder.DescendingOrder else "Ada Officer")

    # a device opened (double-click, or Enter): its borough's devices and bundles
    camden_row = next(
        r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "Camden"
    )
    rect = page.table.visualRect(page.proxy.index(camden_row, TrustModel.OFFICER))
    with qtbot.waitSignal(window.boroughs.borough_opened) as opened:
        double_click(qtbot, page.table, rect.center())
    assert window.stack.currentWidget() is window.boroughs
    borough = opened.args[0]
    assert borough.devices.rowCount() == 1 and borough.devices.item(0, 0).text() == "Ada Officer"
    borough.close()
    window.go_to(CentralWindow.PAGES.index("Trust"))

    # the reference bundle from the page, imported by Camden, then Camden's bundle merged
    # through the Inbox page's service
    reference = page.export_reference(tmp_path / "reference.ccref")
    assert reference is not None and "Wrote the reference bundle" in page.said.text()
    import_bundle(camden, reference, confirm_centre=lambda _fp: True)
    add_engagement(camden, "Camden PCCG")
    bundle = export(camden, tmp_path / "camden.ccbundle")
    (line,) = merge_many(central, [bundle], tmp_path / "outbox")
    assert line.merged, line.text
    with central.session() as s:
        assert [e.title for e in s.scalars(select(Engagement))] == ["Camden PCCG"]
    for store in (camden, hackney):
        store.close()

    for name in ("Trust", "Conflicts"):
        window.go_to(CentralWindow.PAGES.index(name))
        for width, height in LAPTOPS:
            assert_fits(window, width, height)
    window.close_store()


def test_revoking_asks_for_the_reason_and_the_exports_never_overwrite_unasked(
    qtbot: QtBot, tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    hackney = make_borough(tmp_path / "hackney", "hackney", "Bo Officer", central)
    window = _window(qtbot, central, tmp_path)
    page = _trust_page(qtbot, window)
    assert len(page.model.rows) == 2 and not page.revoke_button.isEnabled()

    # the allowed_signers file: both devices and the centre
    signers = tmp_path / "allowed_signers"
    assert page.export_signers(signers) == signers
    text = signers.read_text()
    assert text.count('namespaces="ccodesk-bundle"') == 2 and "centre-" in text
    assert page.said.text() == f"Wrote 3 signers to {signers}."
    # an existing file is replaced only when the person says so
    signers.write_text("kept\n")
    answers = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: answers.pop())
    assert page.export_signers(signers) is None
    assert signers.read_text() == "kept\n" and "nothing was written" in page.said.text()
    reference = tmp_path / "reference.ccref"
    reference.write_bytes(b"old")
    answers.append(QMessageBox.StandardButton.No)
    assert page.export_reference(reference) is None and reference.read_bytes() == b"old"
    answers.append(QMessageBox.StandardButton.Yes)
    assert page.export_signers(signers) == signers and signers.read_text() == text
    assert not answers and not list(tmp_path.glob("*.tmp"))

    # revoke Hackney's device, with the reason
    hackney_row = next(
        r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "Hackney"
    )
    page.table.selectRow(hackney_row)
    assert page.revoke_button.isEnabled()
    qtbot.mouseClick(page.revoke_button, Qt.MouseButton.LeftButton)
    dialog = page.revoke_dialog
    assert dialog is not None and dialog.isVisible()
    assert any("Bo Officer (Hackney)" in label.text() for label in dialog.findChildren(QLabel))
    assert not dialog.revoke_button.isEnabled()  # not without a reason
    qtbot.keyClicks(dialog.reason, "laptop lost on the bus")
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    fingerprint = sshsig.fingerprint(hackney.public_key_openssh())
    assert page.said.text().startswith(f"Revoked {fingerprint} (Hackney, Bo Officer) on ")
    revoked = next(r for r in page.model.rows if r.officer == "Bo Officer")
    assert revoked.revoked_at is not None
    row = next(
        r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "Hackney"
    )
    assert page.proxy.index(row, TrustModel.REVOKED).data() == f"{revoked.revoked_at:%d %b %Y}"
    page.table.selectRow(row)
    assert not page.revoke_button.isEnabled()  # revoked once only
    with central.session() as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "revoke"))
    assert event.summary.endswith("(hackney, Bo Officer): laptop lost on the bus")
    assert event.officer == "MPA Central Unit"
    # its bundles are no longer merged; the exports leave it out
    add_engagement(hackney, "Hackney outreach")
    (line,) = merge_many(central, [export(hackney, tmp_path / "h.ccbundle")], None)
    assert not line.merged
    assert page.export_reference(tmp_path / "reference-2.ccref") is not None
    assert fingerprint not in allowed_signers(central)
    for store in (camden, hackney):
        store.close()
    window.close_store()


def _hostile_keys(tmp_path: Path, trusted: str) -> dict[str, str | Path]:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    ecdsa = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    binary = tmp_path / "photo.pub"
    binary.write_bytes(bytes(range(256)) * 4)
    huge = tmp_path / "huge.pub"
    huge.write_text(trusted + "\n" + "x" * 100_000)
    return {
        "garbage": "hello, here is my key!",
        "truncated": trusted[:40],
        "a private key": pem,
        "another type": ecdsa,
        "two keys": trusted + "\n" + trusted,
        "a binary file": binary,
        "a huge file": huge,
        "a missing file": tmp_path / "nowhere.pub",
    }


def test_hostile_keys_end_in_one_plain_message_and_nothing_written(
    qtbot: QtBot, tmp_path: Path, central: Central
) -> None:
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    trusted = camden.public_key_openssh()
    camden.close()
    window = _window(qtbot, central, tmp_path)
    page = _trust_page(qtbot, window)
    before = _state(central)
    for what, key in _hostile_keys(tmp_path, trusted).items():
        dialog = _add(qtbot, page, "Mallory")
        dialog.borough.setCurrentIndex(dialog.borough.findText("Camden"))
        if isinstance(key, Path):
            dialog.load_key_file(key)
        else:
            dialog.key_text.setPlainText(key)
        said = dialog.problem.text()
        assert said and "\n" not in said and "Traceback" not in said, what
        assert not dialog.trust_button.isEnabled(), what
        assert not dialog.fingerprint.isVisible(), what
        dialog.trust()  # Enter pressed regardless: still nothing
        assert dialog.isVisible() and _state(central) == before, what
        if what == "a private key":
            assert "private key" in said and dialog.key_text.toPlainText() == ""
        if what == "another type":
            assert "ecdsa-sha2-nistp256" in said and "Ed25519" in said
        dialog.reject()
    # a key trusted already: refused when trusted, in the dialog, nothing written
    dialog = _add(qtbot, page, "Mallory")
    dialog.key_text.setPlainText(trusted)
    assert dialog.trust_button.isEnabled()
    qtbot.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "is already trusted (for camden, Ada Officer)" in (
        dialog.problem.text()
    )
    assert _state(central) == before
    dialog.reject()
    window.close_store()
    # the command line reads a key file with the same function, and refuses the same way
    private_file = tmp_path / "id_ed25519"
    private_file.write_text(str(_hostile_keys(tmp_path, trusted)["a private key"]))
    args = ["--home", str(central.home), "trust", "add", "--borough", "camden"]
    assert central_cli([*args, "--officer", "M", str(private_file)]) != 0
    assert _state(central) == before


def _conflict(tmp_path: Path, central: Central) -> str:
    """Two Camden devices rename one engagement before either has the other's change; their
    bundles, merged at the centre, leave one conflict. The engagement's id."""
    cco = make_borough(tmp_path / "cco", "camden", "Ada Officer", central)
    blo = make_borough(tmp_path / "blo", "camden", "PS Dean", central)
    shared = add_engagement(cco, "Joint PCCG")
    seed = export(cco, tmp_path / "seed.ccbundle", recipients=[device_recipient(blo)])
    # the BLO needs the CCO's key: the centre's next reference bundle carries it
    (tmp_path / "ref2.ccref").write_bytes(reference_bundle(central))
    import_bundle(blo, tmp_path / "ref2.ccref")
    import_bundle(blo, seed)
    rename(cco, shared, "Joint PCCG at the library")
    rename(blo, shared, "Joint PCCG at the leisure centre")
    made = [seed, export(cco, tmp_path / "cco.ccbundle"), export(blo, tmp_path / "blo.ccbundle")]
    cco.close()
    blo.close()
    lines = list(merge_many(central, made, None))
    assert all(line.merged for line in lines), [line.text for line in lines]
    assert "1 conflict" in lines[2].text
    return shared


def _title(central: Central, engagement: str) -> str:
    with central.session() as s:
        found = s.get(Engagement, engagement)
        assert found is not None
        return found.title


def test_a_conflict_from_two_devices_is_decided_on_the_conflicts_page(
    qtbot: QtBot, tmp_path: Path, central: Central
) -> None:
    shared = _conflict(tmp_path, central)
    assert _title(central, shared) == "Joint PCCG at the leisure centre"  # kept for now
    window = _window(qtbot, central, tmp_path)
    window.go_to(CentralWindow.PAGES.index("Conflicts"))
    page = window.conflicts
    review = page.review
    assert page.count() == 1
    assert review.conflict_list.topLevelItem(0).text(0) == "Engagement: Joint PCCG at the library"
    assert review.keep_local.text() == "Keep &the centre's version"
    rows = {
        review.versions.topLevelItem(i).text(0): review.versions.topLevelItem(i)
        for i in range(review.versions.topLevelItemCount())
    }
    assert rows["title"].text(1) == "Joint PCCG at the library"
    assert rows["title"].text(2) == "Joint PCCG at the leisure centre"
    for width, height in LAPTOPS:
        assert_fits(window, width, height)
        assert review.keep_local.isVisibleTo(window) and review.keep_incoming.isVisibleTo(window)
    with qtbot.waitSignal(page.resolved):
        qtbot.mouseClick(review.keep_local, Qt.MouseButton.LeftButton)
    assert page.count() == 0 and "none" in review.title()
    assert _title(central, shared) == "Joint PCCG at the library"
    with central.session() as s:
        (conflict,) = s.scalars(select(SyncConflict))
    # recorded as `ccodesk-central conflicts resolve` records it
    assert (conflict.resolution, conflict.resolved_by) == ("local", "MPA Central Unit")
    window.close_store()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        yield url


def test_a_conflict_decided_in_another_session_is_refused_on_postgresql(
    qtbot: QtBot, tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two officers at the centre, two desktops on one PostgreSQL database: the second to
    decide the same conflict is told who decided it, and nothing changes."""
    from tests.support.postgres import new_database

    url = new_database(pg_url, "two_desks")
    first = init_central(tmp_path / "centre", url, "MPA Central Unit")
    shared = _conflict(tmp_path, first)
    other_home = tmp_path / "other-desk"  # the same centre's keys, another officer's name
    shutil.copytree(first.home, other_home)
    config = json.loads((other_home / "central.json").read_text())
    (other_home / "central.json").write_text(json.dumps({**config, "name": "Second desk"}))
    second = open_central(other_home, url)
    pages = [ConflictsPage(first), ConflictsPage(second)]
    for page in pages:
        qtbot.addWidget(page)
        page.show()
        page.refresh()
        assert page.count() == 1
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warned.append(text))
    with qtbot.waitSignal(pages[1].resolved):
        qtbot.mouseClick(pages[1].review.keep_incoming, Qt.MouseButton.LeftButton)
    assert _title(first, shared) == "Joint PCCG at the leisure centre"
    with qtbot.waitSignal(pages[0].review.refused) as refused:
        qtbot.mouseClick(pages[0].review.keep_local, Qt.MouseButton.LeftButton)
    said = refused.args[0]
    assert warned == [said]
    assert said.startswith("Conflict 1 was resolved already by Second desk on ")
    assert said.endswith("(they kept the incoming version); nothing was changed.")
    assert pages[0].count() == 0  # the list is read again
    assert _title(first, shared) == "Joint PCCG at the leisure centre"
    with first.session() as s:
        (conflict,) = s.scalars(select(SyncConflict))
    assert (conflict.resolution, conflict.resolved_by) == ("incoming", "Second desk")
    for central in (first, second):
        central.close()


def test_two_desks_deciding_one_conflict_at_once_are_served_in_turn_on_postgresql(
    tmp_path: Path, pg_url: str
) -> None:
    """The first decision holds the conflict until it is committed; the second, waiting on it,
    then finds it decided and changes nothing (without the lock both would be written)."""
    import threading
    import time

    from sqlalchemy import text

    from ccodesk.errors import KnownError
    from ccodesk.sync.merge import resolve_conflict
    from tests.support.postgres import new_database

    url = new_database(pg_url, "two_desks_at_once")
    first = init_central(tmp_path / "centre", url, "MPA Central Unit")
    shared = _conflict(tmp_path, first)
    second = open_central(first.home, url)
    said: list[str] = []

    def other_desk() -> None:
        try:
            with second.transaction() as s:
                resolve_conflict(s, 1, "incoming", "Second desk")
            said.append("decided")
        except KnownError as exc:
            said.append(str(exc))

    waiting = "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
    with first.transaction() as s:
        resolve_conflict(s, 1, "local", "MPA Central Unit")
        s.flush()
        thread = threading.Thread(target=other_desk)
        thread.start()
        with first.engine.connect() as watch:
            for _ in range(1200):  # until the other desk waits on the conflict's row
                if watch.execute(text(waiting)).scalar():
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the second desk never waited for the first")
    thread.join(60)
    assert said and said[0].startswith("Conflict 1 was resolved already by MPA Central Unit")
    assert _title(first, shared) == "Joint PCCG at the library"
    with first.session() as s:
        (conflict,) = s.scalars(select(SyncConflict))
    assert (conflict.resolution, conflict.resolved_by) == ("local", "MPA Central Unit")
    for central in (first, second):
        central.close()


def test_the_command_line_revokes_with_a_reason_once(
    tmp_path: Path, central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    fingerprint = sshsig.fingerprint(camden.public_key_openssh())
    camden.close()
    revoke = ["--home", str(central.home), "trust", "revoke", fingerprint]
    assert central_cli([*revoke, "--reason", "officer left"]) == 0
    assert f"Revoked {fingerprint} (camden, Ada Officer)." in capsys.readouterr().out
    assert central_cli(revoke) != 0
    assert "was revoked already, on " in capsys.readouterr().err
    with central.session() as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "revoke"))
    assert event.summary.endswith(": officer left")


def test_mutated_key_lines_are_read_or_refused_in_one_plain_message() -> None:
    """Any change to a device's key line: either still that key (the comment changed) or a
    KeyRefused, never another error — the check the page and `trust add` share."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ccodesk.errors import KnownError
    from ccodesk.services.central_trust import KeyRefused, check_key

    line = sshsig.openssh_public_key(Ed25519PrivateKey.generate().public_key(), "ccodesk:camden:d1")
    good = sshsig.fingerprint(line)

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(
        at=st.integers(0, len(line)),
        cut=st.integers(0, 8),
        put=st.text(max_size=6),
    )
    def check(at: int, cut: int, put: str) -> None:
        mutated = line[:at] + put + line[at + cut :]
        try:
            preview = check_key(mutated)
        except KeyRefused as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        except KnownError as exc:  # pragma: no cover - would be a wrong kind of refusal
            raise AssertionError(f"not a KeyRefused: {exc!r}") from exc
        # accepted: a valid Ed25519 key, its fingerprint computed from what was given
        assert preview.fingerprint == sshsig.fingerprint(preview.text)
        assert preview.fingerprint == good or mutated.split()[1] != line.split()[1]

    check()
    # a key line saved by Windows Notepad (a byte-order mark, CRLF) is the same key
    assert check_key("\ufeff" + line + "\r\n").fingerprint == good
