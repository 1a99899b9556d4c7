"""The central unit's desktop (issue 16): the wizard's central path, the inbox fed by dropped
bundles, and the boroughs board — on a central store on SQLite, and once on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QPushButton, QTabWidget, QWizard
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from ccodesk.cli.central import main as central_cli
from ccodesk.errors import StoreError
from ccodesk.models import BundleLog, TrustedKey
from ccodesk.settings import Settings, load_settings
from ccodesk.store.central import keyring_password, refuse_password_in_url
from ccodesk.sync.central import Central, init_central
from ccodesk.ui.app import main as desktop_main
from ccodesk.ui.central_boroughs import GAP, LATE, BoardModel, BoroughDialog
from ccodesk.ui.central_window import CentralWindow
from ccodesk.ui.first_run import FirstRunWizard
from tests.support.fit import LAPTOPS, assert_fits
from tests.test_sync import add_engagement, export, make_borough
from tests.test_ui_followup import double_click


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = init_central(tmp_path / "centre", None, "MPA Central Unit")
    yield c
    c.close()


def _window(qtbot: QtBot, central: Central, settings: Settings) -> CentralWindow:
    window = CentralWindow(central, settings, home=central.home)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.boroughs.board_shown, timeout=30_000):
        window.show()
    qtbot.waitExposed(window)
    return window


def _drop(window: CentralWindow, paths: list[Path]) -> None:
    """Drop files on the window as a file manager does: drag enter, then drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = window.rect().center()
    enter = QDragEnterEvent(
        where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(where),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()


def test_the_wizards_central_path_sets_up_what_ccodesk_central_opens(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "centre"
    wizard = FirstRunWizard(tmp_path / "store", keyring_available=True, central_home=home)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.identity
    qtbot.mouseClick(page.in_centre, Qt.MouseButton.LeftButton)
    assert page.central and not page.borough.isVisible() and page.unit_name.isVisible()
    page.unit_name.clear()
    assert not page.isComplete()
    qtbot.keyClicks(page.unit_name, "MPA Central Unit")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.keys
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.isVisible()  # no demo data at the centre
    with qtbot.waitSignal(wizard.accepted, timeout=30_000):
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert wizard.central is not None and wizard.store is None
    assert not (tmp_path / "store").exists()  # no borough store was made
    window = _window(qtbot, wizard.central, Settings())
    assert "MPA Central Unit" in window.windowTitle()
    assert str(home / "central.db") in window.status.text()
    assert len(window.boroughs.model.lines) == 33  # the 32 boroughs and the City
    window.close_store()

    assert central_cli(["--home", str(home), "status"]) == 0
    said = capsys.readouterr().out
    assert "Central unit:    MPA Central Unit" in said and "Bundles merged:  0" in said


def test_dropped_bundles_are_merged_one_line_each_and_receipts_go_to_the_outbox(
    qtbot: QtBot, tmp_path: Path, central: Central
) -> None:
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    hackney = make_borough(tmp_path / "hackney", "hackney", "Bo Officer", central)
    try:
        add_engagement(camden, "Camden PCCG")
        add_engagement(hackney, "Hackney outreach")
        good = [export(camden, tmp_path / "camden.ccbundle")]
        good.append(export(hackney, tmp_path / "hackney.ccbundle"))
    finally:
        camden.close()
        hackney.close()
    bad = tmp_path / "bad.ccbundle"
    bad.write_bytes(b"age-encryption.org/v1\nthis is no bundle")
    outbox = tmp_path / "to send"
    window = _window(qtbot, central, Settings(central_outbox=str(outbox)))
    with qtbot.waitSignal(window.inbox.batch_done, timeout=60_000) as done:
        _drop(window, [good[0], bad, good[1]])
    assert window.stack.currentWidget() is window.inbox
    lines = done.args[0]
    shown = [window.inbox.results.item(i).text() for i in range(window.inbox.results.count())]
    assert shown == [line.text for line in lines] and len(shown) == 3
    assert [line.merged for line in lines] == [True, False, True]
    assert shown[1].startswith(f"{bad}: rejected: ")
    for text, path in ((shown[0], good[0]), (shown[2], good[1])):
        assert text.startswith(f"{path}: merged: ") and "(receipt " in text
    receipts = sorted(p.name for p in outbox.iterdir())
    assert len(receipts) == 2 and all(name.endswith(".ccreceipt") for name in receipts)
    assert "2 bundles merged, 1 not merged" in window.inbox.summary.text()
    assert window.inbox.outbox_path.text() == str(outbox)
    # the board and the status are read again after the merge
    qtbot.waitUntil(lambda: "2 boroughs sending" in window.status.text(), timeout=30_000)
    assert window.boroughs.line("camden").bundles == 1


def test_cancel_leaves_one_line_per_bundle_and_merges_nothing_more(
    qtbot: QtBot, tmp_path: Path, central: Central
) -> None:
    """Cancel stops the bundle under way and those after it: each still has its line, and
    the central store holds exactly the bundles said to be merged."""
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    try:
        bundles = []
        for n in range(3):
            add_engagement(camden, f"Meeting {n}")
            bundles.append(export(camden, tmp_path / f"camden-{n}.ccbundle"))
    finally:
        camden.close()
    window = _window(qtbot, central, Settings(central_outbox=str(tmp_path / "outbox")))
    inbox = window.inbox
    with qtbot.waitSignal(inbox.batch_done, timeout=60_000) as done:
        inbox.add_bundles(bundles)
        assert inbox.progress is not None
        inbox.progress.findChild(QPushButton).click()  # the dialog's Cancel
    merged = [line for line in done.args[0] if line.merged]
    shown = [inbox.results.item(i).text() for i in range(inbox.results.count())]
    assert len(shown) == 3
    cancelled = [text for text in shown if text.endswith(": not merged: cancelled")]
    assert cancelled and len(cancelled) + len(merged) == 3
    from ccodesk.sync.central import central_status

    with central.session() as s:
        assert central_status(s).bundles == len(merged)


def test_cancel_inside_a_bundle_is_no_failure_of_it(tmp_path: Path, central: Central) -> None:
    """Cancel pressed while a bundle merges stops it as Cancelled (the inbox then says "not
    merged: cancelled"), never as an unexpected failure with a log entry."""
    from ccodesk.errors import Cancelled
    from ccodesk.services.central_inbox import merge_one
    from ccodesk.sync.central import central_status

    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    try:
        add_engagement(camden, "Meeting")
        bundle = export(camden, tmp_path / "camden.ccbundle")
    finally:
        camden.close()
    with pytest.raises(Cancelled):
        merge_one(central, bundle, None, cancelled=lambda: True)
    with central.session() as s:
        assert central_status(s).bundles == 0


def test_the_board_shows_gaps_and_late_boroughs_sorted_coloured_and_opened(
    qtbot: QtBot, qtmodeltester: ModelTester, tmp_path: Path, central: Central
) -> None:
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", central)
    hackney = make_borough(tmp_path / "hackney", "hackney", "Bo Officer", central)
    lewisham = make_borough(tmp_path / "lewisham", "lewisham", "Grace Officer", central)
    make_borough(tmp_path / "lambeth", "lambeth", "Lee Officer", central).close()
    try:
        add_engagement(camden, "First meeting")
        export(camden, tmp_path / "lost.ccbundle")  # never reaches the centre: a gap
        add_engagement(camden, "Second meeting")
        camden_2 = export(camden, tmp_path / "camden-2.ccbundle")
        add_engagement(hackney, "Hackney outreach")
        hackney_1 = export(hackney, tmp_path / "hackney-1.ccbundle")
    finally:
        for store in (camden, hackney, lewisham):
            store.close()
    from ccodesk.services.central_inbox import merge_many

    assert all(line.merged for line in merge_many(central, [camden_2, hackney_1], None))
    with central.transaction() as s:  # hackney's bundle came 30 days ago
        s.execute(
            update(BundleLog)
            .where(BundleLog.borough_code == "hackney")
            .values(received_at=dt.datetime.now() - dt.timedelta(days=30))
        )
        # Lewisham's device was trusted 30 days ago and has sent nothing since
        s.execute(
            update(TrustedKey)
            .where(TrustedKey.borough_code == "lewisham")
            .values(added_at=dt.datetime.now() - dt.timedelta(days=30))
        )
    window = _window(qtbot, central, Settings())
    page = window.boroughs
    qtmodeltester.check(page.model)
    camden_line, hackney_line = page.line("camden"), page.line("hackney")
    assert camden_line.missing == [1] and camden_line.last_seq == 2 and not camden_line.late
    assert hackney_line.late and hackney_line.missing == []
    assert page.line("lewisham").late  # a device trusted 30 days ago, nothing received yet
    assert not page.line("bromley").late  # no device: nothing expected yet
    assert not page.line("lambeth").late  # a device trusted today: not late yet

    def row(code: str) -> int:
        return next(
            r
            for r in range(page.proxy.rowCount())
            if page.proxy.data(page.proxy.index(r, 0), BoardModel.OBJECT_ROLE).code == code
        )

    def cell(code: str, column: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return page.proxy.data(page.proxy.index(row(code), column), role)

    assert cell("hackney", BoardModel.STATE) == "Late (30 days)"
    assert cell("lewisham", BoardModel.STATE) == "Late: nothing received yet"
    assert cell("camden", BoardModel.MISSING) == "1"
    assert cell("camden", BoardModel.STATE) == "1 missing bundle"
    background = Qt.ItemDataRole.BackgroundRole
    assert cell("hackney", BoardModel.RECEIVED, background).color() == LATE  # type: ignore[attr-defined]
    assert cell("camden", BoardModel.MISSING, background).color() == GAP  # type: ignore[attr-defined]
    assert cell("camden", BoardModel.RECEIVED, background) is None
    assert "2 late" in window.status.text()

    # sortable: a click on "Received" puts the oldest (never, then 30 days ago) first
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(BoardModel.RECEIVED) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    if page.table.horizontalHeader().sortIndicatorOrder() != Qt.SortOrder.AscendingOrder:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert row("hackney") < row("camden")
    assert row("camden") == page.proxy.rowCount() - 1

    # a double-click opens the borough: its devices and bundles
    index = page.proxy.index(row("camden"), BoardModel.BOROUGH)
    page.table.scrollTo(index)
    rect = page.table.visualRect(index)
    with qtbot.waitSignal(page.borough_opened) as opened:
        double_click(qtbot, page.table, rect.center())
    dialog: BoroughDialog = opened.args[0]
    assert dialog.devices.rowCount() == 1 and dialog.devices.item(0, 0).text() == "Ada Officer"
    assert dialog.bundles.rowCount() == 1 and dialog.bundles.item(0, 0).text() == "2"
    dialog.close()

    # the threshold is a setting: at 60 days Hackney is no longer late
    with qtbot.waitSignal(page.board_shown, timeout=30_000):
        page.late_days.setValue(60)
        page.late_days.editingFinished.emit()
    assert not page.line("hackney").late
    assert load_settings().central_late_days == 60

    for name in CentralWindow.PAGES:
        window.go_to(CentralWindow.PAGES.index(name))
        for width, height in LAPTOPS:
            assert_fits(window, width, height)


def test_a_password_in_the_database_url_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "postgresql+psycopg://officer:s3cret@db.example/central"
    with pytest.raises(StoreError, match="holds a password") as refused:
        refuse_password_in_url(url)
    assert "s3cret" not in str(refused.value)
    assert desktop_main(["--central", "--data-dir", str(tmp_path), "--db", url]) == 2
    said = capsys.readouterr().err
    assert "holds a password" in said and "s3cret" not in said


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from tests.support.postgres import _bin_dir, postgres_cluster

    if _bin_dir() is None:
        pytest.skip(
            "needs PostgreSQL's server binaries (Debian: postgresql; make test installs it)"
        )
    with postgres_cluster() as url:
        yield url


def test_the_central_window_on_postgresql_takes_the_password_from_the_keyring(
    qtbot: QtBot, tmp_path: Path, pg_url: str
) -> None:
    from tests.support.postgres import new_database

    url = new_database(pg_url, "central_desktop")
    home = tmp_path / "centre"
    init_central(home, url, "MPA Central Unit").close()
    keyring.set_password("ccodesk-central", url, "kept-in-the-keyring")
    password = keyring_password(url)
    assert password == "kept-in-the-keyring"
    camden = make_borough(tmp_path / "camden", "camden", "Ada Officer", None)
    window = CentralWindow(None, Settings(central_outbox=str(tmp_path / "outbox")), home=home)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.central_ready, timeout=60_000):
        window.open_in_background(url, None, password)
    assert window.central is not None
    assert "kept-in-the-keyring" not in window.status.text()
    assert "postgresql+psycopg://postgres@127.0.0.1" in window.status.text()
    from ccodesk.sync.central import reference_bundle, trust_add
    from ccodesk.sync.receive import import_bundle

    trust_add(window.central, "camden", "Ada Officer", camden.public_key_openssh())
    (tmp_path / "ref.ccref").write_bytes(reference_bundle(window.central))
    import_bundle(camden, tmp_path / "ref.ccref", confirm_centre=lambda _fp: True)
    add_engagement(camden, "Camden PCCG")
    bundle = export(camden, tmp_path / "camden.ccbundle")
    camden.close()
    with qtbot.waitSignal(window.inbox.batch_done, timeout=60_000) as done:
        _drop(window, [bundle])
    (line,) = done.args[0]
    assert line.merged and line.receipt is not None and line.receipt.parent == tmp_path / "outbox"
    with qtbot.waitSignal(window.boroughs.board_shown, timeout=30_000):
        window.boroughs.refresh()
    assert window.boroughs.line("camden").bundles == 1
    window.close_store()


def test_ccodesk_central_smoke_test(central: Central) -> None:
    """`ccodesk --central` opens the central unit's window on its store, as a person starts it."""
    import os
    import subprocess

    from tests.test_ui_main_window import GUI

    central.close()
    result = subprocess.run(
        [GUI, "--central", "--data-dir", str(central.home), "--smoke-test"],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "smoke test: ccodesk — MPA Central Unit rendered" in result.stdout


def test_plain_ccodesk_opens_the_central_unit_when_no_borough_store_is_here(
    tmp_path: Path, central: Central
) -> None:
    """The officer who chose "I work in a central consultation unit" starts ccodesk the next
    day as everyone does (no options): with no borough store on the computer and the central
    unit set up in its usual folder, the central window opens, not the first-run wizard. With
    a borough store there, the borough window opens as before."""
    import os
    import subprocess

    from tests.test_ui_main_window import GUI

    central.close()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CCODESK_CENTRAL_HOME": str(central.home),
        "CCODESK_DATA_DIR": str(tmp_path / "no-borough-store"),
    }
    result = subprocess.run(
        [GUI, "--smoke-test"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "smoke test: ccodesk — MPA Central Unit rendered" in result.stdout


def test_a_mistyped_passphrase_is_asked_for_again(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A central unit whose keys are sealed with a passphrase: a wrong one typed at start is
    asked for again (as the borough window does), and the right one opens the window."""
    import ccodesk.sync.central as sync_central
    import ccodesk.ui.central_app as central_app

    monkeypatch.setattr(sync_central, "keyring_works", lambda: False)
    init_central(
        tmp_path / "centre", None, "MPA Central Unit", lambda _again: "a good phrase 1"
    ).close()
    typed = iter(["a wrong phrase", "a good phrase 1"])
    asked: list[bool] = []

    def ask(_parent: object, again: bool = False, *, keys: str = "") -> str:
        asked.append(again)
        return next(typed)

    opened: list[CentralWindow] = []

    def run(_app: object, window: CentralWindow) -> int:
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: getattr(window, "central", None) is not None, timeout=30_000)
        opened.append(window)
        return 0

    monkeypatch.setattr(central_app, "ask_passphrase", ask)
    monkeypatch.setattr(central_app, "_run", run)
    app = QApplication.instance()
    assert central_app.run_central(app, tmp_path / "centre", None) == 0
    assert asked == [False, True]
    (window,) = opened
    qtbot.waitUntil(lambda: len(window.boroughs.model.lines) == 33, timeout=30_000)
    window.close_store()


def test_a_refused_database_password_is_asked_for_again(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, central: Central
) -> None:
    """A PostgreSQL central database that refuses the password typed (or kept in the keyring)
    asks for it again, saying so; the right one opens the window. (The server is stood in for:
    the test cluster trusts every local connection.)"""
    import ccodesk.sync.central as sync_central
    import ccodesk.ui.central_app as central_app
    from ccodesk.errors import DatabaseLoginRefused

    central.close()
    real_open = sync_central.open_central
    passwords: list[str | None] = []

    def open_central(home: Path, url: str | None, *args: object, **kw: object) -> Central:
        passwords.append(url)
        if "right" not in str(url):
            raise DatabaseLoginRefused("Could not connect: password authentication failed")
        return real_open(home, None, *args, **kw)  # type: ignore[arg-type]

    asked: list[bool] = []

    def ask(_parent: object, _shown: str, again: bool = False) -> str:
        asked.append(again)
        return "wrong" if len(asked) == 1 else "right"

    opened: list[CentralWindow] = []

    def run(_app: object, window: CentralWindow) -> int:
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: getattr(window, "central", None) is not None, timeout=30_000)
        opened.append(window)
        return 0

    monkeypatch.setattr(sync_central, "open_central", open_central)
    monkeypatch.setattr(central_app, "ask_database_password", ask)
    monkeypatch.setattr(central_app, "_run", run)
    url = "postgresql+psycopg://officer@db.example/central"
    assert central_app.run_central(QApplication.instance(), central.home, url) == 0
    assert asked == [False, True]
    assert [u.split("@")[0].rsplit(":", 1)[-1] for u in passwords if u] == ["wrong", "right"]
    opened[0].close_store()


def test_every_alt_letter_on_a_central_page_leads_to_one_control(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """On every page of the central window (each tab of it), with the menus' Alt+F, Alt+G and
    Alt+H: no letter is offered twice (two offered the same leave the officer in the first)."""
    from ccodesk.services.demo_central import build_demo_central
    from tests.support.mnemonics import clashes

    with build_demo_central(tmp_path / "centre", tmp_path, dt.date.today(), 20) as demo:
        window = CentralWindow(demo, Settings(), home=demo.home)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        menus = [action.text() for action in window.menuBar().actions()]
        found = {}
        for row in range(window.navigation.count()):
            window.go_to(row)
            page = window.stack.currentWidget()
            tabs = page.findChildren(QTabWidget)
            for tab in range(tabs[0].count() if tabs else 1):
                if tabs:
                    tabs[0].setCurrentIndex(tab)
                if clash := clashes(page, menus):
                    found[f"{window.navigation.item(row).text()} {tab}"] = clash
        window.close_store()
    assert found == {}
