"""A full disk, for real: a small tmpfs mounted for the test (root only), filled to within a
few bytes, under the store, the output folder, the central store or the receipts folder.

Each command ends in success (it fitted) or in one plain line and status 1, with no traceback;
nothing that was in the store is lost, and the store opens again once there is room.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import select

from ccodesk.cli.borough import main as cli_main
from ccodesk.cli.central import main as central_main
from tests.support.temp_keyring import TempFileKeyring

FREE = [0, 12 * 1024, 160 * 1024, 1024 * 1024]  # bytes left on the small disk
SIZE = "48m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh tmpfs of SIZE under tmp_path, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs a tmpfs, and mounting one needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill `disk` until `leave` bytes are free; the filler's path (delete it to make room)."""
    filler = disk / "filler"
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with filler.open("wb") as handle:
        remaining = max(free - leave, 0)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            try:
                remaining -= handle.write(block[: min(remaining, len(block))])
            except OSError:
                break
    return filler


def _rows(data_dir: Path) -> dict[str, set[tuple[object, ...]]]:
    """Every row's primary key, table by table: what must not be lost."""
    from ccodesk.models import Base
    from ccodesk.store import open_store

    with open_store(data_dir) as store, store.session() as s:
        return {
            table.name: {
                tuple(row)
                for row in s.execute(select(*(table.primary_key.columns or table.columns)))
            }
            for table in Base.metadata.sorted_tables
        }


def _digest(data_dir: Path) -> str:
    from ccodesk.store import open_store
    from tests.support.sync_attacks import content_digest

    with open_store(data_dir) as store, store.session() as s:
        return content_digest(s)


def _outcome(capfd: pytest.CaptureFixture[str], code: int, prog: str) -> str:
    """Success, or one plain error line and status 1; no traceback either way."""
    out, err = capfd.readouterr()
    assert "Traceback" not in err + out
    assert "ERROR CORE" not in err
    if code == 0:
        return ""
    assert code == 1, err
    lines = [line for line in err.splitlines() if line.startswith(prog)]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{prog}: error: ") and "full" in lines[0], lines[0]
    assert "unexpected" not in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, demo_store_template: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    """A borough store with demo data that knows its centre, the centre, and a bundle."""
    base = tmp_path_factory.mktemp("full-world")
    store_source, keyring_file = demo_store_template
    shutil.copyfile(keyring_file, base / "keyring.json")
    previous = keyring.get_keyring()
    keyring.set_keyring(TempFileKeyring(base / "keyring.json"))
    try:
        borough, home = base / "hackney", base / "central"
        shutil.copytree(store_source, borough)
        assert central_main(["--home", str(home), "init", "--name", "MPA Central"]) == 0
        pub = base / "hackney.pub"
        assert cli_main(["--data-dir", str(borough), "key", "export-public", "-o", str(pub)]) == 0
        assert central_main(["--home", str(home), "trust", "add", "--borough", "Hackney",
                             "--officer", "Demo Officer", str(pub)]) == 0  # fmt: skip
        ref = base / "ref.ccref"
        assert central_main(["--home", str(home), "reference", "export", "-o", str(ref)]) == 0
        assert cli_main(["--data-dir", str(borough), "sync", "import", str(ref), "--yes"]) == 0
        bundle = base / "hackney-1.ccbundle"
        assert cli_main(["--data-dir", str(borough), "sync", "export", "-o", str(bundle)]) == 0
    finally:
        keyring.set_keyring(previous)
    return base


@pytest.fixture
def place(world: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy the world's store or centre into a folder, with this test's keyring holding its keys."""
    (tmp_path / "keyring.json").write_text((world / "keyring.json").read_text())
    keyring.set_keyring(TempFileKeyring(tmp_path / "keyring.json"))

    def copy(what: str, where: Path) -> Path:
        shutil.copytree(world / what, where)
        return where

    return copy


@pytest.mark.parametrize("free", FREE)
def test_demo_data_on_a_full_disk(
    free: int, small_disk: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from ccodesk.store import create_store

    store = small_disk / "store"
    with create_store(store, borough_code="camden", officer_name="Ada"):
        pass
    before = _digest(store)
    filler = fill(small_disk, free)
    capfd.readouterr()
    code = cli_main(["--data-dir", str(store), "demo-data"])
    line = _outcome(capfd, code, "ccodesk-cli")
    assert code == 1  # a borough-year never fits in a megabyte
    assert str(small_disk) in line
    filler.unlink()
    assert _digest(store) == before  # nothing added, nothing lost


@pytest.mark.parametrize("free", FREE)
@pytest.mark.parametrize("full", ["store", "output"])
def test_sync_export_on_a_full_disk(
    full: str,
    free: int,
    small_disk: Path,
    tmp_path: Path,
    place,  # type: ignore[no-untyped-def]
    capfd: pytest.CaptureFixture[str],
) -> None:
    store = place("hackney", (small_disk if full == "store" else tmp_path) / "hackney")
    output = (small_disk if full == "output" else tmp_path) / "out" / "bundle.ccbundle"
    output.parent.mkdir()
    before = _rows(store)
    filler = fill(small_disk, free)
    capfd.readouterr()
    code = cli_main(["--data-dir", str(store), "sync", "export", "--full", "-o", str(output)])
    line = _outcome(capfd, code, "ccodesk-cli")
    filler.unlink()
    if code:
        assert str(store if full == "store" else output) in line
        assert not output.exists()
        assert not [p for p in output.parent.iterdir()]  # no temp file left behind
    after = _rows(store)
    assert all(before[table] <= after[table] for table in before)


@pytest.mark.parametrize("free", FREE[:2])
@pytest.mark.parametrize("full", ["store", "output"])
def test_key_export_public_on_a_full_disk(
    full: str,
    free: int,
    small_disk: Path,
    tmp_path: Path,
    place,  # type: ignore[no-untyped-def]
    capfd: pytest.CaptureFixture[str],
) -> None:
    store = place("hackney", (small_disk if full == "store" else tmp_path) / "hackney")
    output = (small_disk if full == "output" else tmp_path) / "hackney.pub"
    before = _digest(store)
    filler = fill(small_disk, free)
    capfd.readouterr()
    code = cli_main(["--data-dir", str(store), "key", "export-public", "-o", str(output)])
    _outcome(capfd, code, "ccodesk-cli")
    filler.unlink()
    assert code == 0 or not output.exists()
    assert _digest(store) == before


@pytest.mark.parametrize("free", FREE[:3])
@pytest.mark.parametrize("full", ["centre", "output"])
def test_reference_export_on_a_full_disk(
    full: str,
    free: int,
    small_disk: Path,
    tmp_path: Path,
    place,  # type: ignore[no-untyped-def]
    capfd: pytest.CaptureFixture[str],
) -> None:
    home = place("central", (small_disk if full == "centre" else tmp_path) / "central")
    output = (small_disk if full == "output" else tmp_path) / "ref.ccref"
    filler = fill(small_disk, free)
    capfd.readouterr()
    code = central_main(["--home", str(home), "reference", "export", "-o", str(output)])
    line = _outcome(capfd, code, "ccodesk-central")
    filler.unlink()
    if code:
        assert str(home if full == "centre" else output) in line
        assert not output.exists()
    assert central_main(["--home", str(home), "status"]) == 0  # it opens, as it was


@pytest.mark.parametrize("free", FREE)
@pytest.mark.parametrize("full", ["centre", "receipts"])
def test_merge_on_a_full_disk(
    full: str,
    free: int,
    small_disk: Path,
    tmp_path: Path,
    world: Path,
    place,  # type: ignore[no-untyped-def]
    capfd: pytest.CaptureFixture[str],
) -> None:
    home = place("central", (small_disk if full == "centre" else tmp_path) / "central")
    receipts = (small_disk if full == "receipts" else tmp_path) / "receipts"
    filler = fill(small_disk, free)
    capfd.readouterr()
    bundle = world / "hackney-1.ccbundle"
    code = central_main(["--home", str(home), "merge", str(bundle), "--receipts", str(receipts)])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "unexpected" not in out + err
    (line,) = [x for x in (out + err).splitlines() if x.startswith((str(bundle), "ccodesk-"))]
    filler.unlink()
    if full == "centre" and code:
        assert code == 1
        # the centre cannot open (one line on stderr) or the bundle's line says why
        assert line.startswith((f"{bundle}: rejected: ", "ccodesk-central: error: ")), line
        assert f"{home / 'central.db'} is full" in line, line
        assert not receipts.exists() or not list(receipts.iterdir())
    if full == "receipts" and code:
        assert code == 1
        assert "merged: " in line and "no receipt was written" in line, line
        assert "disk is full" in line, line
        assert not receipts.exists() or not list(receipts.iterdir())
    # Room again: the merge (again) writes the receipt, and the store holds the bundle once.
    again = ["--home", str(home), "merge", str(bundle), "--receipts", str(receipts)]
    assert central_main(again) == 0
    assert "merged" in capfd.readouterr().out
    assert len(list(receipts.iterdir())) == 1
    assert central_main(["--home", str(home), "status"]) == 0
    assert "Bundles merged:  1" in capfd.readouterr().out


def test_a_read_only_disk_is_said_in_plain_words(
    small_disk: Path,
    tmp_path: Path,
    place,
    capfd: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    store = place("hackney", small_disk / "hackney")
    before = (store / "ccodesk.db").read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    capfd.readouterr()
    for argv in (("list", "engagements"), ("demo-data",)):
        code = cli_main(["--data-dir", str(store), *argv])
        _out, err = capfd.readouterr()
        assert code == 1 and "Traceback" not in err
        assert err == (
            f"ccodesk-cli: error: The store {store / 'ccodesk.db'} cannot be opened: the disk "
            "holding it is read-only.\n"
        )
    elsewhere = place("hackney", tmp_path / "hackney")
    output = small_disk / "hackney.pub"
    code = cli_main(["--data-dir", str(elsewhere), "key", "export-public", "-o", str(output)])
    assert code == 1
    assert capfd.readouterr().err == (
        f"ccodesk-cli: error: The key could not be saved to {output}: the disk is read-only.\n"
    )
    assert (store / "ccodesk.db").read_bytes() == before


@pytest.mark.parametrize("free", [0, 40 * 1024, 400 * 1024])
def test_init_on_a_full_disk_leaves_no_half_store(
    free: int, small_disk: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    store = small_disk / "store"
    filler = fill(small_disk, free)
    capfd.readouterr()
    code = cli_main(["--data-dir", str(store), "init", "--borough", "Camden", "--officer", "Ann"])
    line = _outcome(capfd, code, "ccodesk-cli")
    assert code == 1 and str(store) in line
    assert not store.exists() or list(store.iterdir()) == []
    filler.unlink()  # room again: the same command now makes the store
    assert (
        cli_main(["--data-dir", str(store), "init", "--borough", "Camden", "--officer", "Ann"]) == 0
    )
