"""One definition per figure: every figure the printed quarterly return shares with the
indicator report is the report's, as the officer reads both (issue 13).

The return is printed with `ccodesk-cli print return`, read back with poppler's pdftotext;
the report is written with `ccodesk-cli report` as XLSX and read with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ccodesk.models import Engagement, EngagementStatus, Finding, OutcomeResult
from ccodesk.services import records
from ccodesk.store import Store

Cell = tuple[str, str]  # (measure, group)


def _cli(store: Store, *args: str) -> None:
    from ccodesk.cli.borough import main

    assert main(["--data-dir", str(store.data_dir), *args]) == 0


def _report(path: Path) -> dict[Cell, tuple[str, str]]:
    """(measure, group) -> (this period, the period before), as printed."""
    book = load_workbook(path, read_only=True)
    try:
        rows = list(book["Indicators"].iter_rows(values_only=True))
    finally:
        book.close()  # a read-only workbook keeps its file open until closed
    header = [str(h).casefold() for h in rows[0]]
    at = {name: header.index(name) for name in ("measure", "group", "unit", "value", "previous")}
    figures = {}
    for row in rows[1:]:
        unit = row[at["unit"]]
        shown = tuple(_shown(row[at[col]], str(unit)) for col in ("value", "previous"))
        figures[(str(row[at["measure"]]), str(row[at["group"]] or ""))] = shown
    return figures


def _shown(value: object, unit: str) -> str:
    if isinstance(value, str) or value is None:
        return value or ""
    if unit == "pounds":
        return f"£{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else f"{value}"


def _line(text: str, label: str, columns: int) -> list[str]:
    """The first `columns` values after `label` at the start of a line of the layout text."""
    pattern = rf"^ *{re.escape(label)} {{2,}}" + r" +".join([r"(\S+)"] * columns) + r"\s*$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"no line {label!r} with {columns} values in the return"
    return list(found.groups())


def _a_finding_that_changed_two_decisions_and_one_decided_later(store: Store) -> None:
    """The cases two definitions counted differently: several changed outcomes of one
    finding, and an outcome decided this quarter for an engagement held the quarter before."""
    with store.session() as s:
        for held_on, decided in ((dt.datetime(2026, 8, 3), None), (dt.datetime(2026, 5, 4), 1)):
            engagement = s.scalars(
                select(Engagement)
                .where(
                    Engagement.status == EngagementStatus.HELD,
                    Engagement.deleted.is_(False),
                    Engagement.starts_at >= held_on,
                )
                .order_by(Engagement.starts_at)
                .limit(1)
            ).one()
            finding = records.add_finding(s, engagement.id, "Lighting on the towpath is poor").id
            for n in range(2):
                records.add_outcome(
                    s,
                    finding,
                    OutcomeResult.CHANGED_DECISION,
                    decision=f"Decision {n} about the towpath",
                    decided_on=dt.date(2026, 8, 20) if decided else None,
                )
        s.commit()


@pytest.mark.parametrize("quarter", ["2026Q3", "2026Q2"])
def test_every_figure_the_return_prints_is_the_reports(
    demo_store: Store, tmp_path: Path, quarter: str
) -> None:
    _a_finding_that_changed_two_decisions_and_one_decided_later(demo_store)
    _cli(demo_store, "report", "--period", quarter, "-o", str(tmp_path / "report.xlsx"))
    _cli(demo_store, "print", "return", "--period", quarter, "-o", str(tmp_path / "return.pdf"))
    report = _report(tmp_path / "report.xlsx")
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "return.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    # the summary on page 1
    assert _line(text, "Engagements held", 2) == list(report[("Engagements held", "")])
    assert _line(text, "People taking part", 2) == list(report[("Attendees", "")])
    assert (
        _line(text, "Findings recorded", 1)[0] == report[("Findings from engagements held", "")][0]
    )
    changed = report[("Findings that changed a decision", "")][0]
    assert _line(text, "Findings that changed a decision", 1)[0] == changed
    assert _line(text, "Cash costs", 1)[0] == report[("Direct costs", "")][0]
    assert _line(text, "Officer time (opportunity cost)", 1)[0] == report[("Officer time", "")][0]
    # the findings section's own count, and its lines: one per finding
    assert f"Changed the decision: {changed}" in text
    assert text.count("Lighting on the towpath is poor") == 1
    raw = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "return.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    both = re.findall(r"Decision (\d) about the towpath; Decision (\d)", " ".join(raw.split()))
    assert [sorted(pair) for pair in both] == [["0", "1"]]

    # engagements held by method
    for (measure, method), (held, _before) in report.items():
        if measure == "Engagements by method" and held != "0":
            took_part = report[("Attendees by method", method)][0]
            assert _line(text, method, 3)[:2] == [held, took_part], method
    all_methods = _line(text, "All methods", 3)[:2]
    assert all_methods == [report[("Engagements held", "")][0], report[("Attendees", "")][0]]

    # the eight groups, this quarter and the one before
    groups = [g for m, g in report if m == "Monitored attendees in the group"]
    assert len(groups) == 8
    for group in groups:
        shown = _line(text, group, 3)[:2]
        assert shown == list(report[("Monitored attendees in the group", group)]), group


def test_the_return_and_the_report_count_one_finding_once(demo_store: Store) -> None:
    """The figures themselves, not only as printed: the return's lines of changed decisions
    are the report's count, and a finding with two changed outcomes is one line."""
    from ccodesk.services.indicators import build_report
    from ccodesk.services.periods import Period, PeriodKind
    from ccodesk.services.quarterly_return import return_content

    _a_finding_that_changed_two_decisions_and_one_decided_later(demo_store)
    with demo_store.session() as s:
        data = return_content(s, "hackney", Period(2026, PeriodKind.QUARTER, 3))
        report = build_report(
            s, Period(2026, PeriodKind.QUARTER, 3), area="Hackney", borough_code="hackney"
        )
        towpath = s.scalars(
            select(Finding.id).where(Finding.text == "Lighting on the towpath is poor")
        ).all()
    now = report.current
    assert len(towpath) == 2
    assert len(data.changed) == now.information.changed
    assert data.outcomes["Changed the decision"] == now.information.changed
    assert data.findings == now.information.findings
    assert (data.held, data.attendees) == (now.participation.held, now.participation.attendees)
    assert (data.held_before, data.attendees_before) == (
        report.previous.participation.held,
        report.previous.participation.attendees,
    )
    assert (data.cash_pence, data.officer_pence) == (
        now.cost.direct_pence,
        now.cost.officer_pence,
    )
    assert sum(m.held for m in data.methods) == data.held
    assert sum(m.attendees for m in data.methods) == data.attendees
    assert [g.this_quarter for g in data.groups] == [g.attendees for g in now.representation.groups]
    # the quarter's own towpath finding, once, with both decisions; the one held in May is
    # the quarter before's, though its decisions were made in August
    lines = [c for c in data.changed if c.finding == "Lighting on the towpath is poor"]
    assert len(lines) == 1 and lines[0].held_on.month == 8
    assert sorted(lines[0].decision.split("; ")) == [
        f"Decision {n} about the towpath" for n in (0, 1)
    ]
