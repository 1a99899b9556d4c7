"""Looking up reference data by what a user types."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import Borough, PriorityGroup, Topic
from ccodesk.resource_files import borough_name as borough_name  # re-exported
from ccodesk.resource_files import load_json


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").replace("&", "and").split())


def resolve_borough(name: str) -> str:
    """The code of the borough a user named ("Camden", "city of london", "camden")."""
    boroughs = load_json("reference", "boroughs.json")
    wanted = _norm(name)
    for b in boroughs:
        if wanted in (_norm(b["code"]), _norm(b["name"]), _norm(b["name"]).removeprefix("the ")):
            return str(b["code"])
    names = [b["name"] for b in boroughs]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(close)}?" if close else " Use a London borough's name."
    raise ValidationError(f"Unknown borough {name!r}.{hint}")


def priority_groups(session: Session) -> list[PriorityGroup]:
    """The eight GLA priority groups, in the strategy's order."""
    return list(session.scalars(select(PriorityGroup).order_by(PriorityGroup.position)))


def all_topics(session: Session) -> list[tuple[str, str]]:
    """Every topic as (code, name), by name: what the topic pickers offer."""
    return [(c, n) for c, n in session.execute(select(Topic.code, Topic.name).order_by(Topic.name))]


def check_codes(
    session: Session,
    model: type[PriorityGroup] | type[Topic] | type[Borough],
    codes: Iterable[str],
    what: str,
) -> list[str]:
    """Problems for every code that is not a known `what` (e.g. an unknown priority group)."""
    codes = list(codes)
    if not codes:
        return []
    known = set(session.scalars(select(model.code).where(model.code.in_(codes))))
    return [f"unknown {what} {code!r}" for code in codes if code not in known]
