"""Indicator reports as rows, and those rows as a text table, CSV or XLSX.

Anything written to a file leaves the device, so it is written with small counts suppressed
(`for_export=True`, docs/indicators.md "Small numbers"): a count of people from 1 to 9
becomes "<10"; a count withheld so that no subtraction gives such a count back
(`indicator_suppression.py`), and a share or cost worked out from any withheld count, become
"suppressed", because the count could be recovered from it (a share times its shown
denominator, a total cost divided by the cost per participant).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ccodesk.errors import KnownError
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_write_bytes
from ccodesk.services import spreadsheet_safety as safety
from ccodesk.services import suppression
from ccodesk.services.baselines import Baseline
from ccodesk.services.indicator_results import (
    Cost,
    Fatigue,
    Feedback,
    Inclusivity,
    IndicatorReport,
    Indicators,
    InformationUse,
    Participation,
    Representation,
)
from ccodesk.services.indicator_suppression import (
    ATTENDEES,
    IN_GROUP,
    MONITORED,
    REACHED,
    withheld_in_report,
)
from ccodesk.services.indicators import FEEDBACK_DAYS
from ccodesk.words import plural

SMALL = suppression.SMALL  # counts of people below this are suppressed when they leave
SUPPRESSED_COUNT = "<10"
SUPPRESSED_DERIVED = "suppressed"

Value = int | float | str | None


class ExportError(KnownError):
    """A report file could not be written."""


@dataclass(frozen=True)
class ReportRow:
    """One figure: this period's value, the period before's, and the baseline (shares)."""

    area: str
    period: str
    family: str
    measure: str
    group: str  # a kind, method, priority group, access arrangement or organisation; or ""
    unit: str  # count | share | pounds | days
    value: Value
    previous: Value
    baseline: float | None = None  # a share (0–1), for representation only


@dataclass(frozen=True)
class _Figure:
    family: str
    measure: str
    group: str
    unit: str
    value: int | float | None
    # the counts of people, as (measure, group), that the value shows or is worked out from
    guard: tuple[tuple[str, str], ...] = ()


def _figures(ind: Indicators, threshold_label: str) -> list[_Figure]:
    """Every figure of the indicators, family by family, in the order they are written."""
    return [
        *_participation(ind.participation),
        *_representation(ind.representation),
        *_information_use(ind.information),
        *_feedback(ind.feedback),
        *_inclusivity(ind.inclusivity),
        *_cost(ind.cost),
        *_fatigue(ind.fatigue, threshold_label),
    ]


def _participation(p: Participation) -> list[_Figure]:
    family = "Participation"
    out = [
        _Figure(family, "Engagements held", "", "count", p.held),
        _Figure(family, "Attendees", "", "count", p.attendees, ((ATTENDEES, ""),)),
        _Figure(family, "Hard-to-reach outreach engagements", "", "count", p.outreach),
        _Figure(family, "Share that were hard-to-reach outreach", "", "share", p.outreach_share),
    ]
    for label, lines in (("kind", p.by_kind), ("method", p.by_method)):
        out += [
            _Figure(family, f"Engagements by {label}", line.name, "count", line.engagements)
            for line in lines
        ]
        out += [
            _Figure(
                family,
                f"Attendees by {label}",
                line.name,
                "count",
                line.attendees,
                ((f"Attendees by {label}", line.name),),
            )
            for line in lines
        ]
    return out


def _representation(r: Representation) -> list[_Figure]:
    family = "Representation"
    out = [_Figure(family, "Attendees monitored", "", "count", r.monitored, ((MONITORED, ""),))]
    for g in r.groups:
        out += [
            _Figure(family, "Engagements that targeted the group", g.name, "count", g.targeted),
            _Figure(
                family,
                "Engagements that reached the group",
                g.name,
                "count",
                g.reached,
                ((REACHED, g.name),),
            ),
            _Figure(
                family,
                "Monitored attendees in the group",
                g.name,
                "count",
                g.attendees,
                ((IN_GROUP, g.name),),
            ),
            _Figure(
                family,
                "Share of monitored attendance",
                g.name,
                "share",
                g.share,
                ((IN_GROUP, g.name), (MONITORED, "")),
            ),
        ]
    return out


def _information_use(i: InformationUse) -> list[_Figure]:
    family = "Effective use of information"
    return [
        _Figure(family, "Findings from engagements held", "", "count", i.findings),
        _Figure(family, "Findings with an outcome", "", "count", i.with_outcome),
        _Figure(family, "Share of findings with an outcome", "", "share", i.outcome_share),
        _Figure(family, "Findings that changed a decision", "", "count", i.changed),
        _Figure(
            family,
            "Share of those with an outcome that changed a decision",
            "",
            "share",
            i.changed_share,
        ),
    ]


def _feedback(f: Feedback) -> list[_Figure]:
    family = "Feedback"
    return [
        _Figure(
            family, f"Engagements with feedback within {FEEDBACK_DAYS} days", "", "count", f.within
        ),
        _Figure(
            family, f"Share with feedback within {FEEDBACK_DAYS} days", "", "share", f.within_share
        ),
        _Figure(family, "Engagements with feedback so far", "", "count", f.fed_back),
        _Figure(family, "Median days to first feedback", "", "days", f.median_days),
    ]


def _inclusivity(k: Inclusivity) -> list[_Figure]:
    family = "Inclusivity"
    return [
        _Figure(family, "Methods used", "", "count", k.methods_used),
        _Figure(family, "Venues in the communities' own places", "", "count", k.community_venues),
        _Figure(
            family,
            "Engagements in the communities' own places",
            "",
            "count",
            k.at_community_venues,
        ),
        _Figure(family, "Share in the communities' own places", "", "share", k.community_share),
        *(
            _Figure(family, "Engagements with access arrangement", label, "count", n)
            for label, n in k.access
        ),
    ]


def _cost(c: Cost) -> list[_Figure]:
    pounds: list[tuple[str, int | float | None, tuple[tuple[str, str], ...]]] = [
        ("Direct costs", c.direct_pence, ()),
        ("Officer time", c.officer_pence, ()),
        ("Total cost", c.total_pence, ()),
        ("Cost per engagement", c.per_engagement_pence, ()),
        ("Cost per participant", c.per_participant_pence, ((ATTENDEES, ""),)),
    ]
    return [
        _Figure("Cost", name, "", "pounds", None if v is None else round(v / 100, 2), guard)
        for name, v, guard in pounds
    ]


def _fatigue(fat: Fatigue, threshold_label: str) -> list[_Figure]:
    family = "Consultee fatigue"
    return [
        _Figure(family, "Organisations consulted", "", "count", fat.consulted),
        _Figure(family, f"Organisations consulted {threshold_label}", "", "count", len(fat.tired)),
        *(
            _Figure(family, "Consultations of the organisation", t.name, "count", t.consultations)
            for t in fat.tired
        ),
    ]


def _shown(figure: _Figure, withheld: Collection[tuple[str, str]] | None) -> Value:
    """The figure as written: `withheld` are the period's withheld counts (None: all shown)."""
    if withheld is None or not any(cell in withheld for cell in figure.guard):
        return figure.value
    if figure.unit == "count" and isinstance(figure.value, int) and 0 < figure.value < SMALL:
        return SUPPRESSED_COUNT
    return SUPPRESSED_DERIVED  # worked out from a withheld count, or withheld to protect one


def report_rows(report: IndicatorReport, *, for_export: bool = False) -> list[ReportRow]:
    """A report as tidy rows (indicator, measure, group, value, previous value, baseline).

    With `for_export`, counts of people from 1 to 9 are shown as "<10", the counts withheld
    to protect them (so no subtraction gives them back) and the shares and costs worked out
    from any withheld count as "suppressed", in this period's and the previous period's
    columns alike (docs/indicators.md, "Small numbers").
    """
    threshold = f"more than {plural(report.current.fatigue.threshold, 'time')}"
    now: set[tuple[str, str]] | None = None
    before: set[tuple[str, str]] | None = None
    if for_export:
        cells = report.withheld if report.withheld is not None else withheld_in_report(report)
        now = {(m, g) for m, g, label in cells if label == report.period.label}
        before = {(m, g) for m, g, label in cells if label == report.period.previous().label}
    previous = {
        (fig.family, fig.measure, fig.group): fig for fig in _figures(report.previous, threshold)
    }
    rows = []
    for fig in _figures(report.current, threshold):
        prev = previous.get((fig.family, fig.measure, fig.group))
        baseline = None
        if fig.measure == "Share of monitored attendance":
            found = _baseline_for(report.baselines, report.current, fig.group)
            baseline = None if found is None else found.share_percent / 100
        rows.append(
            ReportRow(
                area=report.area,
                period=report.period.label,
                family=fig.family,
                measure=fig.measure,
                group=fig.group,
                unit=fig.unit,
                value=_shown(fig, now),
                previous=None if prev is None else _shown(prev, before),
                baseline=baseline,
            )
        )
    return rows


def _baseline_for(baselines: dict[str, Baseline], ind: Indicators, name: str) -> Baseline | None:
    code = next((g.code for g in ind.representation.groups if g.name == name), None)
    return baselines.get(code) if code else None


# -- text ------------------------------------------------------------------------------------


def format_value(value: Value, unit: str) -> str:
    """A value as a person reads it: 1,234 · 12.3% · £1,234.56 · 4.5 days · – for none."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "pounds":
        return f"£{value:,.2f}"
    if unit == "days":
        return f"{value:g}"
    return f"{value:,}"


def render_text(reports: Sequence[IndicatorReport], *, for_export: bool = False) -> str:
    """Readable tables, one block per area and family."""
    lines: list[str] = []
    for report in reports:
        title = f"Performance indicators: {report.area}, {report.period.long_label}"
        lines += [title, "=" * len(title)]
        lines.append(
            f"Held engagements that started from {report.period.start:%d %b %Y} to "
            f"{report.period.end - dt.timedelta(days=1):%d %b %Y}; "
            f"'previous' is {report.period.previous().label}."
        )
        rows = report_rows(report, for_export=for_export)
        family = None
        for row in rows:
            if row.family != family:
                family = row.family
                lines += ["", f"{family:<66} {'value':>12} {'previous':>12} {'baseline':>9}"]
            label = f"  {row.measure}" + (f": {row.group}" if row.group else "")
            if len(label) > 66:
                label = label[:65] + "…"
            baseline = "" if row.baseline is None else format_value(row.baseline, "share")
            lines.append(
                f"{label:<66} {format_value(row.value, row.unit):>12} "
                f"{format_value(row.previous, row.unit):>12} {baseline:>9}"
            )
        lines.append("")
    return "\n".join(lines)


# -- CSV and XLSX ----------------------------------------------------------------------------

HEADER = (
    "area",
    "period",
    "indicator",
    "measure",
    "group",
    "unit",
    "value",
    "previous",
    "baseline",
)


def _all_rows(reports: Iterable[IndicatorReport]) -> list[ReportRow]:
    return [row for report in reports for row in report_rows(report, for_export=True)]


def _csv_value(value: Value, unit: str) -> Value:
    if isinstance(value, float) and unit == "share":
        return round(100 * value, 2)  # the CSV's unit column says "percent"
    if isinstance(value, float):
        return round(value, 2)
    return "" if value is None else value


def csv_text(reports: Sequence[IndicatorReport]) -> str:
    """The reports as CSV (suppressed): one row per figure; shares in per cent.

    Text cells that a spreadsheet would read as a formula start with "'" (spreadsheet_safety).
    """
    rows: list[Sequence[safety.CellValue]] = [HEADER]
    for row in _all_rows(reports):
        unit = "percent" if row.unit == "share" else row.unit
        rows.append(
            (
                row.area,
                row.period,
                row.family,
                row.measure,
                row.group,
                unit,
                _csv_value(row.value, row.unit),
                _csv_value(row.previous, row.unit),
                _csv_value(row.baseline, "share"),
            )
        )
    return safety.csv_text(rows)


def write_csv(path: Path, reports: Sequence[IndicatorReport]) -> Path:
    """Write the reports as CSV (UTF-8 with a BOM, so spreadsheets read £ and names right)."""
    return _write(path, ("\ufeff" + csv_text(reports)).encode())


NUMBER_FORMATS = {"count": "#,##0", "share": "0.0%", "pounds": "£#,##0.00", "days": "0.0"}


def xlsx_bytes(reports: Sequence[IndicatorReport]) -> bytes:
    """The reports as an XLSX workbook: one tidy sheet, numbers stored as numbers."""
    from openpyxl import Workbook  # ~150 ms to import: only when a workbook is written
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Indicators"
    safety.append_row(sheet, [h.capitalize() for h in HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _all_rows(reports):
        safety.append_row(
            sheet,
            [
                row.area,
                row.period,
                row.family,
                row.measure,
                row.group,
                row.unit,
                row.value,
                row.previous,
                row.baseline,
            ],
        )
        number_format = NUMBER_FORMATS[row.unit]
        for column, value in ((7, row.value), (8, row.previous), (9, row.baseline)):
            cell = sheet.cell(row=sheet.max_row, column=column)
            if isinstance(value, str):
                cell.alignment = Alignment(horizontal="right")
            elif value is not None:
                cell.number_format = "0.0%" if column == 9 else number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for letter, width in zip("ABCDEFGHI", (16, 9, 28, 52, 40, 8, 13, 13, 10), strict=True):
        sheet.column_dimensions[letter].width = width

    about = book.create_sheet("About")
    first = reports[0] if reports else None
    for line in (
        ("ccodesk performance indicators",),
        ("Period", first.period.long_label if first else ""),
        ("Previous period", first.period.previous().label if first else ""),
        ("Written", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("Definitions", "docs/indicators.md: each indicator's formula"),
        (
            "Suppression",
            f"counts of people from 1 to {SMALL - 1} are shown as {SUPPRESSED_COUNT!r}; "
            f"counts withheld so that no subtraction gives those back, and shares or costs "
            f"worked out from any withheld count, as {SUPPRESSED_DERIVED!r}; zeros are shown "
            "(docs/indicators.md, 'Small numbers')",
        ),
    ):
        safety.append_row(about, line)
    about["A1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_xlsx(path: Path, reports: Sequence[IndicatorReport]) -> Path:
    """Write the reports as an XLSX workbook, atomically."""
    return _write(path, xlsx_bytes(reports))


def write_text(path: Path, reports: Sequence[IndicatorReport]) -> Path:
    """Write the text tables to a file (suppressed: a file leaves the device)."""
    return _write(path, render_text(reports, for_export=True).encode())


def _write(path: Path, data: bytes) -> Path:
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExportError(f"Could not write {path}: {os_reason(exc)}") from exc
    return path
