"""Realistic, deterministic demo data: N borough-years of a CCO's consultation work.

Rows are built as plain dictionaries and bulk-inserted (one executemany per table), with the
sync metadata stamped by the store layer, so a borough-year loads in well under a second.
Everything is drawn from one `random.Random(seed)`: the same seed and anchor date give the
same store, ids included.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from ccodesk.errors import Cancelled, ValidationError
from ccodesk.models import (
    ActionItem,
    Attendance,
    AttendanceCount,
    ConsentEvent,
    Contact,
    CostItem,
    Engagement,
    FeedbackGiven,
    Finding,
    OfficerTime,
    Organisation,
    Outcome,
    Sensitivity,
    TimetableEntry,
    engagement_partner,
    engagement_target_group,
    engagement_topic,
    feedback_finding,
    finding_group,
    organisation_group,
)
from ccodesk.services.demo_rows import DemoMaker, Rows
from ccodesk.store import stamping
from ccodesk.words import plural

Progress = Callable[[int, int, str], None]

ENGAGEMENTS_PER_YEAR = 300
ORGANISATIONS_PER_YEAR = 1500


@dataclass(frozen=True)
class DemoReport:
    engagements: int
    organisations: int
    total_rows: int


# Insert order: parents before children (foreign keys are enforced).
_ORDER: tuple[Any, ...] = (
    Organisation,
    organisation_group,
    Sensitivity,
    Contact,
    ConsentEvent,
    Engagement,
    engagement_target_group,
    engagement_topic,
    engagement_partner,
    Attendance,
    AttendanceCount,
    Finding,
    finding_group,
    Outcome,
    ActionItem,
    FeedbackGiven,
    feedback_finding,
    CostItem,
    OfficerTime,
    TimetableEntry,
)


def _insert(session: Session, rows: Rows) -> int:
    written = 0
    for target in _ORDER:
        batch = rows.get(target)
        if not batch:
            continue
        is_table = isinstance(target, Table)
        if not is_table and hasattr(target, "change_seq"):
            stamping.stamp_rows(session, batch)
        session.execute(insert(target if is_table else target.__table__), batch)
        written += len(batch)
    return written


def generate(
    session: Session,
    *,
    borough: str,
    officer: str,
    scale: int,
    seed: int,
    anchor: dt.date,
    engagements_per_year: int = ENGAGEMENTS_PER_YEAR,
    organisations_per_year: int = ORGANISATIONS_PER_YEAR,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[int, int, str, DemoReport]]:
    """Insert `scale` borough-years ending about three months after `anchor`.

    Yields (done, total, what, report-so-far) after each borough-year; stops early when
    `cancelled()` turns true (the caller then rolls back).
    """
    maker = DemoMaker(seed, borough, anchor, officer)
    engagements = organisations = total_rows = 0
    first = anchor + dt.timedelta(days=90 - 365 * scale)
    for year in range(scale):
        if cancelled():
            return
        rows: Rows = defaultdict(list)
        year_start = first + dt.timedelta(days=365 * year)
        maker.organisations(rows, organisations_per_year)
        maker.engagements(rows, year_start, engagements_per_year)
        maker.timetable(rows, year_start)
        total_rows += _insert(session, rows)
        engagements += len(rows[Engagement])
        organisations += len(rows[Organisation])
        yield (
            year + 1,
            scale,
            f"year from {year_start:%b %Y}",
            DemoReport(engagements, organisations, total_rows),
        )


def load_demo_data(
    store: Any,
    *,
    scale: int = 1,
    seed: int = 1,
    anchor: dt.date | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    engagements_per_year: int = ENGAGEMENTS_PER_YEAR,
    organisations_per_year: int = ORGANISATIONS_PER_YEAR,
) -> DemoReport:
    """Fill an empty store with demo data in one transaction (all or nothing)."""
    if scale < 1:
        raise ValidationError("the scale must be at least 1 borough-year")
    anchor = anchor or dt.date.today()
    report = DemoReport(0, 0, 0)
    with store.transaction() as session:
        existing = session.execute(select(func.count()).select_from(Engagement)).scalar_one()
        if existing:
            raise ValidationError(
                f"This store already holds {plural(existing, 'engagement')}; demo data only "
                "goes into "
                "an empty store (create one with 'ccodesk-cli --data-dir DIR init')."
            )
        done = 0
        for done, total, what, report_so_far in generate(
            session,
            borough=store.borough_code or "camden",
            officer=store.officer_name,
            scale=scale,
            seed=seed,
            anchor=anchor,
            engagements_per_year=engagements_per_year,
            organisations_per_year=organisations_per_year,
            cancelled=cancelled,
        ):
            report = report_so_far
            if progress:
                progress(done, total, what)
        if done < scale:  # generate() stopped early: cancelled
            raise Cancelled("Demo data was cancelled; nothing was added.")
        for table, count in (
            ("organisation", report.organisations),
            ("engagement", report.engagements),
        ):
            stamping.audit_bulk(session, table, count, f"demo data (scale {scale}, seed {seed})")
    return report
