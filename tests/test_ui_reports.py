"""The Reports page, driven with real clicks (pytest-qt), on a borough-year of demo data."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from ccodesk.services.indicators import compute
from ccodesk.services.periods import Period
from ccodesk.store import Store
from ccodesk.ui.reports_page import ReportsPage


@pytest.fixture
def page(qtbot: QtBot, demo_store: Store) -> ReportsPage:
    widget = ReportsPage(demo_store, today=dt.date(2026, 11, 22))
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    with qtbot.waitSignal(widget.report_shown, timeout=10_000):
        widget.show()
        assert widget.loaded
        assert not widget.csv_button.isEnabled()  # nothing to export until it has arrived
    return widget


def _held(store: Store, label: str) -> int:
    with store.session() as s:
        return compute(s, Period.parse(label)).participation.held


def test_period_pickers_change_what_is_shown(
    qtbot: QtBot, page: ReportsPage, demo_store: Store
) -> None:
    assert page.period_label.text() == "<b>Q4 2026 (October to December)</b>"
    q4, q3 = _held(demo_store, "2026Q4"), _held(demo_store, "2026Q3")
    assert q4 != q3  # so the check below can tell the periods apart
    assert page.fields["held"].text() == f"{q4:,} (previous: {q3:,})"
    with qtbot.waitSignal(page.report_shown, timeout=10_000):
        qtbot.mouseClick(page.previous_button, Qt.MouseButton.LeftButton)
    assert page.report is not None and page.report.period.label == "2026Q3"
    assert page.fields["held"].text().startswith(f"{q3:,} (previous: ")
    with qtbot.waitSignal(page.report_shown, timeout=10_000):
        page.kind.setCurrentIndex(page.kind.findText("Year"))
    assert page.period_label.text() == "<b>2026</b>"
    assert page.fields["held"].text().startswith(f"{_held(demo_store, '2026'):,} (")
    with qtbot.waitSignal(page.report_shown, timeout=10_000):
        page.kind.setCurrentIndex(page.kind.findText("Month"))
    assert page.report.period.label == "2026-01"  # the first month of the year shown
    where = page.next_button.mapTo(page, page.next_button.rect().center())
    with qtbot.waitSignal(page.report_shown, timeout=10_000):
        qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.period_label.text() == "<b>February 2026</b>"
    # Next stays where it was whatever the period's name: clicking again goes on
    assert page.next_button.mapTo(page, page.next_button.rect().center()) == where
    page.kind.setCurrentIndex(page.kind.findText("Quarter"))
    qtbot.waitUntil(lambda: "Q" in page.period_label.text())
    assert page.next_button.mapTo(page, page.next_button.rect().center()) == where
    page.kind.setCurrentIndex(page.kind.findText("Month"))
    assert page.fields["held"].text().startswith(f"{_held(demo_store, '2026-02'):,} (")


def test_charts_render_and_describe_their_figures(page: ReportsPage) -> None:
    chart = page.group_chart
    assert chart.categories[0] == "Children and young people" and len(chart.categories) == 8
    assert [s.name for s in chart.series] == ["2026Q4", "2026Q3", "Baseline"]
    assert "Older people: 2026Q4 " in chart.accessibleDescription()
    assert "%" in chart.accessibleDescription()
    for widget in (page.group_chart, page.method_chart):
        image = widget.grab().toImage()
        assert not image.isNull() and image.height() > 100
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 3)
            for y in range(0, image.height(), 3)
        }
        assert len(colours) > 4  # bars in several colours, text: not a blank widget
    for widget in (page.kind, page.previous_button, page.next_button, page.csv_button):
        assert widget.accessibleName()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_buttons_write_files(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    target = tmp_path / "out" / "hackney"  # no suffix: the page adds it
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    button = page.csv_button if fmt == "csv" else page.xlsx_button
    with qtbot.waitSignal(page.exported, timeout=10_000) as signal:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    written = Path(signal.args[0])
    assert written == target.with_name(f"hackney.{fmt}") and written.exists()
    assert page.status.text().startswith(f"Wrote {written}")
    if fmt == "csv":
        rows = list(csv.DictReader(written.read_text(encoding="utf-8-sig").splitlines()))
        held = next(r for r in rows if r["measure"] == "Engagements held")
        assert (held["area"], held["period"]) == ("Hackney", "2026Q4")
        assert held["value"] == str(page.report.current.participation.held)
    else:
        with zipfile.ZipFile(written) as book:
            assert "xl/worksheets/sheet1.xml" in book.namelist()


def test_export_failure_is_said_in_words(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out" / "taken.csv"
    folder.mkdir(parents=True)  # a folder where the file should go
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(folder), ""))
    with qtbot.waitSignal(page.export_failed, timeout=10_000):
        qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    assert page.status.text().startswith(f"Could not write {folder}")
    assert list(folder.parent.iterdir()) == [folder] and not list(folder.iterdir())


def test_cancelled_dialog_writes_nothing(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sorted(tmp_path.rglob("*"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert page.export("csv") is None
    assert sorted(tmp_path.rglob("*")) == before


def test_export_dialogs_start_in_home_then_in_the_folder_last_chosen(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never in the folder ccodesk was started from, where the officer would not look."""
    from ccodesk.ui import file_dialogs

    monkeypatch.setattr(file_dialogs, "_last_folder", None)
    home = tmp_path / "officer"
    home.mkdir()
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: home))
    monkeypatch.chdir(tmp_path)
    starts: list[str] = []
    chosen = tmp_path / "Documents" / "camden.csv"
    chosen.parent.mkdir()

    def ask(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        starts.append(start)
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    for _ in range(2):
        with qtbot.waitSignal(page.exported, timeout=10_000):
            qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    assert Path(starts[0]).parent == home
    assert Path(starts[1]).parent == chosen.parent


# the share whose previous value a field compares (the others compare their own figure)
SHARE_OF = {
    "outreach": "Share that were hard-to-reach outreach",
    "with_outcome": "Share of findings with an outcome",
    "changed": "Share of those with an outcome that changed a decision",
    "within": "Share with feedback within 28 days",
}


def _as_shown(cell: str, unit: str) -> str:
    """A CSV cell as the page writes the figure: 1,234 · 12.3% · £1.50 · 4.5 · <10."""
    if not cell:
        return "–"
    if not cell[0].isdigit():
        return cell  # "<10", "suppressed"
    number = float(cell)
    return {
        "count": f"{number:,.0f}",
        "percent": f"{number:.1f}%",
        "pounds": f"£{number:,.2f}",
        "days": f"{number:g}",
    }[unit]


def test_the_page_shows_what_the_csv_export_writes(
    qtbot: QtBot, page: ReportsPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same names, values, previous values and withheld markers as the CSV of the period
    (February 2026 of the demo data withholds small counts of attendees by kind)."""
    with qtbot.waitSignal(page.report_shown, timeout=10_000):
        page.set_period(Period.parse("2026-02"))
    small = [page.attendees_by.item(i).text() for i in range(page.attendees_by.count())]
    assert not any("<10" in line for line in small)  # on the device: every figure
    qtbot.mouseClick(page.withhold, Qt.MouseButton.LeftButton)
    assert page.withhold.isChecked() and "withheld" in page.status.text()
    target = tmp_path / "february.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(page.exported, timeout=10_000):
        qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    written = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["period"] for r in written} == {"2026-02"}
    cells = {(r["measure"], r["group"]): r for r in written}

    compared = []
    for key, value in page.fields.items():
        row = cells.get((page.labels[key].text().removesuffix(":"), ""))
        if row is None:
            continue  # a summary of several rows ("Groups not reached")
        assert value.accessibleName() == row["measure"]
        assert value.text().startswith(_as_shown(row["value"], row["unit"])), key
        if "(previous: " in value.text():
            before = cells[(SHARE_OF.get(key, row["measure"]), "")]
            compared_with = f"(previous: {_as_shown(before['previous'], before['unit'])})"
            assert value.text().endswith(compared_with), key
        compared.append(key)
    assert len(compared) >= 14 and "per_participant" in compared and "tired" in compared

    shown = [page.attendees_by.item(i).text() for i in range(page.attendees_by.count())]
    expected = [
        f"{r['measure']}, {r['group']}: {_as_shown(r['value'], 'count')} "
        f"(previous: {_as_shown(r['previous'], 'count')})"
        for r in written
        if r["measure"] in ("Attendees by kind", "Attendees by method")
    ]
    assert shown == expected
    on_device = dict(line.split(": ", 1) for line in small)
    withheld = [line.split(": ", 1) for line in shown if ": <10 (" in line]
    assert withheld  # a small count, withheld alike
    for name, _value in withheld:
        assert 1 <= int(on_device[name].split(" ")[0]) <= 9
