"""The counts of people that the indicator reports publish together, and which to withhold.

Suppression cell by cell (a count under 10 shown as "<10") is undone by subtraction: a
borough's cell is London's less the other boroughs', a month's is the quarter's less the
other months', a kind's is the attendees less the other kinds'. So the cells are protected
together (`ccodesk.services.suppression`), over every table a release or a later release
can print beside them:

* areas: London, each borough, and the engagements of no borough (never published, but
  London less the boroughs gives it);
* periods: the twelve months, four quarters and the year of each calendar year a report
  shows (its period's and its previous period's), since any of them can be asked for;
* the people counted: attendees (in all, by kind, by method, and those of engagements with
  no method, never published but worked out from the others), attendees monitored, and per
  priority group the engagements that reached it and its monitored attendees.

The sums: attendees = Σ by kind = Σ by method + no method; London = Σ boroughs + no borough;
a year = Σ its quarters; a quarter = Σ its months. The pattern depends only on the store's
contents for those years, so a report and its previous-period column, a borough's own report
and the central one (same data), a quarter's and its months' reports all withhold alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ccodesk.models import (
    Attendance,
    AttendanceCount,
    ConsultationMethod,
    Engagement,
    EngagementKind,
    EngagementStatus,
    PriorityGroup,
)
from ccodesk.services.indicator_results import IndicatorReport, Indicators
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.suppression import Protection, Sum, protect

ATTENDEES = "Attendees"
BY_KIND = "Attendees by kind"
BY_METHOD = "Attendees by method"
NO_METHOD = "Attendees at engagements with no method"  # never published
MONITORED = "Attendees monitored"
REACHED = "Engagements that reached the group"
IN_GROUP = "Monitored attendees in the group"
NO_BOROUGH = "(engagements of no borough)"  # an area never published

# a cell: (measure, group, area, period label)
Cell = tuple[str, str, str, str]
# what one area's report withholds: (measure, group, period label)
AreaCell = tuple[str, str, str]


@dataclass(frozen=True)
class Withheld:
    """The cells of each area withheld in anything that leaves the device or the centre."""

    by_area: dict[str, frozenset[AreaCell]]
    primary: frozenset[Cell]
    complementary: frozenset[Cell]

    def of(self, area: str) -> frozenset[AreaCell]:
        return self.by_area.get(area, frozenset())


def periods_of(year: int) -> list[Period]:
    """The months, quarters and the year itself: every period a report of `year` can show."""
    return (
        [Period(year, PeriodKind.MONTH, m) for m in range(1, 13)]
        + [Period(year, PeriodKind.QUARTER, q) for q in range(1, 5)]
        + [Period(year, PeriodKind.YEAR)]
    )


def withheld_cells(
    session: Session,
    periods: Iterable[Period],
    areas: Mapping[str, Collection[str] | None],
    *,
    london: str | None = None,
) -> Withheld:
    """The cells to withhold for reports of `periods` over `areas` (area → its devices;
    None: every device). With `london`, that area is the sum of the others and of the
    engagements of no borough."""
    years = sorted({p.year for p in periods})
    values, columns = people_counts(session, years, areas, london=london)
    names = list(areas) + ([NO_BOROUGH] if london else [])
    primary: set[Cell] = set()
    complementary: set[Cell] = set()
    for year in years:  # no sum joins two years: each is protected on its own
        labels = {p.label for p in periods_of(year)}
        found = _protected(
            {c: n for c, n in values.items() if c[3] in labels},
            (year, tuple(names), tuple(columns), london),
        )
        primary |= found.primary
        complementary |= found.complementary
    by_area: dict[str, set[AreaCell]] = defaultdict(set)
    for measure, group, area, label in primary | complementary:
        by_area[area].add((measure, group, label))
    return Withheld(
        {area: frozenset(cells) for area, cells in by_area.items()},
        frozenset(primary),
        frozenset(complementary),
    )


# the patterns worked out last, by their whole input: the London page asks for the same
# years again and again (a quarter, then its months, then the year), and the pattern is a
# function of the counts alone, so a pattern found again is the one that would be worked out
_PATTERNS: OrderedDict[tuple[object, bytes], Protection[Cell]] = OrderedDict()
_PATTERNS_KEPT = 8
_PATTERNS_LOCK = threading.Lock()


def _protected(
    values: dict[Cell, int],
    table: tuple[int, tuple[str, ...], tuple[tuple[str, str], ...], str | None],
) -> Protection[Cell]:
    """`protect` over one year's counts; `table` is (year, areas, columns, London's name)."""
    # a digest of the counts, not the counts themselves: a few megabytes a year otherwise
    key = (table, hashlib.sha256(repr(list(values.items())).encode()).digest())
    with _PATTERNS_LOCK:
        if key in _PATTERNS:
            _PATTERNS.move_to_end(key)
            return _PATTERNS[key]
    year, names, columns, london = table
    sums = people_sums([year], list(names), list(columns), london)
    hidden = {c for c in values if c[0] == NO_METHOD or c[2] == NO_BOROUGH}
    order = {c: i for i, c in enumerate(sorted(values))}
    found = protect(values, sums, hidden=hidden, order=order)
    with _PATTERNS_LOCK:
        _PATTERNS[key] = found
        while len(_PATTERNS) > _PATTERNS_KEPT:
            _PATTERNS.popitem(last=False)
    return found


def people_counts(
    session: Session,
    years: Iterable[int],
    areas: Mapping[str, Collection[str] | None],
    *,
    london: str | None = None,
) -> tuple[dict[Cell, int], list[tuple[str, str]]]:
    """Every count of people of every period of `years`, per area; and the columns."""
    methods = [
        (code, name)
        for code, name in session.execute(
            select(ConsultationMethod.code, ConsultationMethod.name).order_by(
                ConsultationMethod.position
            )
        )
    ]
    groups = [
        (code, name)
        for code, name in session.execute(
            select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.position)
        )
    ]
    columns = (
        [(ATTENDEES, ""), (NO_METHOD, ""), (MONITORED, "")]
        + [(BY_KIND, k.label) for k in EngagementKind]
        + [(BY_METHOD, name) for _code, name in methods]
        + [(m, name) for _code, name in groups for m in (REACHED, IN_GROUP)]
    )
    found = _monthly_counts(session, years, dict(methods), dict(groups))
    return _per_area(found, years, areas, columns, london), columns


# (device, year, month) → column → count of people
MonthlyCounts = dict[tuple[str, int, int], dict[tuple[str, str], int]]


def _monthly_counts(
    session: Session,
    years: Iterable[int],
    method_name: Mapping[str, str],
    group_name: Mapping[str, str],
) -> MonthlyCounts:
    """The counts of people of the engagements held each month, per device that made them."""
    kind_name = {k.value: k.label for k in EngagementKind}
    found: MonthlyCounts = defaultdict(lambda: defaultdict(int))
    month = func.extract("month", Engagement.starts_at)
    live = and_(Attendance.engagement_id == Engagement.id, Attendance.deleted.is_(False))
    for year in years:
        held = _held(year)
        for dev, m, kind, method, people, monitored in session.execute(
            select(
                Engagement.origin_device,
                month,
                Engagement.kind,
                Engagement.method_code,
                func.coalesce(func.sum(Attendance.total), 0),
                func.coalesce(
                    func.sum(
                        Attendance.total - Attendance.prefer_not_to_say - Attendance.not_asked
                    ),
                    0,
                ),
            )
            .outerjoin(Attendance, live)
            .where(*held)
            .group_by(Engagement.origin_device, month, Engagement.kind, Engagement.method_code)
        ):
            cell = found[(dev, year, int(m))]
            cell[(ATTENDEES, "")] += int(people)
            cell[(MONITORED, "")] += int(monitored)
            cell[(BY_KIND, kind_name[str(kind)])] += int(people)
            name = method_name.get(method) if method else None
            cell[(BY_METHOD, name) if name else (NO_METHOD, "")] += int(people)
        for dev, m, group, reached, people in session.execute(
            select(
                Engagement.origin_device,
                month,
                AttendanceCount.group_code,
                func.count(func.distinct(Engagement.id)),
                func.sum(AttendanceCount.count),
            )
            .join(Attendance, Attendance.id == AttendanceCount.attendance_id)
            .join(Engagement, Engagement.id == Attendance.engagement_id)
            .where(*held, Attendance.deleted.is_(False), AttendanceCount.count > 0)
            .group_by(Engagement.origin_device, month, AttendanceCount.group_code)
        ):
            if group in group_name:
                cell = found[(dev, year, int(m))]
                cell[(REACHED, group_name[group])] += int(reached)
                cell[(IN_GROUP, group_name[group])] += int(people or 0)
    return found


def _per_area(
    found: MonthlyCounts,
    years: Iterable[int],
    areas: Mapping[str, Collection[str] | None],
    columns: list[tuple[str, str]],
    london: str | None,
) -> dict[Cell, int]:
    """The monthly counts added up per area (its devices) for each month, quarter and year;
    with `london`, the devices of no borough form an area of their own."""
    scopes: dict[str, Collection[str] | None] = dict(areas)
    if london is not None:
        boroughs = {d for area, devs in areas.items() if area != london for d in devs or ()}
        everyone = {dev for dev, _y, _m in found}
        scopes[NO_BOROUGH] = everyone - boroughs
    labels = {year: [p.label for p in periods_of(year)] for year in years}
    values: dict[Cell, int] = {}
    for area, devices in scopes.items():
        for year in years:
            for label in labels[year]:
                for column in columns:
                    values[(*column, area, label)] = 0
        for (dev, year, m), counts in found.items():
            if devices is not None and dev not in devices:
                continue
            # the month, its quarter and the year (periods_of's order)
            for label in (labels[year][m - 1], labels[year][12 + (m - 1) // 3], labels[year][16]):
                for column, n in counts.items():
                    values[(*column, area, label)] += n
    return values


def people_sums(
    years: Iterable[int],
    areas: list[str],
    columns: list[tuple[str, str]],
    london: str | None,
) -> list[Sum[Cell]]:
    """The sums published with the counts (see the module's docstring)."""
    kinds = [c for c in columns if c[0] == BY_KIND]
    methods = [c for c in columns if c[0] in (BY_METHOD, NO_METHOD)]
    sums: list[Sum[Cell]] = []
    for year in years:
        every = [p.label for p in periods_of(year)]
        for area in areas:
            for label in every:
                total = (ATTENDEES, "", area, label)
                sums.append(Sum(total, tuple((*k, area, label) for k in kinds)))
                sums.append(Sum(total, tuple((*m, area, label) for m in methods)))
            for column in columns:
                months = [(*column, area, label) for label in every[:12]]
                quarters = [(*column, area, label) for label in every[12:16]]
                sums.append(Sum((*column, area, every[16]), tuple(quarters)))
                for q in range(4):
                    sums.append(Sum(quarters[q], tuple(months[3 * q : 3 * q + 3])))
        if london is not None:
            others = [a for a in areas if a != london]
            for label in every:
                for column in columns:
                    sums.append(
                        Sum((*column, london, label), tuple((*column, a, label) for a in others))
                    )
    return sums


def _held(year: int) -> list[ColumnElement[bool]]:
    """Held engagements that started in `year` (the rule of `indicators._held`)."""
    return [
        Engagement.deleted.is_(False),
        Engagement.status == EngagementStatus.HELD,
        Engagement.starts_at >= dt.datetime(year, 1, 1),
        Engagement.starts_at < dt.datetime(year + 1, 1, 1),
    ]


def withheld_in_report(report: IndicatorReport) -> frozenset[AreaCell]:
    """The cells to withhold of a report worked out without its store: its own tables only
    (attendees by kind and by method against their total), each period on its own."""
    cells: set[AreaCell] = set()
    for ind, label in (
        (report.current, report.period.label),
        (report.previous, report.period.previous().label),
    ):
        values = counts_of(ind)
        kinds = tuple(c for c in values if c[0] == BY_KIND)
        methods = tuple(c for c in values if c[0] in (BY_METHOD, NO_METHOD))
        total = (ATTENDEES, "")
        found = protect(
            values,
            [Sum(total, kinds), Sum(total, methods)],
            hidden=[(NO_METHOD, "")],
        )
        cells |= {(measure, group, label) for measure, group in found.withheld}
    return frozenset(cells)


def counts_of(ind: Indicators) -> dict[tuple[str, str], int]:
    """The counts of people of one period's indicators, as (measure, group) → count."""
    p, r = ind.participation, ind.representation
    values = {(ATTENDEES, ""): p.attendees, (MONITORED, ""): r.monitored}
    values |= {(BY_KIND, line.name): line.attendees for line in p.by_kind}
    values |= {(BY_METHOD, line.name): line.attendees for line in p.by_method}
    values[(NO_METHOD, "")] = p.attendees - sum(line.attendees for line in p.by_method)
    for g in r.groups:
        values[(REACHED, g.name)] = g.reached
        values[(IN_GROUP, g.name)] = g.attendees
    return values
