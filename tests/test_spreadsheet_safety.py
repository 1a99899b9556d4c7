"""No cell a spreadsheet evaluates (issue 13, point 1): every CSV and XLSX ccodesk writes.

An organisation named `=HYPERLINK("http://evil.example/","Camden Forum")` (and the other
formula starts: `+`, `-`, `@`, a tab, a carriage return) is consulted often enough to be named
in the consultee-fatigue rows of the indicator report. The report is written by the real
`ccodesk-cli report` (borough) and the real `ccodesk-central report` after a real bundle was
merged, then read back by independent readers: openpyxl (cell types, no formula), the csv
module, and LibreOffice headless where installed (`make test` installs it as root).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import update

from ccodesk.models import EngagementKind, EngagementStatus, Organisation, OrganisationType
from ccodesk.services import spreadsheet_safety as safety
from ccodesk.services.directory import OrganisationDraft, save_organisation
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store, create_store
from ccodesk.sync.central import init_central, reference_bundle, trust_add
from ccodesk.sync.central_merge import merge_bundle
from ccodesk.sync.export import export_bundle
from ccodesk.sync.receive import import_bundle

EVIL = '=HYPERLINK("http://evil.example/","Camden Forum")'
# names a borough laptop takes as typed and a bundle carries (printable text)
PRINTABLE = (EVIL, "+44 20 7946 0000 Forum", "-1+1 Residents", "@SUM(A1) Tenants")
# names with a leading control character, put straight into the borough store
CONTROLS = ("\t=1+2 Youth Club", "\r=3+4 Lunch Club")
ORGANISATION_MEASURE = "Consultations of the organisation"


def _fill(store: Store, names: tuple[str, ...]) -> None:
    """Each organisation a partner of five held engagements in 2026Q3 (more than 3: named)."""
    with store.transaction() as s:
        ids = []
        for number, name in enumerate(names):
            org = save_organisation(
                s, OrganisationDraft(name=f"Organisation {number}", org_type=OrganisationType.OTHER)
            ).id
            s.execute(update(Organisation).where(Organisation.id == org).values(name=name))
            ids.append(org)
        for day in range(1, 6):
            draft = EngagementDraft(
                kind=EngagementKind.FOCUS_GROUP,
                title=f"Focus group {day}",
                starts_at=dt.datetime(2026, 8, day, 18),
                partner_ids=ids,
            )
            draft.status = EngagementStatus.HELD
            save_engagement(s, draft)


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _check_csv(data: bytes, names: tuple[str, ...], *, exact: bool = True) -> None:
    rows = _csv_rows(data)
    header = rows[0]
    group, value = header.index("group"), header.index("value")
    named = {row[group]: row[value] for row in rows[1:] if row[3] == ORGANISATION_MEASURE}
    expected = {"'" + name: "5" for name in names}  # neutralised; the count a number
    if exact:
        assert named == expected
    else:
        assert expected.items() <= named.items() and len(named) > len(expected)
    for row in rows:
        for cell in row:
            assert not cell.startswith(safety.FORMULA_START), cell


def _check_xlsx(path: Path, names: tuple[str, ...]) -> None:
    book = openpyxl.load_workbook(path)  # formulas as formulas: nothing is evaluated
    seen = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (cell.coordinate, cell.value)
        if sheet.title == "Indicators":
            for row in sheet.iter_rows(min_row=2, values_only=True):
                if row[3] == ORGANISATION_MEASURE:
                    seen[row[4]] = row[6]
    # the text as typed (XML reads a bare CR back as LF), the count an int
    assert seen == {name.replace("\r", "\n"): 5 for name in names}
    # numbers are still numbers, with their formats
    sheet = book["Indicators"]
    held = next(r for r in sheet.iter_rows(min_row=2) if r[3].value == "Engagements held")
    assert held[6].data_type == "n" and held[6].value == 5 and held[6].number_format == "#,##0"


def _cli(store: Store, *args: str) -> int:
    from ccodesk.cli.borough import main

    return main(["--data-dir", str(store.data_dir), "report", "--period", "2026Q3", *args])


def test_inert_text_follows_the_owasp_rule() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"):
        assert safety.inert_text(text) == "'" + text
    for text in ("Camden Forum", "", "1", "'=1", " =1", "<10"):
        assert safety.inert_text(text) == text
    assert safety.csv_text([["=1+1", -5, 2.5, None]]) == "'=1+1,-5,2.5,\r\n"  # numbers as they are


def test_borough_report_files_hold_no_live_formula(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = PRINTABLE + CONTROLS
    _fill(store, names)
    assert _cli(store, "-o", str(tmp_path / "q3.csv")) == 0
    _check_csv((tmp_path / "q3.csv").read_bytes(), names)
    capsys.readouterr()
    assert _cli(store, "--format", "csv") == 0  # to the terminal: the same rule
    # the names with controls as the terminal shows them (escaped or not: ccodesk/terminal.py)
    _check_csv(capsys.readouterr().out.encode(), PRINTABLE, exact=False)
    assert _cli(store, "-o", str(tmp_path / "q3.xlsx")) == 0
    _check_xlsx(tmp_path / "q3.xlsx", names)


def test_central_report_files_hold_no_live_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.central import main as central_cli

    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    borough = create_store(tmp_path / "camden", borough_code="camden", officer_name="Ada Officer")
    try:
        trust_add(central, "camden", "Ada Officer", borough.public_key_openssh())
        (tmp_path / "ref.ccref").write_bytes(reference_bundle(central))
        import_bundle(borough, tmp_path / "ref.ccref", confirm_centre=lambda _fp: True)
        _fill(borough, PRINTABLE)
        export_bundle(borough, tmp_path / "b1.ccbundle")
        assert merge_bundle(central, tmp_path / "b1.ccbundle").ok
        home = ["--home", str(central.home), "--db", central.url]
        for name in ("london.csv", "london.xlsx"):
            out = tmp_path / name
            assert central_cli([*home, "report", "--period", "2026Q3", "-o", str(out)]) == 0
        capsys.readouterr()
        assert central_cli([*home, "report", "--period", "2026Q3", "--format", "csv"]) == 0
        stdout = capsys.readouterr().out.encode()
    finally:
        borough.close()
        central.close()
    data = (tmp_path / "london.csv").read_bytes()
    for text in (data, stdout):  # London and Camden: each organisation twice
        rows = [r for r in _csv_rows(text) if len(r) > 4 and r[3] == ORGANISATION_MEASURE]
        assert sorted(r[4] for r in rows) == sorted(["'" + n for n in PRINTABLE] * 2)
        assert {r[0] for r in rows} == {"London", "Camden"}
    book = openpyxl.load_workbook(tmp_path / "london.xlsx")
    cells = [c for s in book.worksheets for r in s.iter_rows() for c in r]
    assert not [c for c in cells if c.data_type == "f"]
    assert sum(1 for c in cells if c.value == EVIL and c.data_type == "s") == 2


# -- LibreOffice, the officers' own spreadsheet ------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="needs LibreOffice (Debian: libreoffice-calc-nogui; make test as root)"
)
# CSV import filter: comma, double quote, UTF-8, from line 1, standard cells, en-US, …,
# token 13 "evaluate formulas" ON: the reader does its worst
EVALUATING_CSV = "CSV:44,34,76,1,,1033,false,false,false,false,false,-1,true"


def _soffice(tmp_path: Path, source: Path, target: str, infilter: str | None = None) -> Path:
    profile = tmp_path / "lo-profile"
    argv = [str(SOFFICE), f"-env:UserInstallation=file://{profile}", "--headless"]
    if infilter:
        argv.append(f"--infilter={infilter}")
    out = tmp_path / f"lo-{source.stem}-{target.split(':')[0]}"
    argv += ["--convert-to", target, "--outdir", str(out), str(source)]
    subprocess.run(argv, check=True, capture_output=True, timeout=180)
    (converted,) = out.iterdir()
    return converted


@needs_soffice
def test_libreoffice_evaluates_none_of_it(store: Store, tmp_path: Path) -> None:
    _fill(store, PRINTABLE)
    assert _cli(store, "-o", str(tmp_path / "q3.csv")) == 0
    assert _cli(store, "-o", str(tmp_path / "q3.xlsx")) == 0
    # The CSV opened with formulas evaluated: no cell becomes a formula
    book = openpyxl.load_workbook(_soffice(tmp_path, tmp_path / "q3.csv", "xlsx", EVALUATING_CSV))
    cells = [c for r in book.active.iter_rows() for c in r]  # type: ignore[union-attr]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert sum(1 for c in cells if c.value == "'" + EVIL) == 1  # shown as the text it was
    held = next(r for r in book.active.iter_rows() if r[3].value == "Engagements held")  # type: ignore[union-attr]
    assert held[6].value == 5  # numbers still read as numbers
    # The same reader does turn an unneutralised cell into a formula (the test can fail)
    control = tmp_path / "control.csv"
    control.write_text(f'measure,value\r\n"{EVIL.replace(chr(34), chr(34) * 2)}",1\r\n')
    book = openpyxl.load_workbook(_soffice(tmp_path, control, "xlsx", EVALUATING_CSV))
    assert book.active["A2"].data_type == "f"  # type: ignore[index]
    # The XLSX as LibreOffice reads it: its CSV export shows the name, not "Camden Forum"
    text = _soffice(tmp_path, tmp_path / "q3.xlsx", "csv").read_text(
        encoding="utf-8", errors="replace"
    )
    assert 'HYPERLINK(""http://evil.example/"",""Camden Forum"")' in text
