"""The strategy's warnings (focus group size, unreached target groups, sensitive topics) and
the calendar's rules (nothing is held, attended or answered before it happens)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.models import (
    EngagementKind,
    Organisation,
    Sensitivity,
    SensitivityLevel,
    Topic,
)
from ccodesk.words import plural

# "Focus groups: small groups (normally 9-12 people)" (strategy, Annex C).
FOCUS_GROUP_SIZE = (9, 12)


def focus_group_size(kind: EngagementKind, attendance_total: int | None) -> list[str]:
    """A warning when a focus group's attendance falls outside the normal 9–12 people."""
    low, high = FOCUS_GROUP_SIZE
    if kind != EngagementKind.FOCUS_GROUP or attendance_total is None:
        return []
    if low <= attendance_total <= high:
        return []
    return [f"A focus group is normally {low}–{high} people; this one had {attendance_total}."]


def unreached_targets(
    target_codes: Sequence[str], counts: dict[str, int], group_names: dict[str, str]
) -> list[str]:
    """A warning when attendance was recorded but none of the target groups was reached."""
    if not target_codes or not counts:
        return []
    if any(counts.get(code, 0) > 0 for code in target_codes):
        return []
    names = ", ".join(group_names.get(c, c) for c in target_codes)
    return [f"This engagement reached none of its target groups ({names})."]


def sensitive_partners(
    session: Session, organisation_ids: Iterable[str], topic_codes: Iterable[str]
) -> list[str]:
    """Warnings for partner organisations flagged as sensitive to a topic of the engagement."""
    org_ids, topics = list(organisation_ids), list(topic_codes)
    if not org_ids or not topics:
        return []
    rows = session.execute(
        select(Organisation.name, Topic.name, Sensitivity.level, Sensitivity.note)
        .join(Sensitivity, Sensitivity.organisation_id == Organisation.id)
        .join(Topic, Topic.code == Sensitivity.topic_code)
        .where(
            Organisation.id.in_(org_ids),
            Sensitivity.topic_code.in_(topics),
            Sensitivity.deleted.is_(False),
        )
        .order_by(Organisation.name, Topic.name)
    ).all()
    warnings = []
    for org, topic, level, note in rows:
        verb = "must not be consulted" if level == SensitivityLevel.AVOID else "needs care"
        suffix = f" ({note.rstrip('.')})" if note else ""
        warnings.append(f"{org} {verb} on {topic}{suffix}.")
    return warnings


# -- the calendar ------------------------------------------------------------------------------


def day(value: dt.date) -> str:
    """A date as people write it: "8 Dec 2026"."""
    return f"{value.day} {value:%b %Y}"


def moment(value: dt.datetime) -> str:
    """A date and time as people write it: "Tue 8 Dec 2026 at 18:00"."""
    return f"{value:%a} {day(value)} at {value:%H:%M}"


def not_happened_yet(
    starts_at: dt.datetime,
    now: dt.datetime,
    *,
    held: bool = False,
    attendance: bool = False,
    outcomes: int = 0,
    feedback: int = 0,
    actions_done: int = 0,
) -> list[str]:
    """Problems when an engagement that starts after `now` is said to have happened.

    Held, attendance and outcomes belong to engagements that have taken place; counting a
    future meeting as held would put it in this quarter's report before it exists.
    """
    if starts_at <= now:
        return []
    start = moment(starts_at)
    problems = []
    if held:
        problems.append(
            f"The status is Held, but the engagement starts on {start}: it cannot have been "
            "held yet. Keep it Planned or Confirmed until it has taken place."
        )
    if attendance:
        problems.append(
            f"Attendance is recorded, but the engagement starts on {start}: record who came "
            "once it has taken place."
        )
    for count, singular, many in (
        (outcomes, "outcome", "outcomes"),
        (feedback, "piece of feedback", "pieces of feedback"),
        (actions_done, "action marked done", "actions marked done"),
    ):
        if count:
            problems.append(
                f"{plural(count, singular, many)} {'is' if count == 1 else 'are'} recorded "
                f"for it, but the engagement starts on {start}, in the future."
            )
    return problems


def dated_before_engagement(what: str, on: dt.date | None, starts_at: dt.datetime) -> list[str]:
    """A problem when something that follows an engagement (`what`) is dated before it."""
    if on is None or on >= starts_at.date():
        return []
    return [
        f"{what} is dated {day(on)}, before the engagement it follows ({day(starts_at.date())})."
    ]


# The longest text a column without a length of its own may hold: what a bundle may carry
# (ccodesk/sync/records.py MAX_TEXT), so nothing saved here is refused by sync later.
MAX_TEXT = 100_000
# NUL (PostgreSQL refuses it in text), other C0 and C1 controls but tab and line breaks, and
# halves of a surrogate pair that were never joined into a character (not valid Unicode).
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problems(what: str, value: str, limit: int | None) -> list[str]:
    """Problems with a piece of text (its length, control characters), in words; `what`
    names the field ("The title"), `limit` its length in characters (None: MAX_TEXT)."""
    limit = limit or MAX_TEXT
    problems = []
    if len(value) > limit:
        problems.append(f"{what} is {len(value):,} characters long; keep it to {limit:,} or fewer.")
    bad = _BAD_TEXT.search(value)
    if bad:
        code = ord(bad.group())
        kind = "half of a character (a lone surrogate)" if code >= 0xD800 else f"U+{code:04X}"
        problems.append(
            f"{what} holds a control character ({kind}) at position {bad.start() + 1:,}; "
            "remove it (it cannot be printed or sent to the central unit)."
        )
    return problems
