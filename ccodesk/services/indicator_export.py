"""Indicator reports as a text table, CSV or XLSX, from the presenter's rows.

What each figure is called, how it is compared with the period before and the baseline, and
how small counts are withheld when a report leaves the device is decided once, in
`indicator_presenter` (which the Reports page uses too); this module lays those rows out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ccodesk.errors import KnownError
from ccodesk.failures import os_reason
from ccodesk.fileio import atomic_write_bytes
from ccodesk.services import spreadsheet_safety as safety
from ccodesk.services.indicator_presenter import (
    SMALL,
    SUPPRESSED_COUNT,
    SUPPRESSED_DERIVED,
    ReportRow,
    Value,
    format_value,
    report_rows,
)
from ccodesk.services.indicator_results import IndicatorReport

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "SMALL",
    "SUPPRESSED_COUNT",
    "SUPPRESSED_DERIVED",
    "ExportError",
    "ReportRow",
    "csv_text",
    "format_value",
    "render_text",
    "report_rows",
    "write_csv",
    "write_text",
    "write_xlsx",
    "xlsx_bytes",
]


class ExportError(KnownError):
    """A report file could not be written."""


# -- text ------------------------------------------------------------------------------------


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

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _indicators_sheet(sheet, reports)
    _about_sheet(book.create_sheet("About"), reports)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _indicators_sheet(sheet: Worksheet, reports: Sequence[IndicatorReport]) -> None:
    """One row per figure under a bold header, withheld cells aligned as numbers are."""
    from openpyxl.styles import Alignment, Font

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


def _about_sheet(about: Worksheet, reports: Sequence[IndicatorReport]) -> None:
    """The period, when written, where the definitions are and how small counts are shown."""
    from openpyxl.styles import Font

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
