"""Cells a spreadsheet never evaluates: every CSV and XLSX ccodesk writes goes through here.

A name typed on one borough laptop (an organisation called ``=HYPERLINK(…)``) ends up in the
centre's London workbook; a spreadsheet must show it as the text it is, never run it.

- CSV: a text value whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is written with a leading ``'`` (the OWASP rule for CSV injection); LibreOffice and
  Excel then show it as text. Numbers are written as numbers.
- XLSX: every text value is written as a string cell (openpyxl would otherwise turn a text
  starting with ``=`` into a formula); numbers stay numeric cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# The characters a spreadsheet reads as the start of a formula (or, tab and CR, that some
# spreadsheets strip before reading the rest as one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CellValue = str | int | float | None


def inert_text(text: str) -> str:
    """`text` as a CSV cell no spreadsheet evaluates: a leading `'` when it could start one."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value: CellValue) -> CellValue:
    """A value for a CSV row: text neutralised, numbers as they are, None as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return inert_text(value)
    return value


def csv_text(rows: Iterable[Sequence[CellValue]]) -> str:
    """Rows as CSV (CRLF line ends), every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def append_row(sheet: Any, values: Sequence[CellValue]) -> None:
    """Append a row to an openpyxl worksheet with text as string cells (never formulas)."""
    sheet.append(list(values))
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=sheet.max_row, column=column)
            # openpyxl infers a formula ("f") from a leading "=" when the value is set; the
            # string type makes it write the text as text
            cell.data_type = "s"
