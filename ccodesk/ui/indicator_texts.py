"""What the Reports page says of each indicator: plain text from the figures, no Qt.

The page (`reports_page.ReportsPage`) puts each text in the field of the same key; keeping
the wording here lets it be read and tested without a window.
"""

from __future__ import annotations

from ccodesk.services.indicator_results import Indicators
from ccodesk.words import plural


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def money(pence: float | None) -> str:
    return "–" if pence is None else f"£{pence / 100:,.2f}"


def field_texts(now: Indicators, before: Indicators) -> dict[str, str]:
    """What each figure on the page says (by its key in `ReportsPage.fields`), against the
    period before where that helps."""
    return {
        **_participation_texts(now, before),
        **_information_texts(now, before),
        **_feedback_texts(now, before),
        **_inclusivity_texts(now),
        **_cost_texts(now, before),
        "tired": (
            f"{len(now.fatigue.tired):,} of {plural(now.fatigue.consulted, 'organisation')} "
            f"consulted more than {plural(now.fatigue.threshold, 'time')}"
        ),
    }


def _participation_texts(now: Indicators, before: Indicators) -> dict[str, str]:
    """Participation, and who was reached (representation)."""
    p, r, was = now.participation, now.representation, before.participation
    unreached = [g.name for g in r.groups if g.reached == 0]
    return {
        "held": f"{p.held:,} (previous: {was.held:,})",
        "attendees": f"{p.attendees:,} (previous: {was.attendees:,})",
        "outreach": (
            f"{p.outreach:,} = {pct(p.outreach_share)} of those held "
            f"(previous: {pct(was.outreach_share)})"
        ),
        "monitored": f"{r.monitored:,} of {r.attendees:,}",
        "unreached": ", ".join(unreached) if unreached else "none: every group reached",
    }


def _information_texts(now: Indicators, before: Indicators) -> dict[str, str]:
    i, was = now.information, before.information
    return {
        "findings": f"{i.findings:,}",
        "with_outcome": (
            f"{i.with_outcome:,} = {pct(i.outcome_share)} (previous: {pct(was.outcome_share)})"
        ),
        "changed": f"{i.changed:,} = {pct(i.changed_share)} (previous: {pct(was.changed_share)})",
    }


def _feedback_texts(now: Indicators, before: Indicators) -> dict[str, str]:
    fb = now.feedback
    median = "–" if fb.median_days is None else f"{fb.median_days:g}"
    return {
        "within": (
            f"{fb.within:,} of {fb.held:,} held = {pct(fb.within_share)} "
            f"(previous: {pct(before.feedback.within_share)})"
        ),
        "median": f"{median} ({fb.fed_back:,} engagements have had feedback so far)",
    }


def _inclusivity_texts(now: Indicators) -> dict[str, str]:
    k, by_method = now.inclusivity, now.participation.by_method
    unused = [line.name for line in by_method if not line.engagements]
    access = [f"{label} {n:,}" for label, n in k.access]
    return {
        "methods": f"{k.methods_used} of {len(by_method)}"
        + (f" (not used: {'; '.join(unused)})" if unused else " (every method)"),
        "venues": (
            f"{k.community_venues:,} venues, {k.at_community_venues:,} engagements = "
            f"{pct(k.community_share)} of those held"
        ),
        "access": ", ".join(access[:3]) + ",\n" + ", ".join(access[3:]),
    }


def _cost_texts(now: Indicators, before: Indicators) -> dict[str, str]:
    c, was = now.cost, before.cost
    return {
        "cost_total": (
            f"{money(c.total_pence)} = {money(c.direct_pence)} + {money(c.officer_pence)}"
        ),
        "per_engagement": (
            f"{money(c.per_engagement_pence)} (previous: {money(was.per_engagement_pence)})"
        ),
        "per_participant": (
            f"{money(c.per_participant_pence)} (previous: {money(was.per_participant_pence)})"
        ),
    }
