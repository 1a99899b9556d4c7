"""Shared fixtures. Qt runs offscreen; data, config, cache dirs and the keyring are temporary."""

from __future__ import annotations

import os

# Before any QApplication exists: offscreen, on a screen of the commonest office laptop's size
# (the offscreen platform's own default, 800×800, is a screen no officer has).
os.environ.setdefault(
    "QT_QPA_PLATFORM",
    "offscreen:configfile="
    + os.path.join(os.path.dirname(os.path.abspath(__file__)), "support", "laptop-screen.json"),
)

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

if TYPE_CHECKING:
    from ccodesk.store import Store

BACKEND = "tests.support.temp_keyring.TempFileKeyring"
# Before anything asks keyring for its backend: never the real user's keyring, not even once.
os.environ["PYTHON_KEYRING_BACKEND"] = BACKEND
os.environ["CCODESK_TEST_KEYRING_FILE"] = str(
    Path(tempfile.mkdtemp(prefix="ccodesk-test-keyring-")) / "keyring.json"
)
os.environ["PYTHONPATH"] = str(ROOT)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every user directory and the keyring at temporary ones."""
    home = tmp_path / "home"
    for var, sub in (
        ("HOME", ""),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    keyring_file = tmp_path / "keyring.json"
    monkeypatch.setenv("CCODESK_TEST_KEYRING_FILE", str(keyring_file))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("CCODESK_PASSPHRASE", raising=False)
    monkeypatch.delenv("CCODESK_DATA_DIR", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(TempFileKeyring(keyring_file))
    yield home
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """A new, empty Camden store protected by the (temporary) keyring."""
    from ccodesk.store import create_store

    with create_store(data_dir, borough_code="camden", officer_name="Ada Officer") as s:
        yield s
        _wait_for_background_work()


@pytest.fixture(scope="session")
def demo_store_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One borough-year of demo data, built once; tests copy it (see `demo_store`)."""
    import datetime as dt

    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store

    base = tmp_path_factory.mktemp("demo-template")
    keyring_file = base / "keyring.json"
    previous = keyring.get_keyring()
    keyring.set_keyring(TempFileKeyring(keyring_file))
    try:
        with create_store(base / "store", borough_code="hackney", officer_name="Demo Officer") as s:
            load_demo_data(s, scale=1, seed=7, anchor=dt.date(2026, 11, 22))
    finally:
        keyring.set_keyring(previous)
    return base / "store", keyring_file


@pytest.fixture
def demo_store(demo_store_template: tuple[Path, Path], tmp_path: Path) -> Iterator[Store]:
    """A private copy of the demo store, opened."""
    import shutil

    from ccodesk.store import open_store

    source, keyring_file = demo_store_template
    target = tmp_path / "demo"
    shutil.copytree(source, target)
    keyring.set_keyring(TempFileKeyring(tmp_path / "keyring.json"))
    (tmp_path / "keyring.json").write_text(keyring_file.read_text())
    with open_store(target) as s:
        yield s
        _wait_for_background_work()


def _wait_for_background_work() -> None:
    """Let queries a test's widgets started on Qt's thread pool end before the store closes."""
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone()
