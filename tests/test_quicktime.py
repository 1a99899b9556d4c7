"""Quick-time consultation: the service, its warnings, the CLI, and travel in sync bundles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ccodesk.cli.borough import main as cli
from ccodesk.errors import ValidationError
from ccodesk.models import (
    ConsulteeRole,
    ContactChannel,
    EngagementKind,
    OrganisationType,
    QuickTimeConsultation,
    QuickTimeStatus,
    SensitivityLevel,
)
from ccodesk.services import quicktime as qt
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store

NOW = dt.datetime.now().replace(microsecond=0)
EVENT = NOW + dt.timedelta(days=3)


def organisations(store: Store) -> dict[str, str]:
    """A faith group sensitive to LGBT issues, an LGBT forum, and a much-consulted forum."""
    drafts = {
        "mosque": OrganisationDraft(
            "Camden Central Mosque",
            OrganisationType.FAITH_GROUP,
            groups_served=["faith", "minority-ethnic"],
            sensitivities=[("lgbt-issues", SensitivityLevel.AVOID, "leaders asked not to be")],
        ),
        "lgbt": OrganisationDraft(
            "Camden LGBT Forum", OrganisationType.COMMUNITY_GROUP, groups_served=["lgbt"]
        ),
        "tired": OrganisationDraft(
            "Somers Town Residents", OrganisationType.RESIDENTS_ASSOCIATION, groups_served=["older"]
        ),
    }
    with store.transaction() as s:
        ids = {key: save_organisation(s, d).id for key, d in drafts.items()}
        for n in range(3):  # consulted three times in the last fortnight: fatigue
            save_engagement(
                s,
                EngagementDraft(
                    kind=EngagementKind.OUTREACH,
                    title=f"Residents' meeting {n}",
                    starts_at=EVENT - dt.timedelta(days=5 + n),
                    partner_ids=[ids["tired"]],
                ),
            )
    return ids


def test_five_stages_with_warnings_review_and_lessons(store: Store) -> None:
    ids = organisations(store)
    with store.transaction() as s, pytest.raises(ValidationError, match="gold group"):
        qt.create(s, qt.CausalEvent("Riot", EVENT, EVENT, critical_incident=True))
    with store.transaction() as s, pytest.raises(ValidationError) as bad:
        qt.create(s, qt.CausalEvent("", EVENT, EVENT + dt.timedelta(days=1)))
    assert bad.value.problems == [
        "say what the causal event is",
        "responses are needed before the event, not after it",
    ]
    with store.transaction() as s:
        cid = qt.create(
            s,
            qt.CausalEvent(
                "Pride weekend safer streets operation",
                EVENT,
                NOW + dt.timedelta(days=2, hours=4, minutes=30),
                location="Camden High Street",
                scale="Pan-London, 400 officers",
                topic_code="lgbt-issues",
                affected_groups=["lgbt", "older"],
            ),
        )
        c = qt.get(s, cid[:8])
        assert qt.countdown(c.deadline, NOW) == "2 days 4 h left"
        assert qt.countdown(NOW - dt.timedelta(hours=5), NOW) == "overdue by 5 h 0 min"
        # Stage 2: pick; each warning with its reason.
        qt.pick(s, cid, qt.Pick(ConsulteeRole.COMMUNITY, ids["mosque"], reason="local faith lead"))
        c = qt.get(s, cid)
        warnings = qt.consultee_warnings(s, c, qt.picked_organisations(c))
        assert "Camden Central Mosque must not be consulted on LGBT issues" in warnings[0]
        assert "leaders asked not to be" in warnings[0]
        unserved = [w for w in warnings if w.startswith("Nobody picked serves")]
        assert sorted(w.split(",")[0] for w in unserved) == [
            "Nobody picked serves LGBT people",
            "Nobody picked serves Older people",
        ]
        qt.pick(s, cid, qt.Pick(ConsulteeRole.COMMUNITY, ids["lgbt"]))
        qt.pick(s, cid, qt.Pick(ConsulteeRole.COMMUNITY, ids["tired"]))
        qt.pick(s, cid, qt.Pick(ConsulteeRole.POLICE, name="Traffic OCU", reason="road closures"))
        with pytest.raises(ValidationError, match="already picked"):
            qt.pick(s, cid, qt.Pick(ConsulteeRole.COMMUNITY, ids["lgbt"]))
        c = qt.get(s, cid)
        warnings = qt.consultee_warnings(s, c, qt.picked_organisations(c))
        assert not [w for w in warnings if w.startswith("Nobody picked")]
        assert any("Somers Town Residents was consulted 3 times" in w for w in warnings)
        # Stages 3, 4, 5.
        qt.update_stage(
            s, cid, 3, {"event_profile": "After last year's disorder", "level": "pan_london"}
        )
        qt.update_stage(s, cid, 4, {"media_strategy": "Joint statement", "officer_hours": 12,
                                    "adviser_compensation_pence": 15000})  # fmt: skip
        assert qt.scope(qt.get(s, cid)).startswith("Pan-London: refer to the central Strategic")
        qt.update_stage(s, cid, 5, {"delivery": "contacts", "terms_of_reference": "Advice only"})
        with pytest.raises(ValidationError, match="has no media_strategy"):
            qt.update_stage(s, cid, 5, {"media_strategy": "x"})
        c = qt.get(s, cid)
        assert c.stage == 5 and c.status == QuickTimeStatus.PLANNED
        forum = next(x for x in c.consultees if x.name == "Camden LGBT Forum")
        qt.log_contact(s, forum.id, ContactChannel.PHONE, "Called the chair; advice by Friday")
        with pytest.raises(ValidationError, match="why the advice was not acted on"):
            qt.record_advice(s, forum.id, advice="Avoid the parade route", used=False)
        qt.record_advice(s, forum.id, advice="Avoid the parade route", used=False,
                         impact="Route fixed by the council; we explained why")  # fmt: skip
        assert [x.name for x in qt.feedback_owed(qt.get(s, cid))] == ["Camden LGBT Forum"]
        qt.record_advice(s, forum.id, advice="Avoid the parade route", used=False,
                         impact="Route fixed by the council; we explained why",
                         feedback_given_on=dt.date.today())  # fmt: skip
        assert qt.feedback_owed(qt.get(s, cid)) == []
        qt.review(s, cid, review_text="Went peacefully", lessons="Ask the LGBT forum first",
                  now=EVENT + dt.timedelta(days=1))  # fmt: skip
        assert qt.get(s, cid).status == QuickTimeStatus.REVIEWED
        # A later consultation on the same topic is shown the lessons.
        later = qt.create(
            s,
            qt.CausalEvent("Pride 2027", EVENT + dt.timedelta(days=300),
                           EVENT + dt.timedelta(days=298), topic_code="lgbt-issues"),
        )  # fmt: skip
        (lesson,) = qt.similar_lessons(s, qt.get(s, later))
        assert lesson[0] == "Pride weekend safer streets operation"
        assert lesson[2] == "Ask the LGBT forum first"
        assert [x.title for x in qt.list_open(s)] == ["Pride 2027"]


def test_cli_runs_a_consultation(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    organisations(store)
    store.close()
    base = ["--data-dir", str(store.data_dir), "quicktime"]
    when, deadline = EVENT.isoformat(), (NOW + dt.timedelta(days=1)).isoformat()
    assert cli([*base, "new", "--what", "Dispersal order", "--when", when, "--deadline", deadline,
                "--where", "Kentish Town", "--critical-incident"]) == 1  # fmt: skip
    assert "gold group" in capsys.readouterr().err
    assert cli([*base, "new", "--what", "Dispersal order", "--when", when, "--deadline", deadline,
                "--topic", "lgbt-issues", "--affects", "lgbt"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    cid = out.split()[2].rstrip(":")
    assert "left)" in out
    assert cli([*base, "pick", cid, "--org", "Camden Central Mosque", "--role", "community"]) == 0
    out = capsys.readouterr().out
    assert "warning: Camden Central Mosque must not be consulted on LGBT issues" in out
    assert "warning: Nobody picked serves LGBT people" in out
    assert cli([*base, "pick", cid, "--name", "Traffic OCU", "--role", "police"]) == 0
    assert cli([*base, "set", cid, "--stage", "3", "level=pan-london",
                "event_profile=Second order this year"]) == 0  # fmt: skip
    assert cli([*base, "set", cid, "--stage", "4", "officer_hours=6",
                "adviser_compensation=£80"]) == 0  # fmt: skip
    assert cli([*base, "contact", cid, "Traffic OCU", "--channel", "email",
                "--note", "Sent the plan"]) == 0  # fmt: skip
    assert cli([*base, "advice", cid, "Traffic OCU", "--advice", "Close Leighton Rd",
                "--used", "--impact", "Closed 18:00-22:00", "--feedback-on",
                dt.date.today().isoformat()]) == 0  # fmt: skip
    assert cli([*base, "set", cid, "--stage", "4", "officer_hours=six"]) == 1
    assert "whole number" in capsys.readouterr().err
    assert cli([*base, "list"]) == 0
    assert "Dispersal order" in capsys.readouterr().out
    assert cli([*base, "show", cid]) == 0
    out = capsys.readouterr().out
    assert "Scope: Pan-London" in out and "Traffic OCU (Police department) advice acted on" in out
    assert "£80.00 adviser compensation" in out and "E-mail: Sent the plan" in out
    review = [*base, "review", cid, "--review", "Quiet night", "--lessons", "Book advisers"]
    assert cli(review) == 1  # the event is in three days
    assert "review it once it has happened" in capsys.readouterr().err
    monkeypatch.setattr(qt, "clock", lambda: EVENT + dt.timedelta(hours=12))
    assert cli(review) == 0
    capsys.readouterr()


def test_quick_time_consultations_travel_in_bundles(tmp_path: Path, store: Store) -> None:
    from ccodesk.sync.central import init_central, reference_bundle, trust_add
    from ccodesk.sync.central_merge import merge_bundle
    from ccodesk.sync.export import export_bundle

    ids = organisations(store)
    with store.transaction() as s:
        event = qt.CausalEvent(
            "Stop and search week", EVENT, NOW + dt.timedelta(days=1), affected_groups=["lgbt"]
        )
        cid = qt.create(s, event)
        qt.pick(s, cid, qt.Pick(ConsulteeRole.COMMUNITY, ids["lgbt"], reason="asked to"))
    central = init_central(tmp_path / "central", None, "MPA")
    trust_add(central, "camden", "Ada Officer", store.public_key_openssh())
    (tmp_path / "ref").write_bytes(reference_bundle(central))
    from ccodesk.sync.receive import import_bundle

    import_bundle(store, tmp_path / "ref", confirm_centre=lambda _fp: True)
    export_bundle(store, tmp_path / "b.ccbundle")
    assert merge_bundle(central, tmp_path / "b.ccbundle").ok
    with central.session() as s:
        merged = s.get(QuickTimeConsultation, cid)
        assert merged is not None and merged.title == "Stop and search week"
        assert [g.code for g in merged.affected_groups] == ["lgbt"]
        assert [c.name for c in merged.consultees] == ["Camden LGBT Forum"]
    central.close()
