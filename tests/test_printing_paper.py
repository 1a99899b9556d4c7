"""Paper fit for a pen and a scanner (issue 13): numbered sheets, tick boxes big enough to
tick, header words whole, QR codes a 75 dpi scan reads, an agenda that adds up, and PDFs that
say what they are. Every check reads the real PDF with an independent tool (poppler,
zbarimg, Pillow on a rendered page)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from ccodesk.printing import documents, pack_data, quarterly, quicktime
from ccodesk.printing.codes import FormKind, form_code, parse_code
from ccodesk.printing.questionnaire import EQUALITY_QUESTIONS
from ccodesk.services import pack_content as content
from ccodesk.services import returned_forms as returns
from ccodesk.services.periods import Period, PeriodKind
from ccodesk.services.quarterly_return import return_content
from ccodesk.store import Store
from tests.support.paper import broken_words, decode_qr, render, tick_boxes_mm, words, zbarimg
from tests.test_printing import (
    _cli,
    _meeting,
    _run,
    held_yesterday,
    page_count,
    pdf_text,
    write,
)

FORM_CODE = re.compile(r"Form ([PSEF][2-9A-Z]{3}-[2-9A-Z]{4})(?: · sheet (\d+))?")
SCAN_DPI = 75  # a cheap scanner's, or a phone photo's, resolution


@pytest.fixture
def meeting(store: Store) -> str:
    return _meeting(store)[0]


@pytest.fixture
def summary(store: Store, meeting: str) -> pack_data.EngagementSummary:
    with store.session() as s:
        return content.engagement_summary(s, meeting)


@pytest.fixture
def pack(store: Store, meeting: str) -> pack_data.PackContent:
    with store.session() as s:
        return content.pack_content(s, meeting)


def printed_codes(path: Path) -> list[str]:
    """What each page's footer says its QR code holds: the form code, and "/N" on a sheet."""
    labels = []
    for page in range(1, page_count(path) + 1):
        found = FORM_CODE.search(pdf_text(path, page))
        assert found, page
        labels.append(found[1] + (f"/{found[2]}" if found[2] else ""))
    return labels


# -- 1. numbered sheets ---------------------------------------------------------------------


def test_signin_copies_are_numbered_and_coded_and_a_rescan_is_noticed(
    store: Store, meeting: str, tmp_path: Path
) -> None:
    path = tmp_path / "signin.pdf"
    assert (
        _cli(store, "form", "signin", "--engagement", meeting, "--copies", "3", "-o", str(path))
        == 0
    )
    assert page_count(path) == 3
    code = form_code(FormKind.SIGN_IN, meeting)
    pngs = render(path, tmp_path / "scan", SCAN_DPI)
    for sheet, png in enumerate(pngs, start=1):
        text = pdf_text(path, sheet)
        assert f"Sheet {sheet} of 3" in text and f"Form {code} · sheet {sheet}" in text
        scanned = decode_qr(png)
        assert scanned == [f"{code}/{sheet}"]
        parsed = parse_code(scanned[0])  # the scan is what the keying screen is given
        assert (parsed.code, parsed.kind, parsed.sheet) == (code, FormKind.SIGN_IN, sheet)
    held_yesterday(store, meeting)
    with store.transaction() as s:
        target = returns.resolve_code(s, decode_qr(pngs[1])[0])
        assert target.engagement is not None and target.engagement.id == meeting
        returns.key_sign_in_sheet(s, meeting, 5, code=code, sheet=target.parsed.sheet)
    with store.session() as s:  # the same sheet scanned again is caught
        assert returns.keyed_before(s, meeting, code, 2) is not None
        assert returns.keyed_before(s, meeting, code, 3) is None


def test_a_pack_with_two_forms_holds_two_numbered_sheets_of_each(
    store: Store, meeting: str, tmp_path: Path
) -> None:
    path = tmp_path / "pack.pdf"
    assert _cli(store, "pack", meeting[:8], "--forms", "2", "-o", str(path)) == 0
    texts = [pdf_text(path, p) for p in range(1, page_count(path) + 1)]
    for title, kind in (
        ("Attendance sign-in sheet", FormKind.SIGN_IN),
        ("Equality monitoring form", FormKind.EQUALITY),
        ("Feedback form", FormKind.FEEDBACK),
    ):
        code = form_code(kind, meeting)
        sheets = [t for t in texts if t.startswith(title)]
        assert len(sheets) == 2, title
        for number, text in enumerate(sheets, start=1):
            assert f"Sheet {number} of 2" in text and f"Form {code} · sheet {number}" in text


def test_the_guide_says_copies_are_numbered_as_they_are() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "user-guide.md").read_text()
    assert '"Sheet 3 of 5"' in guide and "sign-in sheets included" in guide
    assert "--forms N" in guide and "--copies N" in guide


# -- 2. tick boxes --------------------------------------------------------------------------


@pytest.mark.parametrize(("large", "smallest"), [(False, 5.0), (True, 7.0)])
def test_tick_boxes_are_big_enough_to_tick(
    summary: content.EngagementSummary, tmp_path: Path, large: bool, smallest: float
) -> None:
    expected = {
        FormKind.EQUALITY: sum(len(q.options) for q in EQUALITY_QUESTIONS),
        FormKind.FEEDBACK: len(summary.topics),
        FormKind.SIGN_IN: 7 if large else 16,  # a box a row
    }
    assert expected[FormKind.FEEDBACK] == 1
    for kind, count in expected.items():
        path = write(
            tmp_path, f"{kind.name}.pdf", documents.form_pdf(kind, summary, large_print=large)
        )
        pngs = render(path, tmp_path / kind.name, 150, gray=True)
        sides = [side for png in pngs for side in tick_boxes_mm(png, 150)]
        assert len(sides) == count, (kind, sides)
        assert min(sides) >= smallest, (kind, min(sides))
        assert max(sides) < smallest + 2, (kind, max(sides))


# -- 3. header words ------------------------------------------------------------------------

HEADERS = {  # every table header the forms and the pack print
    "No.", "Name", "Organisation or area", "E-mail or phone", "Contact me again",
    "Role", "Time", "Length", "Item", "Meeting", "Action", "Owner", "Due", "Status",
    "You said", "We did",
}  # fmt: skip


@pytest.mark.parametrize("large", [False, True])
def test_header_words_are_never_broken(
    pack: content.PackContent, tmp_path: Path, large: bool
) -> None:
    assert pack.actions and pack.you_said  # every table of the pack is printed
    header_words = {w for h in HEADERS for w in h.split()}
    printed: list[str] = []
    for name, data in [
        ("pack", documents.pack_pdf(pack, large_print=large)),
        *[
            (kind.name, documents.form_pdf(kind, pack.engagement, large_print=large))
            for kind in documents.FORM_KINDS
        ],
    ]:
        found = words(write(tmp_path, f"{name}.pdf", data))
        assert broken_words(found, header_words) == [], name
        printed += [w.text for w in found]
    assert header_words <= set(printed)


RETURN_HEADERS = {  # every table header the quarterly return prints
    "Method", "Held", "Took part", "Per engagement", "Priority group", "Change",
    "Engagement", "You said", "Decision changed", "Given", "Channel", "What we said",
    "Cost", "Amount",
}  # fmt: skip


def test_the_returns_header_words_are_never_broken(demo_store: Store, tmp_path: Path) -> None:
    with demo_store.session() as s:
        data = return_content(s, "hackney", Period(2026, PeriodKind.QUARTER, 3))
    assert data.methods and data.changed and data.feedback and data.costs  # every table
    found = words(write(tmp_path, "return.pdf", quarterly.return_pdf(data)))
    header_words = {w for h in RETURN_HEADERS for w in h.split()}
    assert broken_words(found, header_words) == []
    assert header_words <= {w.text for w in found}


# -- 4. QR codes a scanner reads ------------------------------------------------------------


@pytest.mark.parametrize("large", [False, True])
def test_every_qr_code_decodes_from_a_75_dpi_scan(
    pack: content.PackContent, tmp_path: Path, large: bool
) -> None:
    zbarimg()
    documents_ = [("pack", documents.pack_pdf(pack, large_print=large, forms=2))]
    for kind in documents.FORM_KINDS:
        documents_.append(
            (kind.name, documents.form_pdf(kind, pack.engagement, large_print=large, copies=2))
        )
        documents_.append((f"{kind.name}-blank", documents.form_pdf(kind, None, large_print=large)))
    for name, data in documents_:
        path = write(tmp_path, f"{name}.pdf", data)
        labels = printed_codes(path)
        scanned = [decode_qr(png) for png in render(path, tmp_path / name, SCAN_DPI)]
        assert scanned == [[label] for label in labels], name
        for label in labels:
            assert parse_code(label).code == label.split("/")[0]


# -- 5. the agenda --------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [30, 45, 60, 90, 120, 180])
def test_agenda_slots_add_up_to_the_meeting(
    pack: content.PackContent, tmp_path: Path, minutes: int
) -> None:
    start = pack.engagement.starts_at
    engagement = dataclasses.replace(pack.engagement, ends_at=start + dt.timedelta(minutes=minutes))
    path = write(
        tmp_path, "pack.pdf", documents.pack_pdf(dataclasses.replace(pack, engagement=engagement))
    )
    rows = re.findall(r"(\d\d):(\d\d) (\d+) min ([A-Z][a-z]+)", pdf_text(path))
    assert [r[3] for r in rows] == [
        "Welcome", "Purpose", "Action", "You", "Main", "Questions", "Any", "Feedback",
    ]  # fmt: skip
    at = start
    for hours, mins, length, item in rows:
        assert (int(hours), int(mins)) == (at.hour, at.minute), item
        assert int(length) > 0, item
        at += dt.timedelta(minutes=int(length))
    assert sum(int(r[2]) for r in rows) == minutes
    assert at == engagement.ends_at


# -- 6. what every PDF says about itself ----------------------------------------------------


def test_every_pdf_has_title_subject_author_and_language(
    store: Store, pack: content.PackContent, tmp_path: Path
) -> None:
    with store.session() as s:
        ret = return_content(s, store.borough_code, Period.parse_quarter("2027Q1"))
    record = quicktime.QuickTimeRecord(
        id="5e1f0c2a-0000-4000-8000-000000000000",
        title="Dispersal order, Somers Town",
        event_at=dt.datetime(2027, 2, 6, 12),
        deadline=dt.datetime(2027, 2, 5, 17),
        countdown="1 day",
        status="Open",
        stage=2,
    )
    for name, data in [
        ("pack", documents.pack_pdf(pack)),
        ("pack-large", documents.pack_pdf(pack, large_print=True)),
        *[(k.name, documents.form_pdf(k, pack.engagement)) for k in documents.FORM_KINDS],
        *[(f"{k.name}-blank", documents.form_pdf(k, None)) for k in documents.FORM_KINDS],
        ("return", quarterly.return_pdf(ret)),
        ("quicktime", quicktime.record_pdf(record)),
    ]:
        path = write(tmp_path, f"{name}.pdf", data)
        info = dict(
            (key, value.strip())
            for key, value in (line.split(":", 1) for line in _run("pdfinfo", path).splitlines())
        )
        assert info["Title"] and info["Subject"] and info["Author"] == "ccodesk", (name, info)
        catalog = re.search(rb"<<[^>]*/Type /Catalog[^>]*>>", data)
        assert catalog and b"/Lang (en-GB)" in catalog[0], name


# -- print packs -o DIR ---------------------------------------------------------------------


def test_packs_refuse_a_folder_whose_parent_is_missing(
    store: Store, meeting: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such" / "week"
    assert _cli(store, "packs", "--week-of", "2027-02-01", "-o", str(missing)) == 1
    err = capsys.readouterr().err
    assert err.startswith("ccodesk-cli: error: ") and err.count("\n") == 1
    assert f"the folder {missing.parent} does not exist" in err
    assert not missing.parent.exists() and not list(tmp_path.rglob("*.pdf"))
    (tmp_path / "a-file").write_text("not a folder")
    assert _cli(store, "packs", "--week-of", "2027-02-01", "-o", str(tmp_path / "a-file")) == 1
    assert "not a folder" in capsys.readouterr().err
    new = tmp_path / "week"  # only the folder itself is missing: it is made
    assert _cli(store, "packs", "--week-of", "2027-02-01", "-o", str(new)) == 0
    assert [p.suffix for p in new.iterdir()] == [".pdf"]
