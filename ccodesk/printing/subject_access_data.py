"""What the answer to a subject access request says, as plain objects.

`ccodesk.services.subject_access` fills them from the store; `ccodesk.printing.subject_access`
draws only these (and the services' JSON writes only these). No reportlab here: the request
log and the dashboard import these names without loading the PDF machinery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


def day_text(day: dt.date | None) -> str:
    """3 Dec 2026 (no leading zero), or "—"."""
    return f"{day.day} {day:%b %Y}" if day else "—"


@dataclass(frozen=True)
class HeldItem:
    """One record held about the person: what it is, why it is held, and its fields."""

    category: str  # a key of the report's categories
    table: str  # the store's table
    record: str  # the record's id in that table
    title: str  # one line: what it is
    why: str  # a plain sentence: why it is held
    fields: tuple[tuple[str, str], ...] = ()  # (label, value), in the order shown
    matched: str = ""  # how it was found: "contact record", "name", "e-mail", "phone"


@dataclass(frozen=True)
class CategoryHeld:
    """One kind of item found, how many, and why items of that kind are held."""

    key: str
    label: str
    why: str
    count: int


@dataclass(frozen=True)
class SubjectAccessReport:
    """Everything the answer says, as plain data."""

    requester: str
    terms: tuple[tuple[str, str], ...]  # ("Name", "Ada Lovelace"), ("E-mail", …), …
    received_on: dt.date
    due_on: dt.date
    produced_at: dt.datetime
    held_by: str  # "Camden: the Community Consultation Officer's device", "the central unit"
    officer: str = ""
    reference: str = ""  # the request's number in the log
    categories: tuple[CategoryHeld, ...] = ()
    items: tuple[HeldItem, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()  # what the answer leaves out and why, in plain sentences
