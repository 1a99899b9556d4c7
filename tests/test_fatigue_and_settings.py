"""Consultee fatigue and the settings file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ccodesk.errors import ValidationError
from ccodesk.models import EngagementKind, EngagementStatus, OrganisationType
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.services.fatigue import consultation_counts, fatigue_warnings
from ccodesk.settings import Settings, load_settings, save_settings
from ccodesk.store import Store

DAY = dt.datetime(2026, 11, 1, 18, 0)


@pytest.fixture
def busy_org(store: Store) -> tuple[Store, str]:
    with store.transaction() as s:
        org = save_organisation(
            s, OrganisationDraft(name="Dalston Youth Club", org_type=OrganisationType.YOUTH_GROUP)
        ).id
        for days_before, status in (
            (5, EngagementStatus.HELD),
            (30, EngagementStatus.HELD),
            (60, EngagementStatus.HELD),
            (70, EngagementStatus.CANCELLED),
            (120, EngagementStatus.HELD),
        ):
            save_engagement(
                s,
                EngagementDraft(
                    kind=EngagementKind.YOUTH_FORUM,
                    title=f"Forum {days_before}",
                    starts_at=DAY - dt.timedelta(days=days_before),
                    status=status,
                    partner_ids=[org],
                ),
            )
    return store, org


def test_counts_only_the_window_and_not_cancelled(busy_org: tuple[Store, str]) -> None:
    store, org = busy_org
    with store.session() as s:
        assert consultation_counts(s, [org], before=DAY, days=90) == {org: 3}
        assert consultation_counts(s, [org], before=DAY, days=20) == {org: 1}


def test_warning_at_the_threshold(busy_org: tuple[Store, str]) -> None:
    store, org = busy_org
    with store.session() as s:
        warned = fatigue_warnings(s, [org], starts_at=DAY, threshold=3, days=90)
        assert warned == [
            "Dalston Youth Club was consulted 3 times in the 90 days before "
            "this: beware of consultee fatigue."
        ]
        assert fatigue_warnings(s, [org], starts_at=DAY, threshold=4, days=90) == []


def test_settings_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert load_settings(path) == Settings()
    save_settings(Settings(fatigue_threshold=5, fatigue_window_days=60), path)
    assert load_settings(path).fatigue_threshold == 5
    with pytest.raises(ValidationError, match="between 1 and 50"):
        save_settings(Settings(fatigue_threshold=0), path)
    assert load_settings(path).fatigue_threshold == 5  # the bad value was not written


def test_damaged_settings_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert load_settings(path) == Settings()
    path.write_text(json.dumps({"fatigue_threshold": 999, "unknown": 1}))
    assert load_settings(path) == Settings()
