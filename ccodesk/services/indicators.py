"""Performance indicators (issue 6): participation, representation, use of information,
feedback, inclusivity, cost and consultee fatigue, per period and per borough.

Definitions and formulas: docs/indicators.md. How it is computed:

1. `collect` runs one SQL aggregate per family (GROUP BY the engagement's `origin_device`, the
   device that created it), so the store is read about ten times per period, whatever its
   size and however many boroughs it holds;
2. `fold` adds up the facts of the devices in a scope (None: every device) into plain
   dataclasses. A borough device folds its whole store; the central unit folds once per
   borough (the device ids its `trusted_key` table gives for the borough) and once for London.

No Qt here; the results are frozen dataclasses safe to hand to the UI thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ccodesk.models import (
    Attendance,
    AttendanceCount,
    ConsultationMethod,
    CostItem,
    Engagement,
    EngagementKind,
    EngagementStatus,
    FeedbackGiven,
    Finding,
    OfficerTime,
    Organisation,
    Outcome,
    OutcomeResult,
    PriorityGroup,
    TrustedKey,
    engagement_partner,
    engagement_target_group,
)
from ccodesk.services.baselines import current_baselines
from ccodesk.services.indicator_results import (
    CentralReport,
    Cost,
    CountLine,
    Fatigue,
    Feedback,
    GroupLine,
    Inclusivity,
    IndicatorReport,
    Indicators,
    InformationUse,
    Participation,
    Representation,
    TiredOrganisation,
    share,
)
from ccodesk.services.indicator_suppression import withheld_cells
from ccodesk.services.periods import Period

FEEDBACK_DAYS = 28  # "feedback within 28 days" (issue 6)
HARD_TO_REACH = EngagementKind.OUTREACH  # "Outreach meeting with a hard-to-reach group"

# Venue names that say a meeting went to a community's own place ("meeting groups directly
# in their own environments", strategy Annex C). Engagements carry no venue type, so the
# name decides; civic, police and council buildings never count (see docs/indicators.md).
COMMUNITY_PLACE = re.compile(
    r"\b(community|church|chapel|mosque|gurdwara|temple|synagogue|mandir|meeting house|"
    r"tenants|residents|estate|youth (centre|club)|day centre|lunch club|refugee|women's|"
    r"deaf centre|sheltered housing|hostel|cafe|café|boxing club|working men's club|"
    r"adventure playground|association)\b",
    re.IGNORECASE,
)
OFFICIAL_PLACE = re.compile(
    r"\b(town hall|civic centre|police station|council|housing office|mpa|mps)\b", re.IGNORECASE
)

ACCESS = (
    ("step-free", Engagement.step_free.is_(True)),
    ("hearing loop", Engagement.hearing_loop.is_(True)),
    ("BSL", Engagement.bsl.is_(True)),
    ("interpreters", Engagement.interpreters != ""),
    ("childcare", Engagement.childcare.is_(True)),
    ("daytime", Engagement.daytime.is_(True)),
)


def is_community_place(venue_name: str) -> bool:
    """Whether a venue's name says it is a community's own place (not a civic building)."""
    return bool(COMMUNITY_PLACE.search(venue_name)) and not OFFICIAL_PLACE.search(venue_name)


# -- facts per device ------------------------------------------------------------------------


@dataclass
class _DeviceFacts:
    kinds: dict[tuple[str, str | None], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    monitored: int = 0
    groups: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    targeted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    findings: list[int] = field(default_factory=lambda: [0, 0, 0])
    feedback_days: list[int] = field(default_factory=list)
    # venues held in a community's own place: as recorded on the engagement, else by name
    community_venues: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    access: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    direct_pence: int = 0
    officer_pence_x60: int = 0  # minutes × hourly rate: divided by 60 once, after summing
    partners: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class Facts:
    """What `collect` read for one period, per origin device; `fold` turns it into indicators."""

    period: Period
    devices: dict[str, _DeviceFacts]
    group_names: list[tuple[str, str]]
    method_names: list[tuple[str, str]]
    organisation_names: dict[str, str]


def held_in(period: Period) -> list[ColumnElement[bool]]:
    """Held engagements whose start falls in [start, end) of the period."""
    return [
        Engagement.deleted.is_(False),
        Engagement.status == EngagementStatus.HELD,
        Engagement.starts_at >= dt.datetime.combine(period.start, dt.time()),
        Engagement.starts_at < dt.datetime.combine(period.end, dt.time()),
    ]


def group_counts(session: Session, period: Period) -> list[tuple[str, str, int, int]]:
    """(origin device, priority group, engagements that reached it, people of the group
    counted) over the period's held engagements: the one definition of "monitored attendees
    in the group", for the indicators, the quarterly return and the dashboard."""
    return [
        (dev, group, int(reached), int(people))
        for dev, group, reached, people in session.execute(
            select(
                Engagement.origin_device,
                AttendanceCount.group_code,
                func.count(func.distinct(Engagement.id)),
                func.sum(AttendanceCount.count),
            )
            .join(Attendance, Attendance.id == AttendanceCount.attendance_id)
            .join(Engagement, Engagement.id == Attendance.engagement_id)
            .where(*held_in(period), Attendance.deleted.is_(False), AttendanceCount.count > 0)
            .group_by(Engagement.origin_device, AttendanceCount.group_code)
        )
    ]


def _live_outcome() -> ColumnElement[bool]:
    return and_(Outcome.finding_id == Finding.id, Outcome.deleted.is_(False))


def changed_a_decision() -> ColumnElement[bool]:
    """The finding (of the query's row) changed a decision: one of its live outcomes did.
    The one definition of "findings that changed a decision" (docs/indicators.md), for the
    indicators and the quarterly return."""
    return exists().where(_live_outcome(), Outcome.result == OutcomeResult.CHANGED_DECISION)


@dataclass(frozen=True)
class ChangedDecision:
    """A finding of a held engagement that changed a decision, with the decisions it changed."""

    held_on: dt.date
    engagement: str
    finding: str
    decision: str


def decisions_changed(session: Session, period: Period) -> list[ChangedDecision]:
    """The findings counted by `InformationUse.changed` for the period's held engagements,
    one line each (several changed outcomes of one finding share its line), by day held."""
    lines: dict[str, tuple[dt.datetime, str, str, list[str]]] = {}
    for finding_id, starts_at, title, text, decision in session.execute(
        select(Finding.id, Engagement.starts_at, Engagement.title, Finding.text, Outcome.decision)
        .join(Engagement, Engagement.id == Finding.engagement_id)
        .join(Outcome, _live_outcome())
        .where(
            *held_in(period),
            Finding.deleted.is_(False),
            Outcome.result == OutcomeResult.CHANGED_DECISION,
        )
        .order_by(Engagement.starts_at, Finding.text, Finding.id, Outcome.decided_on, Outcome.id)
    ):
        decisions = lines.setdefault(finding_id, (starts_at, title, text, []))[3]
        if decision and decision not in decisions:
            decisions.append(decision)
    return [
        ChangedDecision(starts_at.date(), title, text, "; ".join(decisions))
        for starts_at, title, text, decisions in lines.values()
    ]


PerDevice = defaultdict[str, _DeviceFacts]
DEVICE = Engagement.origin_device  # the facts are grouped by the device that created them


def collect(session: Session, period: Period, *, fatigue_threshold: int = 3) -> Facts:
    """Read every indicator's facts for `period`, grouped by the engagements' origin device."""
    held = held_in(period)
    facts: PerDevice = defaultdict(_DeviceFacts)
    _collect_participation(session, period, held, facts)
    _collect_information_use(session, held, facts)
    _collect_feedback(session, held, facts)
    _collect_inclusivity(session, held, facts)
    _collect_cost(session, held, facts)
    _collect_partners(session, period, facts)
    return Facts(
        period=period,
        devices=dict(facts),
        group_names=[
            (code, name)
            for code, name in session.execute(
                select(PriorityGroup.code, PriorityGroup.name).order_by(PriorityGroup.position)
            )
        ],
        method_names=[
            (code, name)
            for code, name in session.execute(
                select(ConsultationMethod.code, ConsultationMethod.name).order_by(
                    ConsultationMethod.position
                )
            )
        ],
        organisation_names=_names_of_tired(session, facts, fatigue_threshold),
    )


def _collect_participation(
    session: Session, period: Period, held: list[ColumnElement[bool]], facts: PerDevice
) -> None:
    """Participation, and representation's denominators: engagements and people by kind and
    method, people by group, engagements aimed at each group."""
    live_attendance = and_(Attendance.engagement_id == Engagement.id, Attendance.deleted.is_(False))
    for dev, kind, method, n, people, monitored in session.execute(
        select(
            DEVICE,
            Engagement.kind,
            Engagement.method_code,
            func.count(Engagement.id),
            func.coalesce(func.sum(Attendance.total), 0),
            func.coalesce(
                func.sum(Attendance.total - Attendance.prefer_not_to_say - Attendance.not_asked), 0
            ),
        )
        .outerjoin(Attendance, live_attendance)
        .where(*held)
        .group_by(DEVICE, Engagement.kind, Engagement.method_code)
    ):
        line = facts[dev].kinds[(str(kind), method)]
        line[0] += int(n)
        line[1] += int(people)
        facts[dev].monitored += int(monitored)

    for dev, group, reached, people in group_counts(session, period):
        facts[dev].groups[group] = [reached, people]

    for dev, group, n in session.execute(
        select(DEVICE, engagement_target_group.c.group_code, func.count())
        .join(Engagement, Engagement.id == engagement_target_group.c.engagement_id)
        .where(*held)
        .group_by(DEVICE, engagement_target_group.c.group_code)
    ):
        facts[dev].targeted[group] = int(n)


def _collect_information_use(
    session: Session, held: list[ColumnElement[bool]], facts: PerDevice
) -> None:
    """Effective use of information: findings, those with an outcome, those that changed a
    decision."""
    has_outcome = exists().where(_live_outcome())
    for dev, n, used, changed_n in session.execute(
        select(
            DEVICE,
            func.count(Finding.id),
            func.sum(case((has_outcome, 1), else_=0)),
            func.sum(case((changed_a_decision(), 1), else_=0)),
        )
        .join(Engagement, Engagement.id == Finding.engagement_id)
        .where(*held, Finding.deleted.is_(False))
        .group_by(DEVICE)
    ):
        facts[dev].findings = [int(n), int(used or 0), int(changed_n or 0)]


def _collect_feedback(session: Session, held: list[ColumnElement[bool]], facts: PerDevice) -> None:
    """Days from each engagement to its first feedback given on or after the day held
    (earlier dates are typos or feedback about something else, and would make a negative
    delay)."""
    first: dict[str, tuple[str, dt.date, dt.date]] = {}
    for eid, dev, starts_at, given_on in session.execute(
        select(Engagement.id, DEVICE, Engagement.starts_at, FeedbackGiven.given_on)
        .join(FeedbackGiven, FeedbackGiven.engagement_id == Engagement.id)
        .where(*held, FeedbackGiven.deleted.is_(False))
    ):
        day = starts_at.date()
        if given_on >= day and (eid not in first or given_on < first[eid][2]):
            first[eid] = (dev, day, given_on)
    for dev, day, given_on in first.values():
        facts[dev].feedback_days.append((given_on - day).days)


def _collect_inclusivity(
    session: Session, held: list[ColumnElement[bool]], facts: PerDevice
) -> None:
    """Inclusivity: venues (and which are a community's own place) and access arrangements."""
    for dev, venue, recorded, n in session.execute(
        select(DEVICE, Engagement.venue_name, Engagement.community_venue, func.count())
        .where(*held, Engagement.venue_name != "")
        .group_by(DEVICE, Engagement.venue_name, Engagement.community_venue)
    ):
        name = " ".join(venue.split()).casefold()
        if recorded or (recorded is None and is_community_place(name)):
            facts[dev].community_venues[name] += int(n)
    for dev, *counts in session.execute(
        select(DEVICE, *(func.sum(case((test, 1), else_=0)) for _label, test in ACCESS))
        .where(*held)
        .group_by(DEVICE)
    ):
        for (label, _test), n in zip(ACCESS, counts, strict=True):
            facts[dev].access[label] = int(n or 0)


def _collect_cost(session: Session, held: list[ColumnElement[bool]], facts: PerDevice) -> None:
    """Cost: direct costs, and officer time as minutes × hourly rate."""
    for dev, pence in session.execute(
        select(DEVICE, func.sum(CostItem.amount_pence))
        .join(Engagement, Engagement.id == CostItem.engagement_id)
        .where(*held, CostItem.deleted.is_(False))
        .group_by(DEVICE)
    ):
        facts[dev].direct_pence = int(pence or 0)
    for dev, x60 in session.execute(
        select(DEVICE, func.sum(OfficerTime.minutes * OfficerTime.hourly_rate_pence))
        .join(Engagement, Engagement.id == OfficerTime.engagement_id)
        .where(*held, OfficerTime.deleted.is_(False))
        .group_by(DEVICE)
    ):
        facts[dev].officer_pence_x60 = int(x60 or 0)


def _collect_partners(session: Session, period: Period, facts: PerDevice) -> None:
    """Consultee fatigue: engagements per partner organisation, by the rule of
    services/fatigue.py (every engagement not cancelled counts, planned ones too), over the
    period instead of a window before a meeting."""
    for dev, org, n in session.execute(
        select(DEVICE, engagement_partner.c.organisation_id, func.count())
        .join(Engagement, Engagement.id == engagement_partner.c.engagement_id)
        .join(Organisation, Organisation.id == engagement_partner.c.organisation_id)
        .where(
            Engagement.deleted.is_(False),
            Organisation.deleted.is_(False),
            Engagement.status != EngagementStatus.CANCELLED,
            Engagement.starts_at >= dt.datetime.combine(period.start, dt.time()),
            Engagement.starts_at < dt.datetime.combine(period.end, dt.time()),
        )
        .group_by(DEVICE, engagement_partner.c.organisation_id)
    ):
        facts[dev].partners[org] = int(n)


def _names_of_tired(session: Session, facts: PerDevice, threshold: int) -> dict[str, str]:
    """Names only of organisations that could be tired in some scope: at most a few hundred."""
    totals: dict[str, int] = defaultdict(int)
    for device_facts in facts.values():
        for org, n in device_facts.partners.items():
            totals[org] += n
    candidates = [org for org, n in totals.items() if n > threshold]
    names: dict[str, str] = {}
    for chunk in range(0, len(candidates), 500):
        names.update(
            (org, name)
            for org, name in session.execute(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_(candidates[chunk : chunk + 500])
                )
            )
        )
    return names


# -- folding facts into indicators -----------------------------------------------------------


def fold(facts: Facts, devices: Collection[str] | None = None, *, threshold: int = 3) -> Indicators:
    """The indicators of the engagements created on `devices` (None: all of them)."""
    total = _DeviceFacts()
    for device, device_facts in facts.devices.items():
        if devices is None or device in devices:
            _add(total, device_facts)
    participation = _participation(total, facts)
    held, attendees = participation.held, participation.attendees
    days = total.feedback_days
    return Indicators(
        participation=participation,
        representation=_representation(total, facts, attendees),
        information=InformationUse(*total.findings),
        feedback=Feedback(
            held=held,
            within=sum(1 for d in days if d <= FEEDBACK_DAYS),
            fed_back=len(days),
            median_days=float(statistics.median(days)) if days else None,
        ),
        inclusivity=Inclusivity(
            held=held,
            methods=tuple(line.name for line in participation.by_method if line.engagements),
            community_venues=len(total.community_venues),
            at_community_venues=sum(total.community_venues.values()),
            access=tuple((label, total.access.get(label, 0)) for label, _test in ACCESS),
        ),
        cost=Cost(
            held=held,
            participants=attendees,
            direct_pence=total.direct_pence,
            officer_pence=round(total.officer_pence_x60 / 60),
        ),
        fatigue=_fatigue(total, facts, threshold),
    )


def _add(total: _DeviceFacts, f: _DeviceFacts) -> None:
    """Add one device's facts to `total`."""
    for key, (n, people) in f.kinds.items():
        total.kinds[key][0] += n
        total.kinds[key][1] += people
    total.monitored += f.monitored
    for code, (reached, people) in f.groups.items():
        total.groups[code][0] += reached
        total.groups[code][1] += people
    for code, n in f.targeted.items():
        total.targeted[code] += n
    total.findings = [a + b for a, b in zip(total.findings, f.findings, strict=True)]
    total.feedback_days += f.feedback_days
    for venue, n in f.community_venues.items():
        total.community_venues[venue] += n
    for label, n in f.access.items():
        total.access[label] += n
    total.direct_pence += f.direct_pence
    total.officer_pence_x60 += f.officer_pence_x60
    for org, n in f.partners.items():
        total.partners[org] += n


def _participation(total: _DeviceFacts, facts: Facts) -> Participation:
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    methods: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (kind, method), (n, people) in total.kinds.items():
        for bucket, key in ((kinds, kind), (methods, method or "")):
            bucket[key][0] += n
            bucket[key][1] += people
    return Participation(
        held=sum(n for n, _people in kinds.values()),
        attendees=sum(people for _n, people in kinds.values()),
        outreach=kinds.get(HARD_TO_REACH.value, [0, 0])[0],
        by_kind=tuple(
            CountLine(k.value, k.label, *kinds.get(k.value, (0, 0))) for k in EngagementKind
        ),
        by_method=tuple(
            CountLine(code, name, *methods.get(code, (0, 0))) for code, name in facts.method_names
        ),
    )


def _representation(total: _DeviceFacts, facts: Facts, attendees: int) -> Representation:
    groups, monitored = total.groups, total.monitored
    return Representation(
        attendees=attendees,
        monitored=monitored,
        groups=tuple(
            GroupLine(
                code,
                name,
                total.targeted.get(code, 0),
                groups.get(code, [0, 0])[0],
                groups.get(code, [0, 0])[1],
                share(groups.get(code, [0, 0])[1], monitored),
            )
            for code, name in facts.group_names
        ),
    )


def _fatigue(total: _DeviceFacts, facts: Facts, threshold: int) -> Fatigue:
    tired = sorted(
        (
            TiredOrganisation(org, facts.organisation_names.get(org, org), n)
            for org, n in total.partners.items()
            if n > threshold
        ),
        key=lambda t: (-t.consultations, t.name),
    )
    return Fatigue(threshold=threshold, consulted=len(total.partners), tired=tuple(tired))


# -- reports ---------------------------------------------------------------------------------


def compute(
    session: Session,
    period: Period,
    *,
    devices: Collection[str] | None = None,
    fatigue_threshold: int = 3,
) -> Indicators:
    """Every indicator for one period (engagements created on `devices`; None: all)."""
    facts = collect(session, period, fatigue_threshold=fatigue_threshold)
    return fold(facts, devices, threshold=fatigue_threshold)


def build_report(
    session: Session,
    period: Period,
    *,
    area: str,
    borough_code: str | None,
    devices: Collection[str] | None = None,
    fatigue_threshold: int = 3,
) -> IndicatorReport:
    """A period's report for one area, with the period before and the area's baseline.

    `borough_code` picks the baseline (None: a London-wide one entered at the centre);
    `devices` picks the engagements (None: every engagement in the store).
    """
    now = collect(session, period, fatigue_threshold=fatigue_threshold)
    before = collect(session, period.previous(), fatigue_threshold=fatigue_threshold)
    withheld = withheld_cells(session, (period, period.previous()), {area: devices})
    return IndicatorReport(
        period=period,
        area=area,
        current=fold(now, devices, threshold=fatigue_threshold),
        previous=fold(before, devices, threshold=fatigue_threshold),
        baselines=current_baselines(session, borough_code),
        withheld=withheld.of(area),
    )


def devices_by_borough(session: Session) -> dict[str, set[str]]:
    """Borough code → the device ids its trusted keys belong to (revoked keys included:
    what a device sent before its key was revoked is still the borough's)."""
    boroughs: dict[str, set[str]] = defaultdict(set)
    for code, device in session.execute(
        select(TrustedKey.borough_code, TrustedKey.device_id).where(
            TrustedKey.role == "device",
            TrustedKey.borough_code.is_not(None),
            TrustedKey.device_id.is_not(None),
        )
    ):
        if code and device:
            boroughs[code].add(device)
    return dict(boroughs)


def central_report(
    session: Session,
    period: Period,
    by_borough: dict[str, set[str]] | None = None,
    *,
    fatigue_threshold: int = 3,
    boroughs: Iterable[str] | None = None,
    withhold: bool = True,
) -> CentralReport:
    """The same report over every merged borough: London-wide, then borough by borough.

    `by_borough` maps a borough code to the ids of its devices (None: read from the
    `trusted_key` table). London covers every engagement in the store, a borough those
    created on its devices. The store is read twice (this period and the one before),
    however many boroughs there are. `boroughs` limits the per-borough reports.

    Without `withhold`, the cells to withhold are not worked out (each report's `withheld`
    is None: for the screen only, until `central_withheld` adds them — an export needs them).
    """
    from ccodesk.services.reference import borough_name

    mapping = devices_by_borough(session) if by_borough is None else by_borough
    now = collect(session, period, fatigue_threshold=fatigue_threshold)
    before = collect(session, period.previous(), fatigue_threshold=fatigue_threshold)

    def report(area: str, code: str | None, devices: Collection[str] | None) -> IndicatorReport:
        return IndicatorReport(
            period=period,
            area=area,
            current=fold(now, devices, threshold=fatigue_threshold),
            previous=fold(before, devices, threshold=fatigue_threshold),
            baselines=current_baselines(session, code),
        )

    wanted = sorted(mapping if boroughs is None else set(boroughs) & set(mapping))
    per_borough = {code: report(borough_name(code), code, mapping[code]) for code in wanted}
    figures = CentralReport(period, report("London", None, None), per_borough)
    return central_withheld(session, figures, mapping) if withhold else figures


def central_withheld(
    session: Session, report: CentralReport, by_borough: dict[str, set[str]] | None = None
) -> CentralReport:
    """`report` with the cells its areas withhold when they leave the device.

    Withheld over London and every borough, whichever are in `report`: a report of a few
    boroughs must withhold what the full one does, or the two together give cells back.
    """
    from ccodesk.services.reference import borough_name

    mapping = devices_by_borough(session) if by_borough is None else by_borough
    period = report.period
    areas: dict[str, Collection[str] | None] = {"London": None}
    areas |= {borough_name(code): devices for code, devices in sorted(mapping.items())}
    withheld = withheld_cells(session, (period, period.previous()), areas, london="London")

    def add(one: IndicatorReport) -> IndicatorReport:
        return dataclasses.replace(one, withheld=withheld.of(one.area))

    return CentralReport(
        period,
        add(report.london),
        {code: add(one) for code, one in report.boroughs.items()},
    )
