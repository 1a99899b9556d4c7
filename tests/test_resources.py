"""The shipped reference data and demo word lists agree with each other and with the seeds."""

from __future__ import annotations

from ccodesk.models import OrganisationType
from ccodesk.resource_files import load_json


def _codes(name: str) -> set[str]:
    return {row["code"] for row in load_json("reference", name)}


def test_reference_counts_follow_the_seeds() -> None:
    assert len(_codes("boroughs.json")) == 33
    groups = load_json("reference", "priority_groups.json")
    assert [g["seed_wording"] for g in groups] == [
        "Children and Young people",
        "Minority ethnic communities",
        "Disabled people",
        "Older people",
        "People without permanent homes",
        "Lesbians, gay men, bisexuals and people of transgender",
        "Refugee and asylum seekers",
        "Faith groups",
    ]
    matrix = load_json("reference", "consultation_matrix.json")
    assert matrix[0]["name"] == "Businesses" and len(matrix) == 13
    yot = next(m for m in matrix if m["name"] == "YOT Teams")
    assert yot["effectiveness"] == "Accessible through the YOT manager."
    methods = {m["code"]: m for m in load_json("reference", "consultation_methods.json")}
    assert "9-12 people" in methods["focus-group"]["purpose"]
    gss = sorted(b["gss_code"] for b in load_json("reference", "boroughs.json"))
    assert gss == [f"E090000{i:02d}" for i in range(1, 34)]


def test_cross_references_hold() -> None:
    topics, groups = _codes("topics.json"), _codes("priority_groups.json")
    org_types = {t.value for t in OrganisationType}
    for topic in load_json("reference", "topics.json"):
        assert set(topic["sensitive_for"]) <= groups | org_types, topic
    for theme in load_json("reference", "engagement_themes.json"):
        assert set(theme["topics"]) <= topics, theme
    orgs = load_json("demo", "organisations.json")
    assert {t["type"] for t in orgs["types"]} == org_types
    for spec in orgs["types"]:
        assert set(spec["groups_served"]) <= groups, spec["type"]
        assert {s["topic"] for s in spec["sensitivities"]} <= topics, spec["type"]
    assert set(load_json("demo", "areas.json")) == _codes("boroughs.json")
    findings = load_json("demo", "findings.json")
    assert set(findings) == topics
    keys = {"finding", "outcome_changed", "outcome_not_used", "action", "you_said_we_did"}
    assert all(set(item) == keys for items in findings.values() for item in items)
