"""What the performance indicators are: plain, frozen results (docs/indicators.md).

Computed by `ccodesk.services.indicators`; written out by `ccodesk.services.indicator_export`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccodesk.services.baselines import Baseline
from ccodesk.services.periods import Period


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction, or None when there is nothing to divide by."""
    return part / whole if whole else None


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountLine:
    """Engagements held, and their attendees, for one kind or method."""

    code: str
    name: str
    engagements: int
    attendees: int


@dataclass(frozen=True)
class Participation:
    held: int
    attendees: int
    outreach: int  # held engagements of the hard-to-reach kind
    by_kind: tuple[CountLine, ...]
    by_method: tuple[CountLine, ...]

    @property
    def outreach_share(self) -> float | None:
        return share(self.outreach, self.held)


@dataclass(frozen=True)
class GroupLine:
    """One priority group's representation in a period."""

    code: str
    name: str
    targeted: int  # held engagements that had the group as a target
    reached: int  # held engagements whose monitoring counted at least one of the group
    attendees: int  # the group's monitoring counts, summed
    share: float | None  # attendees / monitored attendance


@dataclass(frozen=True)
class Representation:
    attendees: int
    monitored: int  # attendees less "prefer not to say" and "not asked"
    groups: tuple[GroupLine, ...]


@dataclass(frozen=True)
class InformationUse:
    findings: int
    with_outcome: int
    changed: int  # of those with an outcome, the findings that changed a decision

    @property
    def outcome_share(self) -> float | None:
        return share(self.with_outcome, self.findings)

    @property
    def changed_share(self) -> float | None:
        return share(self.changed, self.with_outcome)


@dataclass(frozen=True)
class Feedback:
    held: int
    within: int  # gave feedback within FEEDBACK_DAYS of the day held
    fed_back: int  # gave feedback at all (so far)
    median_days: float | None  # days from the day held to the first feedback

    @property
    def within_share(self) -> float | None:
        return share(self.within, self.held)


@dataclass(frozen=True)
class Inclusivity:
    held: int
    methods: tuple[str, ...]  # names of the toolkit methods used
    community_venues: int  # distinct venues in the communities' own places
    at_community_venues: int  # held engagements at one of them
    access: tuple[tuple[str, int], ...]  # held engagements with each access arrangement

    @property
    def methods_used(self) -> int:
        return len(self.methods)

    @property
    def community_share(self) -> float | None:
        return share(self.at_community_venues, self.held)


@dataclass(frozen=True)
class Cost:
    held: int
    participants: int
    direct_pence: int
    officer_pence: int

    @property
    def total_pence(self) -> int:
        return self.direct_pence + self.officer_pence

    @property
    def per_engagement_pence(self) -> float | None:
        return self.total_pence / self.held if self.held else None

    @property
    def per_participant_pence(self) -> float | None:
        return self.total_pence / self.participants if self.participants else None


@dataclass(frozen=True)
class TiredOrganisation:
    id: str
    name: str
    consultations: int


@dataclass(frozen=True)
class Fatigue:
    threshold: int
    consulted: int  # distinct organisations that were partners of an engagement
    tired: tuple[TiredOrganisation, ...]  # consulted more than `threshold` times, most first


@dataclass(frozen=True)
class Indicators:
    """Every indicator for one period and one scope."""

    participation: Participation
    representation: Representation
    information: InformationUse
    feedback: Feedback
    inclusivity: Inclusivity
    cost: Cost
    fatigue: Fatigue


@dataclass(frozen=True)
class IndicatorReport:
    """A period's indicators, the period before's, and the baseline they are measured against."""

    period: Period
    area: str  # "Hackney", "London", …
    current: Indicators
    previous: Indicators
    baselines: dict[str, Baseline] = field(default_factory=dict)
    # counts of people withheld when the report leaves the device, as (measure, group, period
    # label), small ones and those that protect them (services/indicator_suppression.py);
    # None: not worked out with the store, so the export protects this report's own tables
    withheld: frozenset[tuple[str, str, str]] | None = None


@dataclass(frozen=True)
class CentralReport:
    """The central unit's report: London-wide, and borough by borough (by borough code)."""

    period: Period
    london: IndicatorReport
    boroughs: dict[str, IndicatorReport]
