"""Flag names and small behaviours the user guide promises (issue 13, point 6).

`--period` in every command that takes a period, `--quarter` kept as the same option;
`print packs -o DIR` as the guide says (DIR made, not the folders above it); counts in words
("Wrote 1 signer", never "1 signers").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ccodesk.cli.borough import main
from ccodesk.cli.central import main as central_main
from ccodesk.models import EngagementKind, EngagementStatus
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store
from ccodesk.sync.central import init_central, trust_add


def cli(store: Store, *args: str) -> int:
    return main(["--data-dir", str(store.data_dir), *args])


def _held(store: Store) -> None:
    with store.transaction() as s:
        for day in (3, 10):
            draft = EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title=f"Camden PCCG {day} Aug",
                starts_at=dt.datetime(2026, 8, day, 19),
            )
            draft.status = EngagementStatus.HELD
            save_engagement(s, draft)
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG, February",
                starts_at=dt.datetime(2027, 2, 4, 18, 30),
            ),
        )


def test_report_takes_quarter_as_period(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    _held(store)
    assert cli(store, "report", "--period", "2026Q3") == 0
    by_period = capsys.readouterr().out
    assert cli(store, "report", "--quarter", "2026Q3") == 0  # once "invalid choice: '2026Q3'"
    assert capsys.readouterr().out == by_period
    assert "Q3 2026 (July to September)" in by_period
    assert cli(store, "report", "--quarter", "2026-08", "--format", "csv") == 0
    assert "Camden,2026-08,Participation,Engagements held,,count,2," in capsys.readouterr().out


def test_print_return_takes_period_and_quarter(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _held(store)
    for flag in ("--period", "--quarter"):
        out = tmp_path / f"return{flag}.pdf"
        assert cli(store, "print", "return", flag, "2026Q3", "-o", str(out)) == 0
        assert out.read_bytes().startswith(b"%PDF")
        assert "(2 engagements held;" in capsys.readouterr().out
    assert cli(store, "print", "return", "--period", "2026Q5", "-o", str(tmp_path / "x.pdf")) == 1
    assert "not a quarter" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_print_packs_makes_dir_but_not_the_folders_above(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _held(store)
    week = ["print", "packs", "--week-of", "2027-02-01", "-o"]
    deep = tmp_path / "no-such" / "week"
    assert cli(store, *week, str(deep)) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"the folder {deep.parent} does not exist" in err
    assert not (tmp_path / "no-such").exists()
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    assert cli(store, *week, str(a_file)) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert a_file.read_text() == "not a folder"
    folder = tmp_path / "week-5"  # missing, in a folder that exists: made, as the guide says
    assert cli(store, *week, str(folder)) == 0
    assert [p.suffix for p in folder.iterdir()] == [".pdf"]
    assert "Wrote 1 meeting pack for the week of 01 Feb 2027" in capsys.readouterr().out


def test_allowed_signers_count_in_words(
    tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    central = init_central(tmp_path / "central", None, "MPA Central Unit")
    try:
        home = ["--home", str(central.home), "--db", central.url]
        for n in range(2):
            out = tmp_path / f"allowed_signers-{n}"
            assert central_main([*home, "trust", "export-allowed-signers", "-o", str(out)]) == 0
            lines = len(out.read_text().splitlines())
            assert lines == n + 1  # the centre's own key, then a device's
            noun = "signer" if lines == 1 else "signers"
            assert capsys.readouterr().out == f"Wrote {lines} {noun} to {out}.\n"
            if n == 0:
                trust_add(central, "camden", "Ada Officer", store.public_key_openssh())
        assert central_main([*home, "report", "--quarter", "2026Q3"]) == 0
        assert "Q3 2026 (July to September)" in capsys.readouterr().out
    finally:
        central.close()
