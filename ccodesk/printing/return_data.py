"""What the quarterly consultation return prints, as plain objects (no store, no reportlab).

`ccodesk.services.quarterly_return` reads them from the store; `ccodesk.printing.quarterly`
draws them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# The cells of the return a count of people can be withheld from, in `ReturnContent.withheld`:
# the indicator report's measures (services/indicator_suppression.py) the return prints, named
# as the indicator files name them, so a printed cell and its file's row read the same.
ATTENDEES = "Attendees"
IN_GROUP = "Monitored attendees in the group"
BY_METHOD = "Attendees by method"
NO_METHOD = "Attendees at engagements with no method"


@dataclass(frozen=True)
class ChangedLine:
    """A finding that changed a decision, with the decisions it changed."""

    held_on: dt.date
    engagement: str
    finding: str
    decision: str


@dataclass(frozen=True)
class MethodLine:
    method: str
    held: int
    attendees: int


@dataclass(frozen=True)
class GroupLine:
    group: str
    this_quarter: int
    quarter_before: int


@dataclass(frozen=True)
class FeedbackLine:
    given_on: dt.date
    channel: str
    engagement: str
    text: str


@dataclass
class DeletionLine:
    """A deletion record of the quarter (the retention schedule or an erasure; no personal
    data): when, what, how many, under which rule."""

    done_on: dt.date
    category: str
    count: int
    rule: str


@dataclass
class ReturnContent:
    """Everything the quarterly consultation return prints.

    The figures the indicator report also gives (engagements held, attendees, methods, the
    groups, findings, findings that changed a decision, costs) are the report's own, taken
    from `indicators.build_report` for the quarter: one definition per figure."""

    borough: str
    quarter: str  # its label, 2026Q3
    quarter_before: str  # the label of the quarter before, 2026Q2
    heading: str  # Q3 2026 (1 July to 30 September 2026)
    methods: list[MethodLine]
    held: int
    attendees: int
    held_before: int
    attendees_before: int
    prefer_not_to_say: int
    not_asked: int
    groups: list[GroupLine]
    findings: int
    changed: list[ChangedLine]  # as many lines as InformationUse.changed
    outcomes: dict[str, int]  # outcome label -> findings of the quarter's engagements
    feedback: list[FeedbackLine]
    cash_pence: int
    costs: list[tuple[str, int]]  # category label, pence
    officer_pence: int
    officer_time: list[tuple[str, int, int]]  # role label, minutes, pence
    # counts of people withheld, as (cell, group, quarter label): a printed return leaves the
    # device (docs/indicators.md, "Small numbers"; services/indicator_suppression.py)
    withheld: frozenset[tuple[str, str, str]] = frozenset()
    # "Data protection: deletions this quarter" (issue 15)
    deletions: list[DeletionLine] = field(default_factory=list)

    def people(self, value: int, measure: str, group: str = "", *, before: bool = False) -> str:
        """A count of people as printed: the number, or "<10" / "suppressed" when withheld."""
        if not self.is_withheld(measure, group, before=before):
            return f"{value:,}"
        return "<10" if 0 < value < 10 else "suppressed"

    def unmonitored(self) -> tuple[str, str]:
        """Those who preferred not to say and those not asked, as printed. Their sum is
        attendees less monitored, both published; so when either is a small count (1-9) or
        either total is withheld, both are withheld, and neither can be worked out from the
        other (docs/indicators.md, "Small numbers")."""
        counts = (self.prefer_not_to_say, self.not_asked)
        if any(0 < n < 10 for n in counts) or self.is_withheld(ATTENDEES):
            shown = ["<10" if 0 < n < 10 else "suppressed" for n in counts]
        else:
            shown = [f"{n:,}" for n in counts]
        return shown[0], shown[1]

    def is_withheld(self, measure: str, group: str = "", *, before: bool = False) -> bool:
        return (measure, group, self.quarter_before if before else self.quarter) in self.withheld

    def method_measure(self, method: str) -> tuple[str, str]:
        """The cell of a method's attendees ("Other": engagements with no method)."""
        return (NO_METHOD, "") if method == "Other" else (BY_METHOD, method)
