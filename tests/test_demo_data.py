"""Demo data: realistic, varied, deterministic for a seed, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ccodesk.errors import Cancelled, ValidationError
from ccodesk.models import (
    Attendance,
    Engagement,
    EngagementKind,
    EngagementStatus,
    Finding,
    Organisation,
)
from ccodesk.services.demo import load_demo_data
from ccodesk.store import Store, create_store

ANCHOR = dt.date(2026, 11, 22)


def _count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)))


def test_one_borough_year_is_realistic(demo_store: Store) -> None:
    with demo_store.session() as s:
        assert _count(s, Engagement) == 300
        assert _count(s, Organisation) == 1500
        kinds = set(s.scalars(select(Engagement.kind).distinct()))
        assert kinds == set(EngagementKind)
        statuses = set(s.scalars(select(Engagement.status).distinct()))
        assert statuses == set(EngagementStatus)
        held = s.scalar(
            select(func.count())
            .select_from(Engagement)
            .where(Engagement.status == EngagementStatus.HELD)
        )
        assert _count(s, Attendance) == held
        assert _count(s, Finding) >= held
        focus = (
            s.execute(
                select(Attendance.total)
                .join(Engagement)
                .where(Engagement.kind == EngagementKind.FOCUS_GROUP)
            )
            .scalars()
            .all()
        )
        in_range = sum(9 <= t <= 12 for t in focus)
        assert 0.6 * len(focus) <= in_range < len(focus)  # mostly 9-12, some to warn about
        assert s.scalar(text("SELECT count(*) FROM sensitivity")) > 0
        assert s.scalar(text("SELECT count(*) FROM feedback_given")) > 0
        upcoming = s.scalar(
            select(func.count())
            .select_from(Engagement)
            .where(Engagement.starts_at > dt.datetime(2026, 11, 22))
        )
        assert upcoming > 0
        seqs = s.scalars(select(Engagement.change_seq)).all()
        assert len(set(seqs)) == len(seqs)


def _fingerprint(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(Engagement.id, Engagement.title, Engagement.starts_at).order_by(
                    Engagement.id
                )
            ).all()
        ]


def test_same_seed_same_data(tmp_path: Path) -> None:
    prints = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        with create_store(tmp_path / name, borough_code="lambeth", officer_name="O") as s:
            load_demo_data(
                s,
                scale=1,
                seed=seed,
                anchor=ANCHOR,
                engagements_per_year=40,
                organisations_per_year=60,
            )
            prints.append(_fingerprint(s))
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def test_cancel_leaves_nothing(store: Store) -> None:
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled, match="cancelled; nothing was added"):
        load_demo_data(
            store,
            scale=3,
            seed=1,
            anchor=ANCHOR,
            cancelled=cancelled,
            engagements_per_year=20,
            organisations_per_year=20,
        )
    with store.session() as s:
        assert _count(s, Engagement) == 0
        assert _count(s, Organisation) == 0
    assert store.pending_changes() == 0


def test_refuses_a_store_with_data(demo_store: Store) -> None:
    with pytest.raises(ValidationError, match="already holds 300 engagements"):
        load_demo_data(demo_store, scale=1, seed=1, anchor=ANCHOR)


def test_progress_is_reported(store: Store) -> None:
    seen: list[tuple[int, int]] = []
    report = load_demo_data(
        store,
        scale=2,
        seed=3,
        anchor=ANCHOR,
        progress=lambda d, t, _w: seen.append((d, t)),
        engagements_per_year=10,
        organisations_per_year=10,
    )
    assert seen == [(1, 2), (2, 2)]
    assert report.engagements == 20
    assert store.pending_changes() > report.engagements
