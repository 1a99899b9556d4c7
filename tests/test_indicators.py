"""Performance indicators (issue 6) against a small store whose every figure is worked by hand.

The store (Camden, built through the services):

| engagement | kind, status | starts | attendance (total / not monitored) | groups counted |
|---|---|---|---|---|
| E1 | outreach, held | 10 Jul 2026 | 20 / 2 + 3 | refugees 12, faith 9 |
| E2 | PCCG, held | 5 Aug 2026 | 30 / 0 | older 10, faith 3, disabled 1 |
| E3 | focus group, held | 30 Sep 2026 | none recorded | |
| E4 | survey, cancelled | 1 Aug 2026 | | |
| E5 | outreach, planned | 20 Sep 2026 | | |
| E6 | PCCG, held | 1 Oct 2026 00:00 (Q4) | 40 | older 40 |
| E7 | PCCG, held | 30 Jun 2026 23:30 (Q2) | 8 / 0 | older 8 |
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from ccodesk.errors import ValidationError
from ccodesk.models import (
    CostCategory,
    Engagement,
    EngagementKind,
    EngagementStatus,
    FeedbackChannel,
    FeedbackGiven,
    OfficerRole,
    OrganisationType,
    OutcomeResult,
    TrustedKey,
)
from ccodesk.services import indicator_export as export
from ccodesk.services.baselines import current_baselines, set_baseline
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.services.indicators import (
    build_report,
    central_report,
    compute,
    devices_by_borough,
    is_community_place,
)
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.records import (
    add_cost,
    add_finding,
    add_officer_time,
    add_outcome,
    give_feedback,
    record_attendance,
)
from ccodesk.store import Store

Q3 = Period.parse("2026Q3")


def _engagement(
    s: Session,
    kind: EngagementKind,
    when: dt.datetime,
    status: EngagementStatus = EngagementStatus.HELD,
    **extra: Any,
) -> str:
    draft = EngagementDraft(kind=kind, title=f"{kind.label} {when:%d %b}", starts_at=when)
    draft.status = status
    for name, value in extra.items():
        setattr(draft, name, value)
    return save_engagement(s, draft).id


@pytest.fixture
def small(store: Store) -> dict[str, str]:
    """The store of the module docstring; returns the engagements' ids by name."""
    with store.transaction() as s:
        org_a = save_organisation(
            s, OrganisationDraft(name="Queen's Crescent TRA", org_type=OrganisationType.OTHER)
        ).id
        org_b = save_organisation(
            s, OrganisationDraft(name="Kentish Town Mosque", org_type=OrganisationType.FAITH_GROUP)
        ).id
        e1 = _engagement(
            s,
            EngagementKind.OUTREACH,
            dt.datetime(2026, 7, 10, 18),
            venue_name="Kentish Town Mosque, Community Room",
            target_groups=["refugees-asylum", "faith"],
            step_free=True,
            interpreters="Somali",
            partner_ids=[org_b],
        )
        e2 = _engagement(
            s,
            EngagementKind.PCCG_MEETING,
            dt.datetime(2026, 8, 5, 19),
            venue_name="Camden Town Hall, Council Chamber",
            target_groups=["older"],
            step_free=True,
            hearing_loop=True,
        )
        e3 = _engagement(
            s,
            EngagementKind.FOCUS_GROUP,
            dt.datetime(2026, 9, 30, 10),
            venue_name="Queen's Crescent Community Centre",
            target_groups=["children-young-people"],
            partner_ids=[org_a],
        )
        _engagement(
            s,
            EngagementKind.SURVEY,
            dt.datetime(2026, 8, 1),
            EngagementStatus.CANCELLED,
            partner_ids=[org_a],
        )
        _engagement(
            s,
            EngagementKind.OUTREACH,
            dt.datetime(2026, 9, 20),
            EngagementStatus.PLANNED,
            partner_ids=[org_a],
        )
        e6 = _engagement(s, EngagementKind.PCCG_MEETING, dt.datetime(2026, 10, 1, 0, 0))
        e7 = _engagement(s, EngagementKind.PCCG_MEETING, dt.datetime(2026, 6, 30, 23, 30))
        record_attendance(
            s,
            e1,
            total=20,
            prefer_not_to_say=2,
            not_asked=3,
            group_counts={"refugees-asylum": 12, "faith": 9},
        )
        record_attendance(s, e2, total=30, group_counts={"older": 10, "faith": 3, "disabled": 1})
        record_attendance(s, e6, total=40, group_counts={"older": 40})
        record_attendance(s, e7, total=8, group_counts={"older": 8})
        f1 = add_finding(s, e1, "Stop and search feels targeted").id
        f2 = add_finding(s, e1, "More patrols on the estate").id
        add_finding(s, e1, "Street lighting is poor")  # no outcome
        f4 = add_finding(s, e2, "Burglary worries older residents").id
        f5 = add_finding(s, e2, "Speeding on Prince of Wales Road").id
        add_outcome(s, f1, OutcomeResult.CHANGED_DECISION, decision="Briefing changed")
        add_outcome(s, f2, OutcomeResult.NOT_USED, explanation="No officers to spare")
        add_outcome(s, f4, OutcomeResult.INFORMED_DECISION, decision="Policing plan")
        add_outcome(s, f5, OutcomeResult.INFORMED_DECISION, decision="Road safety plan")
        add_outcome(s, f5, OutcomeResult.CHANGED_DECISION, decision="Speed checks")
        for day, engagement in ((30, e1), (20, e1)):  # 20 days, then a second letter
            give_feedback(
                s,
                "You said, we did",
                given_on=dt.date(2026, 7 if day == 30 else 8, day),
                channel=FeedbackChannel.LETTER,
                engagement_id=engagement,
            )
        s.add(  # a typo dated before the meeting, as an older ccodesk let through
            FeedbackGiven(
                engagement=s.get(Engagement, e2),
                text="A typo: before the meeting",
                given_on=dt.date(2026, 8, 1),
                channel=FeedbackChannel.EMAIL,
            )
        )
        give_feedback(
            s,
            "You said, we did",
            given_on=dt.date(2026, 9, 15),  # 41 days after 5 Aug
            channel=FeedbackChannel.MEETING,
            engagement_id=e2,
        )
        add_cost(s, e1, CostCategory.VENUE, 5000)
        add_cost(s, e2, CostCategory.INTERPRETER, 12000)
        add_cost(s, e6, CostCategory.VENUE, 99999)  # another quarter
        add_officer_time(s, e1, OfficerRole.CCO, 120, 2400)  # £48.00
        add_officer_time(s, e2, OfficerRole.BLO, 90, 2900)  # £43.50
    return {"e1": e1, "e2": e2, "e3": e3, "e6": e6, "e7": e7, "org_a": org_a, "org_b": org_b}


# -- periods ---------------------------------------------------------------------------------


def test_periods_parse_and_step() -> None:
    assert Period.parse("2026-11") == Period(2026, PeriodKind.MONTH, 11)
    assert Period.parse("2026Q3").start == dt.date(2026, 7, 1)
    assert Period.parse("q3 2026").end == dt.date(2026, 10, 1)
    assert Period.parse("2026").end == dt.date(2027, 1, 1)
    assert Period.parse("2026-01").previous().label == "2025-12"
    assert Period.parse("2026Q1").previous().label == "2025Q4"
    assert Period.parse("2026").previous().label == "2025"
    assert Period.parse("2026Q4").next().label == "2027Q1"
    assert Period.containing(PeriodKind.MONTH, dt.date(2026, 2, 28)).long_label == "February 2026"
    assert Q3.long_label == "Q3 2026 (July to September)"
    for bad in ("2026-13", "2026Q5", "2026Q0", "26Q3", "Q3", "", "2026-11-01"):
        with pytest.raises(ValidationError, match="is not a period"):
            Period.parse(bad)


# -- every indicator, by hand ----------------------------------------------------------------


def test_every_indicator_matches_the_hand_computed_figures(
    store: Store, small: dict[str, str]
) -> None:
    with store.session() as s:
        ind = compute(s, Q3, fatigue_threshold=1)
    p = ind.participation
    assert (p.held, p.attendees, p.outreach) == (3, 50, 1)  # E1–E3; not E4, E5, E6, E7
    assert p.outreach_share == pytest.approx(1 / 3)
    kinds = {line.code: (line.engagements, line.attendees) for line in p.by_kind}
    assert kinds["outreach"] == (1, 20) and kinds["pccg_meeting"] == (1, 30)
    assert kinds["focus_group"] == (1, 0) and kinds["survey"] == (0, 0)
    assert len(p.by_kind) == len(EngagementKind)
    methods = {line.code: (line.engagements, line.attendees) for line in p.by_method}
    assert methods["group-meeting"] == (1, 20) and methods["public-meeting"] == (1, 30)

    r = ind.representation
    assert (r.attendees, r.monitored) == (50, 45)  # 20 − 2 − 3 + 30
    groups = {g.code: g for g in r.groups}
    assert r.groups[0].code == "children-young-people"  # the strategy's order
    refugees, faith, older = groups["refugees-asylum"], groups["faith"], groups["older"]
    assert (refugees.targeted, refugees.reached, refugees.attendees) == (1, 1, 12)
    assert (faith.targeted, faith.reached, faith.attendees) == (1, 2, 12)
    assert (older.targeted, older.reached, older.attendees) == (1, 1, 10)
    assert faith.share == pytest.approx(12 / 45) and older.share == pytest.approx(10 / 45)
    assert (groups["disabled"].targeted, groups["disabled"].reached) == (0, 1)
    children = groups["children-young-people"]
    assert (children.targeted, children.reached, children.attendees, children.share) == (1, 0, 0, 0)

    i = ind.information
    assert (i.findings, i.with_outcome, i.changed) == (5, 4, 2)
    assert (i.outcome_share, i.changed_share) == (0.8, 0.5)

    f = ind.feedback
    # E1: first feedback after 20 days; E2: 41 days (the e-mail dated before it is ignored)
    assert (f.held, f.within, f.fed_back, f.median_days) == (3, 1, 2, 30.5)
    assert f.within_share == pytest.approx(1 / 3)

    k = ind.inclusivity
    assert k.methods_used == 3
    assert (k.community_venues, k.at_community_venues) == (2, 2)  # not the Town Hall
    assert dict(k.access) == {
        "step-free": 2,
        "hearing loop": 1,
        "BSL": 0,
        "interpreters": 1,
        "childcare": 0,
        "daytime": 0,
    }

    c = ind.cost
    assert (c.direct_pence, c.officer_pence, c.total_pence) == (17000, 9150, 26150)
    assert c.per_engagement_pence == pytest.approx(26150 / 3)
    assert c.per_participant_pence == pytest.approx(523.0)

    fat = ind.fatigue
    # org A: the focus group and the planned outreach (the cancelled survey does not count)
    assert (fat.threshold, fat.consulted) == (1, 2)
    assert [(t.name, t.consultations) for t in fat.tired] == [("Queen's Crescent TRA", 2)]
    with store.session() as s:
        assert compute(s, Q3, fatigue_threshold=2).fatigue.tired == ()


def test_the_reports_page_words_the_hand_computed_figures(
    store: Store, small: dict[str, str]
) -> None:
    from ccodesk.services.indicator_presenter import page_view
    from ccodesk.services.indicator_results import IndicatorReport

    with store.session() as s:
        now = compute(s, Q3, fatigue_threshold=1)
        before = compute(s, Q3.previous(), fatigue_threshold=1)
    report = IndicatorReport(Q3, "Camden", now, before)
    texts = {field.key: field.text for field in page_view(report).fields}
    assert texts["held"] == "3 (previous: 1)"
    assert texts["attendees"] == "50 (previous: 8)"
    assert texts["outreach"] == "1 = 33.3% of those held (previous: 0.0%)"
    assert texts["monitored"] == "45 of 50"
    assert texts["unreached"].startswith("Children and young people, ")
    assert texts["with_outcome"] == "4 = 80.0% (previous: –)"  # nothing to share of before
    assert texts["changed"] == "2 = 50.0% (previous: –)"
    assert texts["within"] == "1 of 3 held = 33.3% (previous: 0.0%)"
    assert texts["median"] == "30.5 (2 engagements have had feedback so far)"
    assert texts["methods"].startswith("3 of 10 (not used: Surveys and questionnaires; ")
    assert texts["venues"] == "2 venues, 2 engagements = 66.7% of those held"
    assert texts["access"] == (
        "step-free 2, hearing loop 1, BSL 0,\ninterpreters 1, childcare 0, daytime 0"
    )
    assert texts["cost_total"] == "£261.50 = £170.00 + £91.50"
    assert texts["per_engagement"] == "£87.17 (previous: £0.00)"
    assert texts["per_participant"] == "£5.23 (previous: £0.00)"
    assert texts["tired"] == "1 of 2 organisations consulted more than 1 time"
    # as exported: the 8 attendees before are a small count, the cost per participant
    # before is worked out from it
    sent = {field.key: field.text for field in page_view(report, for_export=True).fields}
    assert sent["attendees"] == "50 (previous: <10)"
    assert sent["per_participant"] == "£5.23 (previous: suppressed)"
    assert sent["held"] == texts["held"]  # engagements are not people: never withheld


def test_the_reports_page_names_each_figure_as_the_exports_do(
    store: Store, small: dict[str, str]
) -> None:
    from ccodesk.services.indicator_presenter import UNREACHED, page_layout, page_view

    with store.session() as s:
        report = build_report(s, Q3, area="Camden", borough_code="camden", fatigue_threshold=1)
    measures = {row.measure for row in export.report_rows(report)}
    labels = [label for _family, fields in page_layout(1) for _key, label in fields]
    assert [label for label in labels if label not in measures] == [UNREACHED]
    assert [field.label for field in page_view(report).fields] == labels
    families = [family for family, _fields in page_layout(1)]
    assert families == list(dict.fromkeys(row.family for row in export.report_rows(report)))


def test_deleted_rows_do_not_count(store: Store, small: dict[str, str]) -> None:
    from ccodesk.services.engagements import delete_engagement

    with store.transaction() as s:
        delete_engagement(s, small["e2"])
    with store.session() as s:
        ind = compute(s, Q3)
    assert (ind.participation.held, ind.participation.attendees) == (2, 20)
    assert ind.information.findings == 3 and ind.feedback.fed_back == 1
    assert ind.cost.direct_pence == 5000


def test_an_empty_period_is_zeros_and_no_shares(store: Store, small: dict[str, str]) -> None:
    with store.session() as s:
        report = build_report(s, Period.parse("2025Q1"), area="Camden", borough_code="camden")
    ind = report.current
    assert ind.participation.held == 0 and ind.participation.outreach_share is None
    assert all(g.share is None and g.reached == 0 for g in ind.representation.groups)
    assert ind.information.outcome_share is None and ind.feedback.median_days is None
    assert ind.cost.per_engagement_pence is None and ind.inclusivity.methods == ()
    text = export.render_text([report])
    assert "Engagements held" in text and "–" in text


def test_previous_period_and_baseline(store: Store, small: dict[str, str]) -> None:
    with store.transaction() as s:
        set_baseline(s, "camden", "older", 16.0, source="Census 2021", as_of=dt.date(2021, 3, 21))
        set_baseline(s, "camden", "older", 17.5, source="GLA 2023", as_of=dt.date(2023, 6, 1))
        set_baseline(s, "camden", "older", 12.0, source="Old", as_of=dt.date(2022, 1, 1))
        set_baseline(s, "islington", "older", 9.0, source="Not ours", as_of=dt.date(2024, 1, 1))
    with store.session() as s:
        assert current_baselines(s, "camden")["older"].source == "GLA 2023"  # newest as_of
        report = build_report(s, Q3, area="Camden", borough_code="camden")
    assert report.previous.participation.held == 1  # E7, at 23:30 on 30 June
    before = {g.code: g for g in report.previous.representation.groups}
    assert before["older"].share == 1.0 and report.previous.representation.monitored == 8
    rows = {(r.measure, r.group): r for r in export.report_rows(report)}
    older = rows[("Share of monitored attendance", "Older people")]
    assert (older.value, older.previous, older.baseline) == (pytest.approx(10 / 45), 1.0, 0.175)
    assert rows[("Share of monitored attendance", "Faith groups")].baseline is None
    assert rows[("Engagements held", "")].previous == 1


def test_baselines_are_checked(store: Store) -> None:
    with store.transaction() as s:
        for group, percent, source, problem in (
            ("nobody", 5, "x", "unknown priority group 'nobody'"),
            ("older", 100.5, "x", "between 0 and 100"),
            ("older", -1, "x", "between 0 and 100"),
            ("older", 5, " ", "say where the share comes from"),
        ):
            with pytest.raises(ValidationError, match=problem):
                set_baseline(s, "camden", group, percent, source=source, as_of=dt.date.today())
        assert current_baselines(s, "camden") == {}
        warnings = set_baseline(s, "camden", "faith", 62, source="c", as_of=dt.date(2021, 1, 1))
        assert warnings.warnings == []
        saved = set_baseline(s, "camden", "minority-ethnic", 45, source="c", as_of=dt.date.today())
        assert "add up to 107%" in saved.warnings[0]  # allowed: the groups overlap


# -- suppression and files -------------------------------------------------------------------


def test_small_counts_are_suppressed_for_export_only(store: Store, small: dict[str, str]) -> None:
    with store.session() as s:
        report = build_report(s, Q3, area="Camden", borough_code="camden")
    shown = {(r.measure, r.group): r for r in export.report_rows(report)}
    sent = {(r.measure, r.group): r for r in export.report_rows(report, for_export=True)}
    disabled = ("Monitored attendees in the group", "Disabled people")
    assert shown[disabled].value == 1 and sent[disabled].value == "<10"
    share = ("Share of monitored attendance", "Disabled people")
    assert sent[share].value == "suppressed"  # 1/45 would give the 1 back
    older = ("Monitored attendees in the group", "Older people")
    # 10 now, 8 before; the 10 is withheld too: the year's 58 less Q3's 10 and Q4's 40 would
    # give Q2's 8 back (complementary suppression, docs/indicators.md "Small numbers")
    assert shown[older].value == 10
    assert sent[older].value == "suppressed" and sent[older].previous == "<10"
    older_share = ("Share of monitored attendance", "Older people")
    assert sent[older_share].value == "suppressed"  # 10/45 × 45 would give the 10 back
    assert sent[older_share].previous == "suppressed"
    faith_share = ("Share of monitored attendance", "Faith groups")
    assert sent[faith_share].value == pytest.approx(12 / 45)
    assert sent[("Attendees monitored", "")].value == 45
    assert sent[("Attendees monitored", "")].previous == "<10"
    assert sent[("Attendees by kind", "Focus group")].value == 0  # nobody: zeros are published
    assert sent[("Cost per participant", "")].previous == "suppressed"  # 8 participants
    assert sent[("Cost per participant", "")].value == pytest.approx(5.23)
    # counts of engagements, findings and organisations are not about people: never hidden
    assert sent[("Engagements held", "")].previous == 1
    assert sent[("Findings with an outcome", "")].value == 4
    assert sent[("Engagements that targeted the group", "Older people")].value == 1
    small_people = [
        r
        for r in sent.values()
        if isinstance(r.value, int) and 0 < r.value < 10 and "ttendees" in r.measure
    ]
    assert small_people == []


def test_csv_holds_every_figure_suppressed(
    store: Store, small: dict[str, str], tmp_path: Path
) -> None:
    with store.session() as s:
        report = build_report(s, Q3, area="Camden", borough_code="camden")
    path = export.write_csv(tmp_path / "out" / "q3.csv", [report])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets then read UTF-8 (and £)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(export.HEADER)
    assert len(rows) == len(export.report_rows(report))
    by = {(r["measure"], r["group"]): r for r in rows}
    assert by[("Engagements held", "")] == {
        "area": "Camden",
        "period": "2026Q3",
        "indicator": "Participation",
        "measure": "Engagements held",
        "group": "",
        "unit": "count",
        "value": "3",
        "previous": "1",
        "baseline": "",
    }
    faith = by[("Share of monitored attendance", "Faith groups")]
    assert (faith["unit"], faith["value"], faith["previous"]) == ("percent", "26.67", "suppressed")
    assert by[("Monitored attendees in the group", "Disabled people")]["value"] == "<10"
    assert by[("Total cost", "")]["value"] == "261.5"
    assert by[("Median days to first feedback", "")]["value"] == "30.5"
    assert not list(tmp_path.joinpath("out").glob(".*.tmp"))  # written atomically


def _xlsx_cells(path: Path) -> tuple[list[list[tuple[str, str | None, str]]], dict[int, str]]:
    """The first sheet's cells as (type, style, text), read with the standard library only."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            strings = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in strings]
    formats = {1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}  # built in
    formats |= {
        int(f.get("numFmtId", 0)): f.get("formatCode", "")
        for f in styles.iter()
        if f.tag.endswith("numFmt")
    }
    xfs = styles.find("m:cellXfs", ns)
    assert xfs is not None
    style_format = {i: formats.get(int(xf.get("numFmtId", 0)), "") for i, xf in enumerate(xfs)}
    assert sheet.find(".//m:pane[@state='frozen'][@ySplit='1']", ns) is not None
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = []
        for c in row:
            kind = c.get("t", "n")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t"))
            elif kind == "s":
                text = shared[int(c.findtext("m:v", "", ns))]
            else:
                text = c.findtext("m:v", "", ns)
            cells.append((c.get("r", ""), kind, text, style_format.get(int(c.get("s", 0)), "")))
        rows.append(cells)
    return rows, style_format  # type: ignore[return-value]


def test_xlsx_reads_back_with_numbers_as_numbers(
    store: Store, small: dict[str, str], tmp_path: Path
) -> None:
    with store.session() as s:
        report = build_report(s, Q3, area="Camden", borough_code="camden")
    path = export.write_xlsx(tmp_path / "q3.xlsx", [report])
    rows, _styles = _xlsx_cells(path)
    header = [text for _ref, _kind, text, _fmt in rows[0]]
    assert header == [h.capitalize() for h in export.HEADER]
    by = {}
    for cells in rows[1:]:
        cols = {re.sub(r"\d", "", ref): (kind, text, fmt) for ref, kind, text, fmt in cells}
        by[(cols["D"][1], cols.get("E", ("", "", ""))[1])] = cols
    held = by[("Engagements held", "")]
    assert held["G"] == ("n", "3", "#,##0") and held["H"][:2] == ("n", "1")
    faith = by[("Share of monitored attendance", "Faith groups")]
    assert faith["G"][0] == "n" and float(faith["G"][1]) == pytest.approx(12 / 45)
    assert faith["G"][2] == "0.0%"
    total = by[("Total cost", "")]
    assert total["G"][0] == "n" and float(total["G"][1]) == 261.5 and "£" in total["G"][2]
    disabled = by[("Monitored attendees in the group", "Disabled people")]
    assert disabled["G"][0] in ("s", "inlineStr", "str") and disabled["G"][1] == "<10"
    assert len(rows) == 1 + len(export.report_rows(report))


# -- scopes: a borough's devices, and the central report ------------------------------------


def test_central_report_folds_devices_into_boroughs(store: Store, small: dict[str, str]) -> None:
    with store.transaction() as s:
        # E2 as if merged from an Islington device
        s.execute(
            update(Engagement).where(Engagement.id == small["e2"]).values(origin_device="isl-1")
        )
        for code, device in (("camden", store.device_id), ("islington", "isl-1")):
            s.add(
                TrustedKey(
                    fingerprint=f"SHA256:{code}",
                    public_key="ssh-ed25519 AAAA",
                    role="device",
                    borough_code=code,
                    device_id=device,
                    added_at=dt.datetime(2026, 1, 1),
                )
            )
        set_baseline(s, "islington", "older", 11, source="Census", as_of=dt.date(2021, 3, 21))
    with store.session() as s:
        assert devices_by_borough(s) == {"camden": {store.device_id}, "islington": {"isl-1"}}
        report = central_report(s, Q3)
        only_camden = compute(s, Q3, devices={store.device_id})
    assert report.london.area == "London" and report.london.current.participation.held == 3
    assert list(report.boroughs) == ["camden", "islington"]
    camden, islington = report.boroughs["camden"], report.boroughs["islington"]
    assert camden.area == "Camden" and camden.current == only_camden
    assert (camden.current.participation.held, islington.current.participation.held) == (2, 1)
    assert islington.current.representation.monitored == 30
    assert islington.current.information.changed == 1  # F5
    assert islington.baselines["older"].share_percent == 11 and camden.baselines == {}
    assert camden.previous.participation.held == 1  # E7
    lines = export.csv_text([report.london, *report.boroughs.values()]).splitlines()
    assert {line.split(",")[0] for line in lines[1:]} == {"London", "Camden", "Islington"}


def test_community_places_are_told_by_the_venue_name() -> None:
    for venue in (
        "Kentish Town Mosque, Community Room",
        "St Mary's Church Hall",
        "Somali Community Association Hall",
        "Regent's Park Estate Community Room",
        "Hackney Wick Tenants' Hall",
        "Dalston Gurdwara, Langar Hall",
    ):
        assert is_community_place(venue), venue
    for venue in (
        "Camden Town Hall, Council Chamber",
        "Holborn Police Station, Community Room",
        "Kilburn Library",
        "Hackney Civic Centre, Meeting Room 1",
        "",
    ):
        assert not is_community_place(venue), venue


# -- the command line ------------------------------------------------------------------------


def _cli(store: Store, *args: str) -> int:
    from ccodesk.cli.borough import main

    return main(["--data-dir", str(store.data_dir), "report", *args])


def test_cli_report_text_csv_xlsx_and_baselines(
    store: Store, small: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(store, "baseline", "set", "older", "17.5%", "--source", "GLA 2023") == 0
    assert "Baseline for older: 17.5% (GLA 2023)." in capsys.readouterr().out
    assert _cli(store, "baseline", "list") == 0
    listed = capsys.readouterr().out
    assert re.search(r"older\s+17.5%\s+\d{4}-\d\d-\d\d\s+GLA 2023", listed)
    assert "(none entered)" in listed

    assert _cli(store, "--period", "2026Q3") == 0
    text = capsys.readouterr().out
    assert text.startswith("Performance indicators: Camden, Q3 2026 (July to September)")
    assert re.search(r"Engagements held\s+3\s+1", text)
    assert re.search(r"Share of monitored attendance: Older people\s+22.2%\s+100.0%\s+17.5%", text)
    assert re.search(r"Monitored attendees in the group: Disabled people\s+1 ", text)

    assert _cli(store, "--period", "2026Q3", "--format", "csv") == 0
    assert "Disabled people,count,<10," in capsys.readouterr().out

    out = tmp_path / "q3.xlsx"
    assert _cli(store, "--period", "2026Q3", "-o", str(out)) == 0  # the format from the name
    assert zipfile.is_zipfile(out)
    assert "(XLSX, counts of people under 10 suppressed)" in capsys.readouterr().out
    assert (
        _cli(store, "--period", "2026Q3", "--format", "text", "-o", str(tmp_path / "q3.txt")) == 0
    )
    written = (tmp_path / "q3.txt").read_text()  # a file leaves the device: suppressed
    assert re.search(r"Monitored attendees in the group: Disabled people\s+<10 ", written)


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--period", "2026Q5", "-o", "{tmp}/r.csv"], "'2026Q5' is not a period", 1),
        (["--period", "2026Q3", "-o", "{tmp}"], "Could not write", 1),
        (["baseline", "set", "older", "120", "--source", "x"], "between 0 and 100", 1),
        (["baseline", "set", "elderly", "12", "--source", "x"], "unknown priority group", 1),
        (["--period", "2026Q3", "--format", "xlsx"], "needs -o FILE", 2),
        (["baseline", "set", "older", "lots", "--source", "x"], "not a percentage", 2),
    ],
)
def test_cli_errors_are_one_line_and_write_nothing(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
    code: int,
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    before = sorted(tmp_path.rglob("*"))
    try:
        result = _cli(store, *args)
    except SystemExit as exit_:  # argparse's usage errors
        result = int(exit_.code or 0)
    assert result == code
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[-1]
    assert sorted(tmp_path.rglob("*")) == before
    with store.session() as s:
        assert current_baselines(s, "camden") == {}


def test_recorded_community_venue_decides_over_the_name(store: Store) -> None:
    """The editor's "In the community's own place" box decides; the name only when unrecorded."""
    import datetime as dt

    from ccodesk.models import EngagementKind, EngagementStatus
    from ccodesk.services.engagements import EngagementDraft, save_engagement
    from ccodesk.services.indicators import build_report
    from ccodesk.services.periods import Period

    when = dt.datetime(2026, 8, 4, 18, 0)
    with store.transaction() as s:
        for title, venue, recorded in (
            ("A", "Kentish Town Library", True),  # a name the rule would not count
            ("B", "Regent's Park Estate Community Hall", False),  # ticked off: not counted
            ("C", "St Pancras Church Hall", None),  # nothing recorded: the name decides
        ):
            save_engagement(
                s,
                EngagementDraft(
                    kind=EngagementKind.OUTREACH,
                    title=title,
                    starts_at=when,
                    status=EngagementStatus.HELD,
                    venue_name=venue,
                    community_venue=recorded,
                ),
            )
        report = build_report(s, Period.parse("2026Q3"), area="Camden", borough_code="camden")
    k = report.current.inclusivity
    assert (k.held, k.community_venues, k.at_community_venues) == (3, 2, 2)
