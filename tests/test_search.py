"""Full-text search (FTS5) stays in step with every write and treats input as plain words."""

from __future__ import annotations

import datetime as dt

import pytest

from ccodesk.models import Engagement, EngagementKind, Organisation, OrganisationType
from ccodesk.services.search import fts_query, search
from ccodesk.store import Store


@pytest.fixture
def filled(store: Store) -> Store:
    with store.transaction() as s:
        s.add_all(
            [
                Engagement(
                    kind=EngagementKind.OUTREACH,
                    title="Outreach at Kentish Town Mosque",
                    theme="Hate crime reporting",
                    starts_at=dt.datetime(2026, 10, 2, 14),
                ),
                Engagement(
                    kind=EngagementKind.YOUTH_FORUM,
                    title="Youth forum: knife crime",
                    venue_name="Queen's Crescent Community Centre",
                    starts_at=dt.datetime(2026, 10, 9, 18),
                ),
                Organisation(
                    name="Kentish Town Residents' Association",
                    org_type=OrganisationType.RESIDENTS_ASSOCIATION,
                ),
            ]
        )
    return store


def test_finds_across_tables_best_first(filled: Store) -> None:
    with filled.session() as s:
        hits = search(s, "kentish town")
    assert {h.entity for h in hits} == {"engagement", "organisation"}
    assert all("Kentish" in h.title for h in hits)


def test_prefix_search_as_you_type(filled: Store) -> None:
    with filled.session() as s:
        assert [h.title for h in search(s, "kni")] == ["Youth forum: knife crime"]
        assert [h.title for h in search(s, "queen cresc")] == ["Youth forum: knife crime"]


def test_accents_and_case_are_ignored(filled: Store) -> None:
    with filled.session() as s:
        assert search(s, "MOSQUÉ")[0].title == "Outreach at Kentish Town Mosque"


KNIFE = ["Youth forum: knife crime"]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        # FTS5 syntax alone: no word that any record holds, so nothing (and no syntax error)
        ('"', []),
        ("AND", []),
        ("NEAR(", []),
        ("*", []),
        ("title:x", []),
        ("') OR 1=1 --", []),
        ("^", []),
        # syntax around a real word: the word is found, the syntax ignored
        ('"knife', KNIFE),
        ('knife"', KNIFE),
        ("knife*", KNIFE),
        ("^knife", KNIFE),
        ("(knife)", KNIFE),
        ("knife:", KNIFE),
        # operators are words to match, not operators: no record holds "or", "not" or "near"
        ("mosque OR knife", []),
        ("kentish NOT mosque", []),
        ("NEAR(knife crime)", []),
    ],
)
def test_fts_syntax_is_plain_text(filled: Store, text: str, titles: list[str]) -> None:
    with filled.session() as s:
        assert sorted(h.title for h in search(s, text)) == titles


def test_query_building() -> None:
    assert fts_query("  ") is None
    assert fts_query("knife crime") == '"knife"* "crime"*'
    assert fts_query('say "hi" AND') == '"say"* "hi"* "AND"*'


def test_edits_and_tombstones_update_results(filled: Store) -> None:
    with filled.transaction() as s:
        forum = s.query(Engagement).filter_by(kind=EngagementKind.YOUTH_FORUM).one()
        forum.title = "Youth forum: county lines"
    with filled.session() as s:
        assert search(s, "knife") == []
        assert [h.title for h in search(s, "county lines")] == ["Youth forum: county lines"]
    with filled.transaction() as s:
        s.query(Engagement).filter_by(kind=EngagementKind.YOUTH_FORUM).one().deleted = True
    with filled.session() as s:
        assert search(s, "county") == []
