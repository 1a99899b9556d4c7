"""Printed documents, read back with independent tools (poppler: pdftotext, pdffonts, pdfinfo,
pdftoppm); form codes; keying returned forms; and `ccodesk-cli print`."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
from pathlib import Path

import pytest

from ccodesk.errors import NotFound, ValidationError
from ccodesk.models import (
    ActionStatus,
    DecisionKind,
    EngagementKind,
    EngagementStatus,
    Organisation,
    OrganisationType,
    OutcomeResult,
)
from ccodesk.printing import codes, documents, quarterly
from ccodesk.printing.codes import FormKind, form_code, parse_code
from ccodesk.printing.questionnaire import EQUALITY_QUESTIONS
from ccodesk.resource_files import load_json
from ccodesk.services import pack_content as content
from ccodesk.services import records
from ccodesk.services import returned_forms as returns
from ccodesk.services.engagements import EngagementDraft, get_engagement, save_engagement
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.quarterly_return import return_content
from ccodesk.store import Store

NAMES = {
    "cco": "Zofia Wiśniewska-Łukasiewicz",  # Polish
    "blo": "Şükrü Öztürk",  # Turkish
    "cso": "Γιώργος Παπαδόπουλος",  # Greek
    "partner": "Общество «Дружба» Хакни",  # Cyrillic
}
START = dt.datetime(2027, 2, 4, 18, 30)


# -- poppler ---------------------------------------------------------------------------------


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return " ".join(_run("pdftotext", "-layout", *pages, path, "-").split())


def page_count(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", path), re.M)[1])  # type: ignore[index]


def fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded?) for every font the PDF uses."""
    rows = _run("pdffonts", path).splitlines()[2:]
    return [
        (
            row.split()[0],
            row[row.index(" yes ") + 1 : row.index(" yes ") + 4] if " yes " in row else "no",
        )
        for row in rows
    ]


def word_heights(path: Path) -> list[float]:
    html = _run("pdftotext", "-bbox", path, "-")
    return [
        float(m["y2"]) - float(m["y1"])
        for m in re.finditer(
            r'<word xMin="[\d.]+" yMin="(?P<y1>[\d.]+)" xMax="[\d.]+" yMax="(?P<y2>[\d.]+)">', html
        )
    ]


def render_first_page(path: Path, out: Path) -> Path:
    _run("pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", path, out)
    png = out.with_suffix(".png")
    assert png.stat().st_size > 2000
    return png


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- a meeting with a history ----------------------------------------------------------------


def _meeting(store: Store, *, actions: int = 3) -> tuple[str, str]:
    """A PCCG meeting with organisers named in four alphabets, and a previous one with
    `actions` actions and a finding that changed a decision. Returns (meeting, previous)."""
    with store.transaction() as s:
        partner = Organisation(name=NAMES["partner"], org_type=OrganisationType.COMMUNITY_GROUP)
        s.add(partner)
        s.flush()
        common = dict(
            kind=EngagementKind.PCCG_MEETING,
            borough_code="camden",
            venue_name="Ośrodek Kultury Polskiej",
            venue_address="12 Eversholt Street, London NW1 1DN",
            step_free=True,
            bsl=True,
            interpreters="Polish",
            cco_name=NAMES["cco"],
            blo_name=NAMES["blo"],
            cso_name=NAMES["cso"],
            partner_ids=[partner.id],
            target_groups=["older", "refugees-asylum"],
            topics=["burglary"],
            informs=DecisionKind.POLICING_PLAN,
            informs_detail="2027/28 borough priorities",
        )
        before = save_engagement(
            s,
            EngagementDraft(
                title="Camden PCCG: December",
                starts_at=START - dt.timedelta(days=120),  # held: in the past
                ends_at=START - dt.timedelta(days=120, hours=-2),
                status=EngagementStatus.HELD,
                **common,  # type: ignore[arg-type]
            ),
        ).id
        meeting = save_engagement(
            s,
            EngagementDraft(
                title="Camden PCCG: burglary in Somers Town",
                starts_at=START,
                ends_at=START + dt.timedelta(hours=2),
                status=EngagementStatus.CONFIRMED,
                **common,  # type: ignore[arg-type]
            ),
        ).id
        finding = records.add_finding(s, before, "Residents said the alley lights are out").id
        records.add_outcome(
            s, finding, OutcomeResult.CHANGED_DECISION, decision="Council relit the alley"
        )
        for n in range(actions):
            action = records.add_action(
                s,
                f"Action {n:03d}: visit block {n} with Ireneusz Żółkiewski",
                engagement_id=before,
                owner=NAMES["blo"],
                due_on=START.date() - dt.timedelta(days=30 - n % 20),
            ).id
            if n % 3 == 0:
                records.set_action_status(s, action, ActionStatus.DONE, START.date())
    return meeting, before


@pytest.fixture
def meeting(store: Store) -> str:
    return _meeting(store)[0]


def held_yesterday(store: Store, meeting: str) -> None:
    """Forms come back after the meeting (attendance cannot be kept for a future one)."""
    with store.transaction() as s:
        get_engagement(s, meeting).starts_at = dt.datetime.now() - dt.timedelta(days=1)


# -- form codes ------------------------------------------------------------------------------


def test_form_codes_round_trip_and_name_the_engagement() -> None:
    eid = "3f2a9c1d-0000-4000-8000-000000000000"
    code = form_code(FormKind.EQUALITY, eid)
    assert re.fullmatch(r"E[2-9A-Z]{3}-[2-9A-Z]{4}", code)
    assert not set(code) & set("01ILOU")
    parsed = parse_code(code.lower().replace("-", " ") + " / 12")
    assert (parsed.code, parsed.kind, parsed.id_prefix, parsed.sheet) == (
        code,
        FormKind.EQUALITY,
        "3f2a9c1",
        12,
    )
    blank = parse_code(form_code(FormKind.FEEDBACK, None))
    assert blank.kind == FormKind.FEEDBACK and blank.id_prefix is None
    assert form_code(FormKind.SIGN_IN, eid) != form_code(FormKind.FEEDBACK, eid)


def test_every_single_typo_and_swap_is_rejected() -> None:
    code = form_code(FormKind.EQUALITY, "a681e6da-1111-4111-8111-111111111111").replace("-", "")
    caught = 0
    for position, char in itertools.product(range(8), codes.ALPHABET):
        typo = code[:position] + char + code[position + 1 :]
        if typo == code:
            continue
        with pytest.raises(ValidationError):
            parse_code(typo)
        caught += 1
    assert caught == 8 * (len(codes.ALPHABET) - 1)
    for i in range(7):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        if swapped != code:
            with pytest.raises(ValidationError):
                parse_code(swapped)
    for bad in ("EK4Q-7MX", "EK4Q-7MXOO", "EK4Q-7M0X", "ZZZZ-ZZZZ"):
        with pytest.raises(ValidationError):
            parse_code(bad)


def test_the_equality_form_covers_the_eight_groups_with_prefer_not_to_say() -> None:
    groups = {g["code"] for g in load_json("reference", "priority_groups.json")}
    covered = {o.group_code for q in EQUALITY_QUESTIONS for o in q.options if o.group_code}
    assert covered == groups and len(groups) == 8
    for question in EQUALITY_QUESTIONS:
        assert question.options[-1].label == "Prefer not to say", question.key


# -- documents -------------------------------------------------------------------------------


def test_meeting_pack_prints_what_the_meeting_needs(
    store: Store, meeting: str, tmp_path: Path
) -> None:
    with store.session() as s:
        pack = content.pack_content(s, meeting)
    path = write(tmp_path, "pack.pdf", documents.pack_pdf(pack))
    text = pdf_text(path)
    for expected in (
        "Camden PCCG: burglary in Somers Town",
        "Thursday 4 February 2027, 18:30 to 20:30",
        "Ośrodek Kultury Polskiej, 12 Eversholt Street, London NW1 1DN",
        "Step-free, BSL, interpreters (Polish)",
        *NAMES.values(),
        "Policing plan: 2027/28 borough priorities",
        "Older people, Refugees and asylum seekers",
        "Agenda",
        "Action 000: visit block 0 with Ireneusz Żółkiewski",
        "Action 002",
        "Done",
        "Open",
        "Residents said the alley lights are out",
        "Changed the decision: Council relit the alley",
        "Attendance sign-in sheet",
        "Contact me again",
        "Equality monitoring form",
        "Feedback form",
    ):
        assert expected in text, expected
    # one per question, and once in the note on how answers are used
    assert text.count("Prefer not to say") == len(EQUALITY_QUESTIONS) + 1
    count = page_count(path)
    assert 5 <= count <= 8
    pack_code = form_code(FormKind.PACK, meeting)
    for page in range(1, count + 1):
        assert f"Page {page} of {count}" in pdf_text(path, page)
        assert re.search(r"Form [PSEF][2-9A-Z]{3}-[2-9A-Z]{4}", pdf_text(path, page))
    assert f"Form {pack_code}" in pdf_text(path, 1)
    last = pdf_text(path, count)
    assert "Feedback form" in last and f"Form {form_code(FormKind.FEEDBACK, meeting)}" in last
    assert fonts(path) and all(embedded == "yes" for _name, embedded in fonts(path))
    assert {name.split("+")[-1] for name, _ in fonts(path)} == {"DejaVuSans", "DejaVuSans-Bold"}
    render_first_page(path, tmp_path / "pack")


def test_a_pack_with_200_actions_paginates_with_repeated_headers(
    store: Store, tmp_path: Path
) -> None:
    meeting, _before = _meeting(store, actions=200)
    with store.session() as s:
        pack = content.pack_content(s, meeting)
    assert len(pack.actions) == 200
    path = write(tmp_path, "pack.pdf", documents.pack_pdf(pack))
    count = page_count(path)
    assert count >= 9
    text = pdf_text(path)
    assert all(f"Action {n:03d}:" in text for n in range(200))
    log_pages = [p for p in range(1, count + 1) if "Action 1" in pdf_text(path, p)]
    assert len(log_pages) >= 4
    for page in log_pages:  # the header row repeats on every page of the log
        assert "Meeting Action Owner Due Status" in pdf_text(path, page), page


def test_blank_and_large_print_forms(store: Store, meeting: str, tmp_path: Path) -> None:
    with store.session() as s:
        summary = content.engagement_summary(s, meeting)
    for kind in documents.FORM_KINDS:
        blank = write(tmp_path, f"{kind.name}.pdf", documents.form_pdf(kind, None))
        assert page_count(blank) == 1, kind
        text = pdf_text(blank)
        assert kind.label in text and "Meeting or event:" in text
        assert f"Form {form_code(kind, None)}" in text
        assert all(embedded == "yes" for _n, embedded in fonts(blank))
        standard_heights = word_heights(blank)
        assert min(standard_heights) < 14  # small print exists in the standard form
        large = write(
            tmp_path, f"{kind.name}-large.pdf", documents.form_pdf(kind, summary, large_print=True)
        )
        text = pdf_text(large)
        assert "Camden PCCG: burglary in Somers Town" in text
        assert f"Form {form_code(kind, meeting)}" in text
        # every word at least 16 pt (poppler's word box is the font size high)
        assert min(word_heights(large)) >= 15.99, kind
        render_first_page(large, tmp_path / f"{kind.name}-large")
    equality = pdf_text(tmp_path / "EQUALITY.pdf")
    assert "anonymous" in equality and "shredded" in equality
    assert equality.count("Prefer not to say") == len(EQUALITY_QUESTIONS) + 1


def test_numbered_copies_carry_sheet_numbers(meeting: str, store: Store, tmp_path: Path) -> None:
    with store.session() as s:
        summary = content.engagement_summary(s, meeting)
    path = write(tmp_path, "f.pdf", documents.form_pdf(FormKind.FEEDBACK, summary, copies=3))
    assert page_count(path) == 3
    code = form_code(FormKind.FEEDBACK, meeting)
    for sheet in (1, 2, 3):
        assert f"Form {code} · sheet {sheet}" in pdf_text(path, sheet)


def test_quarterly_return_with_charts(demo_store: Store, tmp_path: Path) -> None:
    quarter = Period.parse_quarter("2026Q3")
    with demo_store.session() as s:
        data = return_content(s, demo_store.borough_code, quarter)
    assert data.held > 20 and data.attendees > 0 and data.changed and data.costs
    path = write(tmp_path, "return.pdf", quarterly.return_pdf(data))
    text = pdf_text(path)
    assert "Hackney: consultation return" in text
    assert "Q3 2026 (1 July to 30 September 2026)" in text
    for group in load_json("reference", "priority_groups.json"):
        # once in the table, once on the chart's axis (charts are drawn in the PDF, as text)
        assert text.count(group["name"]) >= 2, group["name"]
    assert "2026Q2" in text and "Officer time" in text and "£" in text
    assert data.changed[0].decision[:20] in text  # the cell wraps after that
    assert all(embedded == "yes" for _n, embedded in fonts(path))
    assert 2 <= page_count(path) <= 20
    render_first_page(path, tmp_path / "return")


@pytest.mark.parametrize("text", ["2026Q5", "2026", "Q0 2026", "26Q1", "next quarter"])
def test_bad_quarters_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="not a quarter"):
        Period.parse_quarter(text)


def test_quarters_parse() -> None:
    assert Period.parse_quarter(" q1 2027 ") == Period(2027, PeriodKind.QUARTER, 1)
    q = Period.parse_quarter("2026q4")
    assert (q.start, q.end, q.previous().label) == (
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
        "2026Q3",
    )


# -- keying returned forms -------------------------------------------------------------------


def test_keying_returned_forms_changes_the_counts(store: Store, meeting: str) -> None:
    held_yesterday(store, meeting)
    code = form_code(FormKind.EQUALITY, meeting)
    with store.transaction() as s:
        target = returns.resolve_code(s, f"{code}/1")
        assert target.engagement is not None and target.engagement.id == meeting
        returns.key_equality_form(
            s, meeting, {"age": "60_over", "faith": "yes", "lgbt": "no"}, code=code, sheet=1
        )
        returns.key_equality_form(
            s,
            meeting,
            {"age": "prefer_not_to_say", "faith": "prefer_not_to_say"},
            code=code,
            sheet=2,
        )
        returns.key_equality_form(s, meeting, {}, code=code, sheet=3)  # handed back blank
        returns.key_sign_in_sheet(
            s, meeting, 12, code=form_code(FormKind.SIGN_IN, meeting), sheet=None, consented=4
        )
        returns.key_feedback_form(
            s,
            meeting,
            {"concern": "Bikes stolen from the estate", "suggestion": "Secure bike sheds"},
            code=form_code(FormKind.FEEDBACK, meeting),
            topic_code="burglary",
        )
    with store.session() as s:
        e = get_engagement(s, meeting)
        a = e.attendance
        assert a is not None
        assert (a.total, a.prefer_not_to_say, a.not_asked) == (12, 2, 0)
        assert (a.count_for("older"), a.count_for("faith"), a.count_for("lgbt")) == (1, 1, 0)
        finding = next(f for f in e.findings if "Bikes" in f.text)
        assert finding.text == "Bikes stolen from the estate\nSuggested: Secure bike sheds"
        assert finding.topic_code == "burglary"
        earlier = returns.keyed_before(s, meeting, code, 2)
        assert earlier is not None and earlier.officer == "Ada Officer"
        assert returns.keyed_before(s, meeting, code, 4) is None


def test_forms_only_raise_the_total_when_they_outnumber_it(store: Store, meeting: str) -> None:
    held_yesterday(store, meeting)
    with store.transaction() as s:
        records.record_attendance(s, meeting, total=3, group_counts={}, not_asked=3)
        code = form_code(FormKind.EQUALITY, meeting)
        for sheet in range(1, 5):
            returns.key_equality_form(s, meeting, {"refugee": "yes"}, code=code, sheet=sheet)
    with store.session() as s:
        a = get_engagement(s, meeting).attendance
        assert a is not None
        assert (a.total, a.not_asked, a.count_for("refugees-asylum")) == (4, 0, 4)


def test_bad_codes_and_answers_are_refused(store: Store, meeting: str) -> None:
    with store.transaction() as s:
        with pytest.raises(ValidationError, match="meeting pack"):
            returns.resolve_code(s, form_code(FormKind.PACK, meeting))
        with pytest.raises(NotFound, match="No engagement"):
            returns.resolve_code(s, form_code(FormKind.EQUALITY, "ffffffff-0000"))
        with pytest.raises(ValidationError):
            returns.key_equality_form(s, meeting, {"age": "ancient"}, code="x")
        with pytest.raises(ValidationError, match="nothing is written"):
            returns.key_feedback_form(s, meeting, {"concern": "  "}, code="x")
    assert (
        returns.resolve_code(store.session(), form_code(FormKind.FEEDBACK, None)).engagement is None
    )


# -- the command line ------------------------------------------------------------------------


def _cli(store: Store, *args: str) -> int:
    from ccodesk.cli.borough import main

    return main(["--data-dir", str(store.data_dir), "print", *args])


def test_cli_prints_packs_forms_and_the_return(
    store: Store, meeting: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "out" / "pack.pdf"
    pack.parent.mkdir()
    assert _cli(store, "pack", meeting[:8], "-o", str(pack)) == 0
    assert NAMES["blo"] in pdf_text(pack)
    form = tmp_path / "out" / "eq.pdf"
    assert _cli(store, "form", "equality", "--large-print", "-o", str(form)) == 0
    assert "Equality monitoring form" in pdf_text(form) and page_count(form) >= 2
    form = tmp_path / "out" / "signin.pdf"
    assert _cli(store, "form", "signin", "--engagement", meeting, "-o", str(form)) == 0
    assert "Camden PCCG: burglary in Somers Town" in pdf_text(form)
    ret = tmp_path / "out" / "return.pdf"
    assert _cli(store, "return", "--quarter", "2027Q1", "-o", str(ret)) == 0
    assert "Q1 2027" in pdf_text(ret)
    week = tmp_path / "week"
    assert _cli(store, "packs", "--week-of", "2027-02-01", "-o", str(week)) == 0
    written = sorted(week.iterdir())
    assert [p.name[:16] for p in written] == ["2027-02-04-1830-"]
    out = capsys.readouterr().out
    assert "Wrote 1 meeting pack for the week of 01 Feb 2027" in out
    assert _cli(store, "code", form_code(FormKind.FEEDBACK, meeting) + "/2") == 0
    assert "Feedback form" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["return", "--quarter", "2026Q5", "-o", "{tmp}/r.pdf"], "not a quarter"),
        (["pack", "deadbeef", "-o", "{tmp}/r.pdf"], "No engagement has the id"),
        (["form", "feedback", "-o", "{tmp}/missing/r.pdf"], "does not exist"),
        (["form", "feedback", "-o", "{tmp}/locked/r.pdf"], "permission denied"),
        (["form", "feedback", "-o", "{tmp}/a-file/r.pdf"], "Cannot write"),
        (["form", "feedback", "-o", "{tmp}"], "is a folder"),
        (["code", "EK4Q-7MX"], "8 characters"),
    ],
)
def test_cli_errors_are_one_plain_line_and_leave_no_file(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    import os

    (tmp_path / "a-file").write_text("not a folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.geteuid() == 0 and "locked" in " ".join(args):
            pytest.skip("root can write anywhere")
        assert _cli(store, *[a.format(tmp=tmp_path) for a in args]) == 1
    finally:
        locked.chmod(0o700)
    err = capsys.readouterr().err
    assert err.startswith("ccodesk-cli: error: ") and message in err
    assert err.count("\n") == 1
    assert not list(tmp_path.rglob("*.pdf")) and not list(tmp_path.rglob("*.tmp"))
