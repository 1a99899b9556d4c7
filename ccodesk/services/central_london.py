"""The central window's London page: the indicators London-wide and borough by borough.

Every figure comes from `central_report`, the code `ccodesk-central report` runs, and is
worded by the presenter the exports use (`indicator_presenter.report_rows`), so the page, the
CSV and XLSX it writes and the command line agree figure for figure, withheld small counts
included. The London return (a PDF) is built from the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_write_bytes
from ccodesk.printing.london_return import LondonReturnContent, london_return_pdf
from ccodesk.services.indicator_export import ExportError
from ccodesk.services.indicator_presenter import (
    ReportRow,
    Value,
    format_value,
    page_view,
    report_rows,
)
from ccodesk.services.indicator_results import CentralReport, IndicatorReport
from ccodesk.services.indicator_suppression import ATTENDEES
from ccodesk.services.indicators import FEEDBACK_DAYS, central_report, central_withheld
from ccodesk.services.periods import Period, PeriodKind


@dataclass(frozen=True)
class KeyFigure:
    """A column of the borough comparison: the report row it shows, and its short heading."""

    measure: str
    heading: str


KEY_FIGURES = (
    KeyFigure("Engagements held", "Held"),
    KeyFigure(ATTENDEES, "Attendees"),
    KeyFigure("Share that were hard-to-reach outreach", "Outreach share"),
    KeyFigure("Share of findings with an outcome", "Findings with an outcome"),
    KeyFigure(f"Share with feedback within {FEEDBACK_DAYS} days", "Feedback in 28 days"),
    KeyFigure("Methods used", "Methods used"),
    KeyFigure("Cost per participant", "Cost per participant"),
)


@dataclass(frozen=True)
class Cell:
    """One figure of a line: its value (a number, "<10", "suppressed" or None) and unit."""

    value: Value
    unit: str

    @property
    def text(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def number(self) -> float | None:
        """For sorting and charts: None where there is no figure or it is withheld."""
        return self.value if isinstance(self.value, int | float) else None


@dataclass(frozen=True)
class ComparisonLine:
    """One area's key figures, this period's and the period before's (in KEY_FIGURES order)."""

    code: str  # the borough's code; "" for London
    name: str
    now: tuple[Cell, ...]
    before: tuple[Cell, ...]


@dataclass(frozen=True)
class LondonData:
    """The page's data for one period: the central report and the fatigue threshold it used."""

    report: CentralReport
    threshold: int

    @property
    def period(self) -> Period:
        return self.report.period

    @property
    def withheld_known(self) -> bool:
        """Whether the cells to withhold are worked out (the exports and the box need them)."""
        return self.report.london.withheld is not None

    def reports(self) -> list[IndicatorReport]:
        """London, then borough by borough: what `ccodesk-central report -o` writes."""
        if not self.withheld_known:
            raise ValueError("the cells to withhold are not worked out yet")
        return [self.report.london, *self.report.boroughs.values()]


def london_figures(session: Session, period: Period, *, fatigue_threshold: int = 3) -> LondonData:
    """The indicators London-wide and for each borough with trusted devices (two reads of
    the store, however many boroughs), before the cells to withhold are worked out."""
    report = central_report(session, period, fatigue_threshold=fatigue_threshold, withhold=False)
    return LondonData(report, fatigue_threshold)


def london_withheld(session: Session, data: LondonData) -> LondonData:
    """`data` with the cells to withhold, as `ccodesk-central report` works them out (over
    London and every borough, for each month, quarter and the year)."""
    return LondonData(central_withheld(session, data.report), data.threshold)


def london_data(session: Session, period: Period, *, fatigue_threshold: int = 3) -> LondonData:
    """The figures and the cells to withhold: `ccodesk-central report`'s report."""
    report = central_report(session, period, fatigue_threshold=fatigue_threshold)
    return LondonData(report, fatigue_threshold)


def _line(code: str, rows: Sequence[ReportRow], name: str) -> ComparisonLine:
    by_measure = {row.measure: row for row in rows if not row.group}
    now, before = [], []
    for key in KEY_FIGURES:
        row = by_measure[key.measure]
        now.append(Cell(row.value, row.unit))
        before.append(Cell(row.previous, row.unit))
    return ComparisonLine(code, name, tuple(now), tuple(before))


def comparison(data: LondonData, *, withhold: bool) -> tuple[ComparisonLine, list[ComparisonLine]]:
    """London's line and one line per borough, worded as the exports word them (with
    `withhold`, small counts withheld exactly as in the exports)."""
    if withhold and not data.withheld_known:
        raise ValueError("the cells to withhold are not worked out yet")
    london = data.report.london
    lines = [
        _line(code, report_rows(report, for_export=withhold), report.area)
        for code, report in data.report.boroughs.items()
    ]
    return _line("", report_rows(london, for_export=withhold), london.area), lines


def london_return(data: LondonData) -> LondonReturnContent:
    """The London quarterly return's content: plain text cells, small counts withheld."""
    london = data.report.london
    period, before = data.period, data.period.previous()
    rows = report_rows(london, for_export=True)
    view = page_view(london, for_export=True)
    summary = [
        (f.label, f.text)
        for f in view.fields
        if f.key not in ("access", "unreached")  # long lists, in the tables below
    ]
    groups = [
        (
            row.group,
            format_value(row.value, row.unit),
            format_value(row.previous, row.unit),
            format_value(row.baseline, "share"),
        )
        for row in rows
        if row.measure == "Share of monitored attendance" and row.group
    ]
    methods = [
        (row.group, format_value(row.value, row.unit), format_value(row.previous, row.unit))
        for row in rows
        if row.measure == "Engagements by method" and row.group
    ]
    london_line, lines = comparison(data, withhold=True)
    table = [
        [line.name, *(f"{c.text} ({b.text})" for c, b in zip(line.now, line.before, strict=True))]
        for line in [*lines, london_line]
    ]
    return LondonReturnContent(
        period=period.label,
        period_before=before.label,
        heading=period.span_label,
        summary=summary,
        groups=groups,
        methods=methods,
        headings=["Borough", *(key.heading for key in KEY_FIGURES)],
        boroughs=table,
        boroughs_sending=sum(1 for line in lines if line.now[0].value or line.before[0].value),
    )


def write_london_return(path: Path, data: LondonData) -> Path:
    """Write the London quarterly return (a quarter only) as a PDF, atomically."""
    if data.period.kind != PeriodKind.QUARTER:
        raise ExportError(
            f"The London return is quarterly: choose a quarter, not {data.period.long_label}."
        )
    pdf = london_return_pdf(london_return(data))
    try:
        atomic_write_bytes(path, pdf)
    except OSError as exc:
        raise ExportError(f"Could not write {path}: {os_reason(exc)}") from exc
    return path
