"""A keyring that keeps secrets in clear, or that keyring ranks as not recommended, is no keyring:
the store's key then goes under a passphrase, and the officer is told why in one sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import keyring
import pytest
from keyring.backends import chainer, fail, null
from keyring.compat import properties
from keyrings.alt.file import PlaintextKeyring

from ccodesk.cli.borough import main as cli
from ccodesk.cli.central import main as central_cli
from ccodesk.store import create_store, open_store
from ccodesk.store.keys import (
    NO_KEYRING,
    NOT_RECOMMENDED,
    PLAIN_FILE,
    judge_backend,
    judge_keyring,
    keyring_works,
)
from tests.support.temp_keyring import TempFileKeyring

PASSPHRASE = "correct horse battery"


class ProudPlaintext(PlaintextKeyring):
    """A plain file that ranks itself highly: still a plain file."""

    priority = 5  # type: ignore[assignment]


class Modest(TempFileKeyring):
    """A backend its makers rank as not recommended."""

    priority = 0.9  # type: ignore[assignment]


class Broken(TempFileKeyring):
    """A backend that cannot work here: keyring's backends raise from `priority` then."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("needs a desktop session")


def _chain(*members: object) -> chainer.ChainerBackend:
    class Chain(chainer.ChainerBackend):
        backends: ClassVar[list[object]] = list(members)  # type: ignore[misc]

    return Chain()


def _plaintext_file() -> Path:
    return Path(PlaintextKeyring().file_path)


def test_backends_judged(tmp_path: Path) -> None:
    temp = TempFileKeyring(tmp_path / "k.json")
    assert judge_backend(temp).usable  # the tests' own backend, priority 1: not special-cased
    refused = {
        "plaintext": (PlaintextKeyring(), PLAIN_FILE),
        "plaintext ranked high": (ProudPlaintext(), PLAIN_FILE),
        "not recommended": (Modest(tmp_path / "m.json"), NOT_RECOMMENDED),
        "fail": (fail.Keyring(), NO_KEYRING),
        "null": (null.Keyring(), NO_KEYRING),
        "empty chain": (_chain(), NO_KEYRING),
        "chain of one plain file": (_chain(PlaintextKeyring()), PLAIN_FILE),
        "chain writing to a plain file": (_chain(PlaintextKeyring(), temp), PLAIN_FILE),
    }
    for what, (backend, reason) in refused.items():
        verdict = judge_backend(backend)
        assert not verdict.usable, what
        assert verdict.reason == reason, what
    assert judge_backend(_chain(temp, PlaintextKeyring())).usable  # it writes to `temp`
    assert not judge_backend(Broken(tmp_path / "b.json")).usable
    # Each reason is one plain sentence that says what ccodesk does instead.
    for reason in (PLAIN_FILE, NOT_RECOMMENDED, NO_KEYRING):
        assert reason.endswith("with a passphrase instead.") and reason.count(". ") == 0


def test_a_plaintext_keyring_gets_a_passphrase_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keyring.set_keyring(PlaintextKeyring())
    assert not keyring_works() and judge_keyring().reason == PLAIN_FILE
    monkeypatch.setenv("CCODESK_PASSPHRASE", PASSPHRASE)
    with create_store(tmp_path / "s", borough_code="camden", officer_name="Ada") as store:
        assert store.info.protection == "keyfile"
    assert (tmp_path / "s" / "keys.enc").exists()
    assert not _plaintext_file().exists() or "ccodesk" not in _plaintext_file().read_text()
    with open_store(tmp_path / "s") as again:
        assert again.officer_name == "Ada"


def test_cli_init_says_why_and_takes_the_passphrase_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(PlaintextKeyring())
    monkeypatch.setenv("CCODESK_PASSPHRASE", PASSPHRASE)
    data = tmp_path / "store"
    assert cli(["--data-dir", str(data), "init", "--borough", "Camden", "--officer", "Ada"]) == 0
    out, err = capsys.readouterr()
    assert PLAIN_FILE in err
    assert "Keys:       key file protected by a passphrase" in out
    assert json.loads((data / "store.json").read_text())["protection"] == "keyfile"
    assert not _plaintext_file().exists() or "ccodesk" not in _plaintext_file().read_text()

    # The centre's init too.
    assert central_cli(["--home", str(tmp_path / "centre"), "init", "--name", "MPA"]) == 0
    out, err = capsys.readouterr()
    assert PLAIN_FILE in err and "passphrase key file" in out


def test_cli_init_refuses_the_plaintext_keyring_chosen_by_environment(tmp_path: Path) -> None:
    """As on a machine where keyrings.alt is configured: PYTHON_KEYRING_BACKEND names it."""
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    env["CCODESK_PASSPHRASE"] = PASSPHRASE
    data = tmp_path / "store"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ccodesk.cli.borough import main; sys.exit(main())",
            *("--data-dir", str(data), "init", "--borough", "Hackney", "--officer", "Grace"),
        ],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert PLAIN_FILE in run.stderr
    assert json.loads((data / "store.json").read_text())["protection"] == "keyfile"
    assert not _plaintext_file().exists() or "ccodesk" not in _plaintext_file().read_text()
