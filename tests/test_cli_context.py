"""The command lines' one context: every command opens its store, asks for a passphrase and
shows progress only through the `Context` its entry point passes in (ccodesk/cli/context.py)."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from ccodesk.cli import borough, central
from ccodesk.cli.context import Context, Progress
from ccodesk.cli.runner import run
from ccodesk.errors import KnownError
from ccodesk.models import EngagementKind
from ccodesk.services.engagements import EngagementDraft, save_engagement
from ccodesk.store import Store, open_store


class Refused(KnownError):
    """What the test's opener raises: proof that a command opened its store through it."""


def refusing_opener(opened: list[argparse.Namespace]) -> Callable[..., Store]:
    def opener(args: argparse.Namespace, prompt: object) -> Store:
        opened.append(args)
        assert prompt is passphrase  # the context's own prompt, not one of the command's
        raise Refused("opened through the context")

    return opener


def passphrase(confirm: bool) -> str:
    raise AssertionError("never asked: the opener refuses first")


BOROUGH_COMMANDS = [
    ["demo-data"],
    ["search", "knife"],
    ["list", "engagements"],
    ["show", "0123abcd"],
    ["sync", "export", "-o", "{tmp}/b.ccbundle"],
    ["sync", "status"],
    ["key", "show"],
    ["key", "export-public"],
    ["key", "export-database-key", "-o", "{tmp}/key.txt", "--yes"],
    ["quicktime", "list"],
    ["print", "pack", "0123abcd", "-o", "{tmp}/p.pdf"],
    ["print", "return", "--period", "2026Q3", "-o", "{tmp}/r.pdf"],
    ["print", "code", "EK4Q-7MX2"],
    ["report", "--period", "2026Q3"],
    ["report", "baseline", "list"],
    ["export-plain", "-o", "{tmp}/plain.db", "--yes"],
    ["calendar", "export", "-o", "{tmp}/c.ics"],
]

CENTRAL_COMMANDS = [
    ["trust", "list"],
    ["status"],
    ["gaps"],
    ["conflicts", "list"],
    ["report", "--period", "2026Q3"],
    ["report", "baseline", "list"],
    ["reference", "export", "-o", "{tmp}/ref.ccref"],
]


@pytest.mark.parametrize("argv", BOROUGH_COMMANDS, ids=" ".join)
def test_borough_commands_open_the_store_through_the_context(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[argparse.Namespace] = []
    context = Context(refusing_opener(opened), prompt=passphrase)
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(tmp=out) for a in argv]
    assert run(borough.build_parser(), args, context) == 1
    assert len(opened) == 1
    assert "ccodesk-cli: error: opened through the context" in capsys.readouterr().err
    assert list(out.iterdir()) == []  # nothing written


@pytest.mark.parametrize("argv", CENTRAL_COMMANDS, ids=" ".join)
def test_central_commands_open_the_store_through_the_context(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[argparse.Namespace] = []
    context = Context(refusing_opener(opened), prompt=passphrase)
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(tmp=out) for a in argv]
    assert run(central.build_parser(), args, context) == 1
    assert len(opened) == 1
    assert "ccodesk-central: error: opened through the context" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_long_work_reports_through_the_context(store: Store, tmp_path: Path) -> None:
    """`print packs` shows its progress with the callback the context makes."""
    with store.transaction() as s:
        save_engagement(
            s,
            EngagementDraft(
                kind=EngagementKind.PCCG_MEETING,
                title="Camden PCCG, February",
                starts_at=dt.datetime(2027, 2, 2, 18, 30),
            ),
        )
    seen: list[tuple[str, int, int]] = []

    def progress(label: str, *, quiet_for: float = 0.0) -> Progress:
        return lambda done, total, what: seen.append((label, done, total))

    context = Context(
        lambda args, prompt: open_store(store.data_dir, prompt=prompt), progress=progress
    )
    out = tmp_path / "packs"
    argv = ["print", "packs", "--week-of", "2027-02-01", "-o", str(out)]
    assert run(borough.build_parser(), argv, context) == 0
    assert seen and seen[-1] == ("packs", 1, 1)
    assert len(list(out.glob("*.pdf"))) == 1
