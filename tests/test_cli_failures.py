"""The command lines' one failure policy (`ccodesk.failures.run_command`): plain words for
what the user can fix, a short line and the log's path for a bug, never a traceback."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from ccodesk.errors import Cancelled, DiskFull
from ccodesk.failures import run_command


def _bug() -> int:
    return {}["no such key"]  # type: ignore[no-any-return]


def test_a_bug_is_one_line_and_the_log_holds_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CCODESK_LOG_DIR", str(tmp_path / "logs"))
    assert run_command("ccodesk-cli", _bug, "ccodesk-cli") == 1
    out, err = capsys.readouterr()
    log = tmp_path / "logs" / "ccodesk-cli.log"
    assert out == ""
    assert err == f"ccodesk-cli: unexpected KeyError (a bug in ccodesk); details are in {log}\n"
    text = log.read_text()
    assert "Traceback" in text and "no such key" in text and "_bug" in text


def test_a_bug_when_the_log_cannot_be_written_is_still_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("CCODESK_LOG_DIR", str(tmp_path / "file" / "logs"))  # not a folder
    assert run_command("ccodesk-central", _bug, "ccodesk-central") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("ccodesk-central: unexpected KeyError: 'no such key'")
    assert "the log could not be written" in err


def test_known_errors_and_cancel(capsys: pytest.CaptureFixture[str]) -> None:
    def full() -> int:
        raise DiskFull("Cannot write /x/out.ccbundle: the disk is full.")

    def cancelled() -> int:
        raise Cancelled("Export cancelled; nothing was written.")

    assert run_command("ccodesk-cli", full, "ccodesk-cli") == 1
    assert capsys.readouterr().err == (
        "ccodesk-cli: error: Cannot write /x/out.ccbundle: the disk is full.\n"
    )
    assert run_command("ccodesk-cli", cancelled, "ccodesk-cli") == 130
    assert capsys.readouterr().err == "ccodesk-cli: Export cancelled; nothing was written.\n"


def test_an_os_error_nobody_translated_is_still_plain(capsys: pytest.CaptureFixture[str]) -> None:
    def write() -> int:
        raise OSError(errno.ENOSPC, "No space left on device", "/media/stick/out.pdf")

    assert run_command("ccodesk-cli", write, "ccodesk-cli") == 1
    assert capsys.readouterr().err == (
        "ccodesk-cli: error: Cannot write /media/stick/out.pdf: the disk is full. Free some "
        "space and try again; nothing was lost.\n"
    )


def test_the_cli_reports_a_missing_store_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.cli.borough import main

    assert main(["--data-dir", str(tmp_path / "none"), "list", "engagements"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ccodesk-cli: error: There is no ccodesk store in ")
    assert "Traceback" not in err
