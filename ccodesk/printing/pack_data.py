"""What the documents of one engagement print (its meeting pack, its forms), as plain objects.

`ccodesk.services.pack_content` reads them from the store; `ccodesk.printing.documents` draws
only these, so a document is built after the session has closed, and tested without a store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


def long_date(day: dt.date) -> str:
    """'Thursday 4 February 2027' (no leading zero, on every platform)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


@dataclass(frozen=True)
class EngagementSummary:
    """An engagement as a pack's cover and the forms' headings show it."""

    id: str
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    status: str
    borough: str
    venue_name: str
    venue_address: str
    access: list[str]
    cco_name: str
    blo_name: str
    cso_name: str
    partners: list[str]
    theme: str
    topics: list[tuple[str, str]]  # (code, name)
    informs: str
    informs_detail: str
    target_groups: list[str]
    notes: str

    @property
    def when(self) -> str:
        text = f"{long_date(self.starts_at)}, {self.starts_at:%H:%M}"
        if self.ends_at and self.ends_at.date() == self.starts_at.date():
            text += f" to {self.ends_at:%H:%M}"
        elif self.ends_at:
            text += f" to {long_date(self.ends_at)}, {self.ends_at:%H:%M}"
        return text

    @property
    def venue(self) -> str:
        return ", ".join(p for p in (self.venue_name, self.venue_address) if p)


@dataclass(frozen=True)
class ActionLine:
    meeting: dt.date
    description: str
    owner: str
    due_on: dt.date | None
    status: str
    completed_on: dt.date | None = None  # when it was done or dropped
    note: str = ""  # what was done, or why it was dropped

    @property
    def where_it_stands(self) -> str:
        """The status as the log prints it: "Done", and the date on a line of its own."""
        return self.status + (f"\n{self.completed_on:%d %b %Y}" if self.completed_on else "")

    @property
    def what(self) -> str:
        """The action as the log prints it, with the note on what became of it below."""
        return self.description + (f"\nNote: {self.note}" if self.note else "")


@dataclass(frozen=True)
class YouSaidLine:
    meeting: dt.date
    you_said: str
    we_did: str


@dataclass(frozen=True)
class AttendeeLine:
    """A named attendee whose consent lets the pack name them."""

    name: str
    role: str
    organisation: str


@dataclass
class PackContent:
    """Everything a meeting pack prints."""

    engagement: EngagementSummary
    previous: list[tuple[dt.date, str]] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    you_said: list[YouSaidLine] = field(default_factory=list)
    attendees: list[AttendeeLine] = field(default_factory=list)
    # named attendees left out: their consent has expired, was withdrawn, or they object
    attendees_withheld: int = 0
