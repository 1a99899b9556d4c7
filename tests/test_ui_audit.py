"""The audit trail viewer (issue 15), driven with real clicks and keys (pytest-qt): reached
from the Go menu and Ctrl+Shift+A, filtered by record, officer and days, Enter shows a
record's history, Export CSV… writes spreadsheet-safe CSV; it fits a laptop's screen."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import update

from ccodesk.models import AuditEvent
from ccodesk.services import edits, records
from ccodesk.services.audit import AuditFilter, count_audit
from ccodesk.store import Store
from ccodesk.ui.audit_dialog import AuditDialog
from ccodesk.ui.main_window import MainWindow
from tests.support.fit import LAPTOPS, assert_fits

TODAY = dt.date.today()


def _history(store: Store) -> tuple[str, str]:
    """Actions created and changed by two officers on different days: (one action's id, other)."""
    with store.transaction() as s:
        first = records.add_action(s, "Ask about the bins").id
        second = records.add_action(s, '=HYPERLINK("http://evil")').id
    with store.transaction() as s:
        edits.update_action(s, first, description="Ask the council about the bins")
    with store.transaction() as s:
        s.info["officer"] = "Ben Colleague"
        edits.update_action(s, second, owner="Ben")
    with store.transaction() as s:  # the creations happened last month
        s.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "create")
            .values(at=dt.datetime.combine(TODAY - dt.timedelta(days=40), dt.time(10)))
        )
    return first, second


@pytest.fixture
def dialog(qtbot, store):  # type: ignore[no-untyped-def]
    ids = _history(store)
    widget = AuditDialog(store)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.ids = ids  # type: ignore[attr-defined]
    return widget


def _listed(widget: AuditDialog) -> list[tuple[str, str, str]]:
    model = widget.model
    return [
        (model.row_object(r).officer, model.row_object(r).action, model.row_object(r).entity_id)
        for r in range(model.rowCount())
    ]


def test_lists_every_event_newest_first(dialog) -> None:  # type: ignore[no-untyped-def]
    first, second = dialog.ids
    assert dialog.summary.text() == "4 events, newest first"
    assert _listed(dialog) == [
        ("Ben Colleague", "update", second),
        ("Ada Officer", "update", first),
        ("Ada Officer", "create", second),
        ("Ada Officer", "create", first),
    ]
    assert dialog.model.index(0, 4).data() == "changed"
    assert dialog.model.index(0, 5).data() == "owner"


def test_filters_by_officer_record_and_days(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    first, second = dialog.ids
    dialog.officer.setFocus()
    dialog.officer.setCurrentIndex(dialog.officer.findText("Ben Colleague"))
    assert _listed(dialog) == [("Ben Colleague", "update", second)]
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.model.total == 4

    qtbot.keyClicks(dialog.record_id, first[:8])
    qtbot.waitUntil(lambda: dialog.model.total == 2)
    assert {e for _o, _a, e in _listed(dialog)} == {first}
    dialog.entity.setCurrentIndex(dialog.entity.findData("action_item"))
    assert dialog.model.total == 2
    dialog.officer.setCurrentIndex(dialog.officer.findText("Ben Colleague"))
    assert dialog.model.total == 0
    assert dialog.summary.text() == "No events match these filters."
    assert not dialog.export_button.isEnabled()
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)

    # From: the last week only (the creations were 40 days ago)
    dialog.from_date.setDate(dialog.from_date.date().fromString(
        (TODAY - dt.timedelta(days=7)).isoformat(), Qt.DateFormat.ISODate))  # fmt: skip
    qtbot.mouseClick(dialog.from_check, Qt.MouseButton.LeftButton)
    assert dialog.from_date.isEnabled()
    assert [a for _o, a, _e in _listed(dialog)] == ["update", "update"]
    # To: until 30 days ago, leaving only the creations
    dialog.set_date_range(None, TODAY - dt.timedelta(days=30))
    assert [a for _o, a, _e in _listed(dialog)] == ["create", "create"]


def test_enter_on_an_event_shows_that_records_history(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    first, _second = dialog.ids
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(1, 0))  # Ada's change to the first action
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert dialog.record_id.text() == first
    assert dialog.entity.currentData() == "action_item"
    assert [a for _o, a, _e in _listed(dialog)] == ["update", "create"]


def test_export_csv_writes_what_is_listed_spreadsheet_safe(
    qtbot, dialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    first, second = dialog.ids
    target = tmp_path / "trail"  # ".csv" is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.officer.setCurrentIndex(dialog.officer.findText("Ada Officer"))
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as done:
        QTest.keyClick(dialog, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    written = Path(done.args[0])
    assert written == tmp_path / "trail.csv"
    raw = written.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Event", "When", "Officer"]
    assert [(r[2], r[6], r[5]) for r in rows[1:]] == [
        ("Ada Officer", "update", first),
        ("Ada Officer", "create", second),
        ("Ada Officer", "create", first),
    ]
    assert dialog.status.text() == f"Wrote {written}."


def test_a_summary_that_looks_like_a_formula_is_written_as_text(store: Store) -> None:
    from ccodesk.services.audit import audit_csv
    from ccodesk.store.stamping import audit_bulk

    with store.transaction() as s:
        audit_bulk(s, "contact", 3, "=cmd|' /C calc'!A0")
    with store.session() as s:
        text = audit_csv(s, AuditFilter())
        assert count_audit(s, AuditFilter(entity="contact")) == 1
    assert "'=cmd|' /C calc'!A0: 3 rows" in text


def test_reached_from_the_menu_and_its_shortcut(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    _history(store)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QThreadPool.globalInstance().waitForDone()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.audit_action.isEnabled()
    assert window.audit_action.shortcut().toString() == "Ctrl+Shift+A"
    assert "Audit trail…" in [a.text() for a in window.menuBar().actions()[1].menu().actions()]
    QTest.keyClick(
        window,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: len(window.findChildren(AuditDialog)) == 1)
    (shown,) = window.findChildren(AuditDialog)
    assert shown.isVisible() and shown.isModal() and shown.model.total == 4
    shown.close()


@pytest.mark.parametrize(("width", "height"), LAPTOPS, ids=["1366x768", "1024x700"])
def test_fits_a_laptop(dialog, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    assert_fits(dialog, width, height)
