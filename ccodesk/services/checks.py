"""The strategy's warnings: focus group size, unreached target groups, sensitive topics."""

from __future__ import annotations

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
