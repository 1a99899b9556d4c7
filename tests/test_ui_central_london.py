"""The central window's London page (issue 16): after a few boroughs' bundles are merged, its
figures are `ccodesk-central report`'s for the same period — on SQLite and on PostgreSQL —
sorted by any column, withheld as the exports withhold them, exported and read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ccodesk.cli.central import main as central_cli
from ccodesk.services.central_inbox import merge_many
from ccodesk.services.central_london import KEY_FIGURES, Cell
from ccodesk.services.periods import Period
from ccodesk.settings import Settings
from ccodesk.sync.central import Central, init_central
from ccodesk.sync.export import export_bundle
from ccodesk.ui.central_london import ComparisonModel, LondonPage
from ccodesk.ui.central_window import CentralWindow
from tests.support.fit import LAPTOPS, assert_fits
from tests.test_sync import make_borough

BOROUGHS = (("camden", "Camden"), ("hackney", "Hackney"), ("lewisham", "Lewisham"))
Q3 = Period.parse("2026Q3")


def merge_boroughs(central: Central, work: Path, per_year: int = 60) -> None:
    """Three boroughs' demo data, each on its own device trusted by `central`, merged."""
    from ccodesk.services.demo import load_demo_data

    bundles = []
    for n, (code, _name) in enumerate(BOROUGHS):
        store = make_borough(work / code, code, f"Officer {n}", central)
        try:
            load_demo_data(
                store,
                seed=n + 1,
                anchor=dt.date(2026, 11, 22),
                engagements_per_year=per_year,
                organisations_per_year=40,
            )
            bundles.append(work / f"{code}.ccbundle")
            export_bundle(store, bundles[-1])
        finally:
            store.close()
    assert all(line.merged for line in merge_many(central, bundles, None))


def _window(qtbot: QtBot, central: Central) -> tuple[CentralWindow, LondonPage]:
    window = CentralWindow(central, Settings(), home=central.home)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.boroughs.board_shown, timeout=30_000):
        window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.london.shown, timeout=60_000):
        window.go_to(CentralWindow.PAGES.index("London"))
    return window, window.london


def _show(qtbot: QtBot, page: LondonPage, period: Period) -> None:
    with qtbot.waitSignal(page.shown, timeout=60_000):
        page.set_period(period)


def cli_figures(
    home: Path, db: str | None, period: Period, out: Path
) -> dict[tuple[str, str], tuple[str, str]]:
    """`ccodesk-central report --format csv`'s key figures: (area, measure) → (value, previous)."""
    args = ["--home", str(home), *(["--db", db] if db else [])]
    assert central_cli([*args, "report", "--period", period.label, "-o", str(out)]) == 0
    rows = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    wanted = {key.measure for key in KEY_FIGURES}
    return {
        (row["area"], row["measure"]): (row["value"], row["previous"])
        for row in rows
        if row["measure"] in wanted and not row["group"]
    }


def as_csv(cell: Cell) -> str:
    """A page cell as the CSV writes it (shares in per cent, money to the penny)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float):
        return str(round(100 * value if cell.unit == "share" else value, 2))
    return str(value)


def assert_page_is_the_cli(
    page: LondonPage, figures: dict[tuple[str, str], tuple[str, str]]
) -> None:
    areas = {line.name for line in page.model.lines}
    assert areas == {"London", *(name for _code, name in BOROUGHS)}
    compared = 0
    for line in page.model.lines:
        for n, key in enumerate(KEY_FIGURES):
            now, before = figures[(line.name, key.measure)]
            assert (as_csv(line.now[n]), as_csv(line.before[n])) == (now, before), (
                line.name,
                key.measure,
            )
            compared += 1
    assert compared == 4 * len(KEY_FIGURES)


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    c = init_central(tmp_path / "centre", None, "MPA Central Unit")
    yield c
    c.close()


def test_the_london_page_shows_what_ccodesk_central_report_says(
    qtbot: QtBot, qtmodeltester: ModelTester, tmp_path: Path, central: Central
) -> None:
    merge_boroughs(central, tmp_path)
    baseline = ["report", "baseline", "set", "older", "11.9", "--source", "Census 2021, London"]
    assert central_cli(["--home", str(central.home), *baseline]) == 0
    window, page = _window(qtbot, central)
    _show(qtbot, page, Q3)
    qtmodeltester.check(page.model)

    # the same numbers as the command line, figure by figure (withheld as it withholds)
    page.withhold.setChecked(True)
    figures = cli_figures(central.home, None, Q3, tmp_path / "cli.csv")
    assert_page_is_the_cli(page, figures)
    london = page.line("")
    held = KEY_FIGURES.index(next(k for k in KEY_FIGURES if k.measure == "Engagements held"))
    assert london.now[held].value == sum(page.line(c).now[held].value for c, _ in BOROUGHS)  # type: ignore[misc]
    assert london.now[held].value and london.before[held].value  # both periods have figures

    # withheld or not: with the box off, no "<10" and no "suppressed" anywhere
    def texts() -> set[str]:
        return {cell.text for line in page.model.lines for cell in (*line.now, *line.before)}

    month = Period.parse("2026-08")  # a month's small counts
    _show(qtbot, page, month)
    shown = texts()
    assert "<10" in shown or "suppressed" in shown
    page.withhold.setChecked(False)
    assert not {"<10", "suppressed"} & texts()
    page.withhold.setChecked(True)
    assert_page_is_the_cli(page, cli_figures(central.home, None, month, tmp_path / "m.csv"))

    # the page shows the figures first, then works out the cells to withhold: the same
    # report as `ccodesk-central report` in the end, and nothing withheld wrongly meanwhile
    from ccodesk.services.central_london import (
        comparison,
        london_data,
        london_figures,
        london_withheld,
    )

    with central.session() as s:
        figures = london_figures(s, month)
        assert not figures.withheld_known
        with pytest.raises(ValueError, match="not worked out"):
            comparison(figures, withhold=True)
        assert comparison(london_withheld(s, figures), withhold=True) == comparison(
            london_data(s, month), withhold=True
        )

    # sortable by any column, London's line on top either way
    _show(qtbot, page, Q3)
    column = ComparisonModel.column(held)
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        page.table.sortByColumn(column, order)
        lines = [
            page.proxy.data(page.proxy.index(r, 0), ComparisonModel.OBJECT_ROLE)
            for r in range(page.proxy.rowCount())
        ]
        assert lines[0].code == ""  # London
        values = [line.now[held].value for line in lines[1:]]
        assert values == sorted(values, reverse=order == Qt.SortOrder.DescendingOrder)
        assert page.proxy.data(page.proxy.index(0, column)) == london.now[held].text

    # charts: the boroughs' engagements, London's groups against the baseline
    assert page.held_chart.categories == sorted(name for _c, name in BOROUGHS)
    assert (
        len(page.group_chart.series) == 3 and page.group_chart.series[2].name == "London baseline"
    )
    older = page.group_chart.categories.index("Older people")
    assert page.group_chart.series[2].values[older] == pytest.approx(0.119)

    # exports: the CSV and XLSX are the command line's files; the PDF is London's return
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export("csv", tmp_path / "page.csv")
    assert (tmp_path / "page.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export("xlsx", tmp_path / "page.xlsx")
    assert central_cli(["--home", str(central.home), "report", "--period", "2026Q3", "-o",
                        str(tmp_path / "cli.xlsx")]) == 0  # fmt: skip

    def sheet(path: Path) -> list[tuple[object, ...]]:
        book = openpyxl.load_workbook(path)
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    assert sheet(tmp_path / "page.xlsx") == sheet(tmp_path / "cli.xlsx")
    assert len(sheet(tmp_path / "page.xlsx")) > 100
    with qtbot.waitSignal(page.exported, timeout=60_000):
        page.export("pdf", tmp_path / "london.pdf")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "london.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "London: quarterly consultation return" in text
        assert "The boroughs compared" in text
        for _code, name in BOROUGHS:
            assert name in text
        cell = f"{london.now[held].text} ({london.before[held].text})"
        assert cell in text  # London's engagements held, this quarter and the last
        assert re.search(r"Older people\s.*11\.9%", text)  # against London's baseline
    # a month has no return: one plain message, no file
    _show(qtbot, page, month)
    assert not page.pdf_button.isEnabled()
    with qtbot.waitSignal(page.export_failed, timeout=30_000) as failed:
        page.export("pdf", tmp_path / "month.pdf")
    assert "quarterly" in failed.args[0] and not (tmp_path / "month.pdf").exists()

    for tab in range(page.tabs.count()):
        page.tabs.setCurrentIndex(tab)
        for width, height in LAPTOPS:
            assert_fits(window, width, height)
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


def test_the_london_page_on_postgresql_is_the_cli_report(
    qtbot: QtBot, tmp_path: Path, pg_url: str
) -> None:
    from tests.support.postgres import new_database

    url = new_database(pg_url, "central_london")
    central = init_central(tmp_path / "centre", url, "MPA Central Unit")
    try:
        merge_boroughs(central, tmp_path, per_year=40)
        window, page = _window(qtbot, central)
        _show(qtbot, page, Q3)
        page.withhold.setChecked(True)
        assert_page_is_the_cli(page, cli_figures(central.home, url, Q3, tmp_path / "pg.csv"))
        window.close_store()
    finally:
        central.close()


def test_london_is_worked_out_behind_the_board_and_opens_at_once(
    qtbot: QtBot, tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The board on screen a moment, London's figures and small counts are worked out behind
    it; going to London then shows them without working them out again. After a merge they
    are worked out afresh when London is next shown."""
    import ccodesk.ui.central_window as central_window

    merge_boroughs(central, tmp_path / "boroughs", per_year=20)
    monkeypatch.setattr(central_window, "PREFETCH_MS", 0)
    window = CentralWindow(central, Settings(), home=central.home)
    qtbot.addWidget(window)
    page = window.london
    with qtbot.waitSignal(page.shown, timeout=60_000):  # behind the board
        window.show()
    assert window.stack.currentWidget() is window.boroughs
    worked = page.generation
    with qtbot.waitSignal(page.shown, timeout=10_000):
        window.go_to(CentralWindow.PAGES.index("London"))
    assert page.generation == worked and page.line("").now  # shown as worked out
    window.go_to(CentralWindow.PAGES.index("Boroughs"))
    window._after_merge()
    with qtbot.waitSignal(page.shown, timeout=60_000):
        window.go_to(CentralWindow.PAGES.index("London"))
    assert page.generation == worked + 1
    window.close_store()
