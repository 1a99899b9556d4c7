"""Representation baselines: each priority group's share of a borough's population.

Entered by the officer (e.g. from the census), kept as synced `RepresentationBaseline` rows;
setting a new share adds a row, and the newest `as_of` for a group is the one used, so the
history of sources is kept and travels to the centre.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import PriorityGroup, RepresentationBaseline
from ccodesk.services.engagements import Saved
from ccodesk.services.reference import check_codes


@dataclass(frozen=True)
class Baseline:
    group_code: str
    share_percent: float
    source: str
    as_of: dt.date


def current_baselines(session: Session, borough_code: str | None) -> dict[str, Baseline]:
    """Group code → its newest baseline for a borough (None: a London-wide baseline)."""
    where = (
        RepresentationBaseline.borough_code.is_(None)
        if borough_code is None
        else RepresentationBaseline.borough_code == borough_code
    )
    rows = session.execute(
        select(
            RepresentationBaseline.group_code,
            RepresentationBaseline.share_percent,
            RepresentationBaseline.source,
            RepresentationBaseline.as_of,
        )
        .where(where, RepresentationBaseline.deleted.is_(False))
        # oldest first, so the newest as_of (ties: the latest written) is the one kept
        .order_by(RepresentationBaseline.as_of, RepresentationBaseline.hlc)
    )
    return {code: Baseline(code, float(p), src, as_of) for code, p, src, as_of in rows}


def baseline_problems(session: Session, group_code: str, share_percent: float) -> list[str]:
    """Why a baseline cannot be saved (empty when it can)."""
    problems = check_codes(session, PriorityGroup, [group_code], "priority group")
    if not 0 <= share_percent <= 100:
        problems.append(f"a share must be between 0 and 100 per cent, not {share_percent:g}")
    return problems


def set_baseline(
    session: Session,
    borough_code: str | None,
    group_code: str,
    share_percent: float,
    *,
    source: str,
    as_of: dt.date,
) -> Saved:
    """Record a group's share of the borough's population; raise on invalid input.

    A total over 100% is allowed, with a warning: the eight groups overlap (an older disabled
    Muslim woman belongs to three), so census shares add up to well over 100% in most
    boroughs; refusing would make real baselines impossible to enter.
    """
    problems = baseline_problems(session, group_code, share_percent)
    if not source.strip():
        problems.append("say where the share comes from (e.g. 'Census 2021, table TS001')")
    if problems:
        raise ValidationError(problems)
    row = RepresentationBaseline(
        borough_code=borough_code,
        group_code=group_code,
        share_percent=float(share_percent),
        source=source.strip(),
        as_of=as_of,
    )
    session.add(row)
    session.flush()
    shares = current_baselines(session, borough_code)
    total = sum(b.share_percent for b in shares.values())
    warnings = []
    if total > 100:
        warnings.append(
            f"the baselines now add up to {total:g}%: expected when groups overlap (a person "
            "can be in several), but check for a typo"
        )
    return Saved(row.id, warnings)
