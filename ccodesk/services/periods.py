"""Reporting periods: a month, a quarter or a year, as [start, end) and the one before."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from ccodesk.errors import ValidationError


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_PARSE_HELP = "give a month like 2026-11, a quarter like 2026Q3 or a year like 2026"


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, quarter or year; `number` is the month (1–12), quarter (1–4) or 1."""

    year: int
    kind: PeriodKind
    number: int = 1

    def __post_init__(self) -> None:
        top = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}[self.kind]
        if not 1 <= self.number <= top or not 1900 <= self.year <= 2200:
            raise ValidationError(f"there is no {self.kind} {self.number} of {self.year}")

    @property
    def months(self) -> int:
        return {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]

    @property
    def start(self) -> dt.date:
        """The first day of the period."""
        return dt.date(self.year, (self.number - 1) * self.months + 1, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period (periods are [start, end))."""
        return self.next().start

    def shifted(self, steps: int) -> Period:
        """The period `steps` periods of the same kind later (earlier when negative)."""
        index = self.year * (12 // self.months) + (self.number - 1) + steps
        per_year = 12 // self.months
        return Period(index // per_year, self.kind, index % per_year + 1)

    def next(self) -> Period:
        return self.shifted(1)

    def previous(self) -> Period:
        """The period of the same kind just before: 2026Q1 → 2025Q4, 2026-01 → 2025-12."""
        return self.shifted(-1)

    @property
    def label(self) -> str:
        """The short form `parse` reads back: 2026-11, 2026Q3, 2026."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}Q{self.number}"
        return str(self.year)

    @property
    def long_label(self) -> str:
        """In words: "November 2026", "Q3 2026 (July to September)", "2026"."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%B %Y}"
        if self.kind == PeriodKind.QUARTER:
            last = self.end - dt.timedelta(days=1)
            return f"Q{self.number} {self.year} ({self.start:%B} to {last:%B})"
        return str(self.year)

    @property
    def span_label(self) -> str:
        """With its first and last days: "Q3 2026 (1 July to 30 September 2026)"."""
        name = {
            PeriodKind.MONTH: f"{self.start:%B %Y}",
            PeriodKind.QUARTER: f"Q{self.number} {self.year}",
            PeriodKind.YEAR: str(self.year),
        }[self.kind]
        first, last = self.start, self.end - dt.timedelta(days=1)
        return f"{name} ({first.day} {first:%B} to {last.day} {last:%B %Y})"

    def __str__(self) -> str:
        return self.label

    @classmethod
    def containing(cls, kind: PeriodKind, day: dt.date) -> Period:
        """The period of `kind` that holds `day`."""
        if kind == PeriodKind.MONTH:
            return cls(day.year, kind, day.month)
        if kind == PeriodKind.QUARTER:
            return cls(day.year, kind, (day.month - 1) // 3 + 1)
        return cls(day.year, kind)

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-11' (a month), '2026Q3', '2026-Q3' or 'Q3 2026' (a quarter), '2026' (a year)."""
        cleaned = text.strip().upper().replace(" ", "")
        try:
            if match := re.fullmatch(r"(\d{4})-?Q(\d)", cleaned):
                return cls(int(match[1]), PeriodKind.QUARTER, int(match[2]))
            if match := re.fullmatch(r"Q(\d)-?(\d{4})", cleaned):
                return cls(int(match[2]), PeriodKind.QUARTER, int(match[1]))
            if match := re.fullmatch(r"(\d{4})-(\d{1,2})", cleaned):
                return cls(int(match[1]), PeriodKind.MONTH, int(match[2]))
            if re.fullmatch(r"\d{4}", cleaned):
                return cls(int(cleaned), PeriodKind.YEAR)
        except ValidationError:
            pass
        raise ValidationError(f"{text!r} is not a period: {_PARSE_HELP}")

    @classmethod
    def parse_quarter(cls, text: str) -> Period:
        """A quarter only, as the quarterly return names it: '2026Q3', '2026-q3' or 'Q3 2026'
        (a year from 1990); ValidationError for anything else."""
        cleaned = text.strip().upper().replace(" ", "").replace("-", "")
        year = number = 0
        if match := re.fullmatch(r"(\d{4})Q(\d)", cleaned):
            year, number = int(match[1]), int(match[2])
        elif match := re.fullmatch(r"Q(\d)(\d{4})", cleaned):
            number, year = int(match[1]), int(match[2])
        if not 1 <= number <= 4 or not 1990 <= year <= 2200:
            raise ValidationError(
                f"{text!r} is not a quarter: write it like 2026Q3 "
                "(Q1 is January to March, Q4 October to December)"
            )
        return cls(year, PeriodKind.QUARTER, number)
