"""`ccodesk-cli`, run as a user runs it: a real process, a real store, readable output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "ccodesk-cli")


def run(
    *args: str, env: dict[str, str] | None = None, data_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    prefix = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run(
        [CLI, *prefix, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("cli")
    env = {
        "CCODESK_TEST_KEYRING_FILE": str(base / "keyring.json"),
        "PYTHON_KEYRING_BACKEND": "tests.support.temp_keyring.TempFileKeyring",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    data = base / "store"
    init = run("init", "--borough", "Hackney", "--officer", "Priya Shah", env=env, data_dir=data)
    assert init.returncode == 0, init.stderr
    demo = run(
        "demo-data",
        "--scale",
        "1",
        "--seed",
        "11",
        "--anchor",
        "2026-11-22",
        env=env,
        data_dir=data,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Added 300 engagements, 1,500 organisations" in demo.stdout
    assert "demo data [" in demo.stderr  # the progress display
    return data, env


def test_init_prints_device_and_openssh_key(tmp_path: Path) -> None:
    result = run(
        "init",
        "--borough",
        "camden",
        "--officer",
        "Ada Officer",
        "--role",
        "blo",
        data_dir=tmp_path / "s",
    )
    assert result.returncode == 0, result.stderr
    assert "Created the Camden store" in result.stdout
    assert "Officer:    Ada Officer (BLO)" in result.stdout
    key_line = next(line for line in result.stdout.splitlines() if line.startswith("Public key:"))
    assert key_line.split()[2] == "ssh-ed25519"
    assert "Device id:" in result.stdout


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    assert run("init", "--borough", "camden", "--officer", "A", data_dir=tmp_path).returncode == 0
    before = sorted(p.name for p in tmp_path.iterdir())
    again = run("init", "--borough", "islington", "--officer", "B", data_dir=tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_data_dir_from_environment(tmp_path: Path) -> None:
    result = run(
        "init",
        "--borough",
        "Brent",
        "--officer",
        "A",
        env={"CCODESK_DATA_DIR": str(tmp_path / "env-store")},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env-store" / "ccodesk.db").exists()


def test_unknown_borough_is_a_clear_error(tmp_path: Path) -> None:
    result = run("init", "--borough", "Gotham", "--officer", "A", data_dir=tmp_path / "s")
    assert result.returncode == 1
    assert "Unknown borough 'Gotham'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "s").exists()


def test_without_a_keyring_asks_for_a_passphrase(tmp_path: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    missing = run("init", "--borough", "camden", "--officer", "A", env=env, data_dir=tmp_path)
    assert missing.returncode == 1
    assert "CCODESK_PASSPHRASE" in missing.stderr
    env["CCODESK_PASSPHRASE"] = "a long passphrase"
    made = run("init", "--borough", "camden", "--officer", "A", env=env, data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "key file protected by a passphrase" in made.stdout
    wrong = run(
        "list", "engagements", env={**env, "CCODESK_PASSPHRASE": "not the one"}, data_dir=tmp_path
    )
    assert wrong.returncode == 1
    assert "Wrong passphrase" in wrong.stderr


def test_search(demo_dir: tuple[Path, dict[str, str]]) -> None:
    data, env = demo_dir
    result = run("search", "knife", env=env, data_dir=data)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) >= 5
    assert any("engagement" in line for line in lines)
    assert "[knife" in result.stdout.lower() or "[Knife" in result.stdout
    none = run("search", "zzzzqqq", env=env, data_dir=data)
    assert none.stdout.strip() == "Nothing matches 'zzzzqqq'."


def test_list_with_filters(demo_dir: tuple[Path, dict[str, str]]) -> None:
    data, env = demo_dir
    result = run(
        "list",
        "engagements",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--kind",
        "focus_group",
        "--limit",
        "500",
        env=env,
        data_dir=data,
    )
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[1:-1]
    assert rows, result.stdout
    assert all("Focus group" in r for r in rows)
    assert all(" 2026 " in r and any(m in r for m in ("Jan", "Feb", "Mar")) for r in rows)
    assert result.stdout.splitlines()[-1].startswith(f"{len(rows)} of {len(rows)} engagement")


def test_show(demo_dir: tuple[Path, dict[str, str]]) -> None:
    data, env = demo_dir
    listing = run("list", "engagements", "--status", "held", "--limit", "1", env=env, data_dir=data)
    short_id = listing.stdout.splitlines()[1].split()[0]
    result = run("show", short_id, env=env, data_dir=data)
    assert result.returncode == 0, result.stderr
    for label in ("Kind:", "Status:        Held", "Venue:", "Attendance:", "Findings ("):
        assert label in result.stdout
    missing = run("show", "ffffffff", env=env, data_dir=data)
    assert missing.returncode == 1
    assert "No record has the id 'ffffffff'" in missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("list", "engagements", "--from", "2026-13-01"), "is not a date like"),
        (("list", "engagements", "--kind", "picnic"), "unknown engagement kind 'picnic'"),
        (("list", "engagements", "--from", "2026-05-01", "--to", "2026-04-01"), "is before"),
        (("list", "engagements", "--group", "martians"), "unknown priority group 'martians'"),
        (("demo-data", "--scale", "0"), "is not 1 or more"),
        (("demo-data", "--scale", "many"), "is not a whole number"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_arguments(
    demo_dir: tuple[Path, dict[str, str]], args: tuple[str, ...], message: str
) -> None:
    data, env = demo_dir
    result = run(*args, env=env, data_dir=data)
    assert result.returncode in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_data_twice_is_refused(demo_dir: tuple[Path, dict[str, str]]) -> None:
    data, env = demo_dir
    result = run("demo-data", env=env, data_dir=data)
    assert result.returncode == 1
    assert "already holds 300 engagements" in result.stderr


def test_no_store_yet(tmp_path: Path) -> None:
    result = run("search", "x", data_dir=tmp_path / "none")
    assert result.returncode == 1
    assert "ccodesk-cli init" in result.stderr
