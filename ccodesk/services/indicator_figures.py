"""Every figure of a period's indicators: its family, name, group and unit, in report order.

The names here are the ones every report uses (the exports' rows and the Reports page's
labels, through `indicator_presenter`); `guard` names the counts of people each figure shows
or is worked out from, so the presenter knows what to withhold when it leaves the device.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccodesk.services.indicator_results import (
    Cost,
    Fatigue,
    Feedback,
    Inclusivity,
    Indicators,
    InformationUse,
    Participation,
    Representation,
)
from ccodesk.services.indicator_suppression import ATTENDEES, IN_GROUP, MONITORED, REACHED
from ccodesk.services.indicators import FEEDBACK_DAYS

# names the Reports page's wording reads the rows by
VENUES = "Venues in the communities' own places"
AT_VENUES = "Engagements in the communities' own places"
VENUES_SHARE = "Share in the communities' own places"


@dataclass(frozen=True)
class Figure:
    """One figure of one period, as computed (nothing withheld)."""

    family: str
    measure: str
    group: str
    unit: str
    value: int | float | None
    # the counts of people, as (measure, group), that the value shows or is worked out from
    guard: tuple[tuple[str, str], ...] = ()


def figures(ind: Indicators, threshold_label: str) -> list[Figure]:
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


def _participation(p: Participation) -> list[Figure]:
    family = "Participation"
    out = [
        Figure(family, "Engagements held", "", "count", p.held),
        Figure(family, "Attendees", "", "count", p.attendees, ((ATTENDEES, ""),)),
        Figure(family, "Hard-to-reach outreach engagements", "", "count", p.outreach),
        Figure(family, "Share that were hard-to-reach outreach", "", "share", p.outreach_share),
    ]
    for label, lines in (("kind", p.by_kind), ("method", p.by_method)):
        out += [
            Figure(family, f"Engagements by {label}", line.name, "count", line.engagements)
            for line in lines
        ]
        out += [
            Figure(
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


def _representation(r: Representation) -> list[Figure]:
    family = "Representation"
    out = [Figure(family, "Attendees monitored", "", "count", r.monitored, ((MONITORED, ""),))]
    for g in r.groups:
        out += [
            Figure(family, "Engagements that targeted the group", g.name, "count", g.targeted),
            Figure(
                family,
                "Engagements that reached the group",
                g.name,
                "count",
                g.reached,
                ((REACHED, g.name),),
            ),
            Figure(
                family,
                "Monitored attendees in the group",
                g.name,
                "count",
                g.attendees,
                ((IN_GROUP, g.name),),
            ),
            Figure(
                family,
                "Share of monitored attendance",
                g.name,
                "share",
                g.share,
                ((IN_GROUP, g.name), (MONITORED, "")),
            ),
        ]
    return out


def _information_use(i: InformationUse) -> list[Figure]:
    family = "Effective use of information"
    return [
        Figure(family, "Findings from engagements held", "", "count", i.findings),
        Figure(family, "Findings with an outcome", "", "count", i.with_outcome),
        Figure(family, "Share of findings with an outcome", "", "share", i.outcome_share),
        Figure(family, "Findings that changed a decision", "", "count", i.changed),
        Figure(
            family,
            "Share of those with an outcome that changed a decision",
            "",
            "share",
            i.changed_share,
        ),
    ]


def _feedback(f: Feedback) -> list[Figure]:
    family = "Feedback"
    return [
        Figure(
            family, f"Engagements with feedback within {FEEDBACK_DAYS} days", "", "count", f.within
        ),
        Figure(
            family, f"Share with feedback within {FEEDBACK_DAYS} days", "", "share", f.within_share
        ),
        Figure(family, "Engagements with feedback so far", "", "count", f.fed_back),
        Figure(family, "Median days to first feedback", "", "days", f.median_days),
    ]


def _inclusivity(k: Inclusivity) -> list[Figure]:
    family = "Inclusivity"
    return [
        Figure(family, "Methods used", "", "count", k.methods_used),
        Figure(family, VENUES, "", "count", k.community_venues),
        Figure(family, AT_VENUES, "", "count", k.at_community_venues),
        Figure(family, VENUES_SHARE, "", "share", k.community_share),
        *(
            Figure(family, "Engagements with access arrangement", label, "count", n)
            for label, n in k.access
        ),
    ]


def _cost(c: Cost) -> list[Figure]:
    pounds: list[tuple[str, int | float | None, tuple[tuple[str, str], ...]]] = [
        ("Direct costs", c.direct_pence, ()),
        ("Officer time", c.officer_pence, ()),
        ("Total cost", c.total_pence, ()),
        ("Cost per engagement", c.per_engagement_pence, ()),
        ("Cost per participant", c.per_participant_pence, ((ATTENDEES, ""),)),
    ]
    return [
        Figure("Cost", name, "", "pounds", None if v is None else round(v / 100, 2), guard)
        for name, v, guard in pounds
    ]


def _fatigue(fat: Fatigue, threshold_label: str) -> list[Figure]:
    family = "Consultee fatigue"
    return [
        Figure(family, "Organisations consulted", "", "count", fat.consulted),
        Figure(family, f"Organisations consulted {threshold_label}", "", "count", len(fat.tired)),
        *(
            Figure(family, "Consultations of the organisation", t.name, "count", t.consultations)
            for t in fat.tired
        ),
    ]
