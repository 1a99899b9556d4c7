"""Write docs/screenshots/*.png from a fresh demo store (run by `make screenshots`)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ccodesk.services.demo import load_demo_data  # noqa: E402
from ccodesk.store import create_store  # noqa: E402
from ccodesk.ui.screenshots import render_all  # noqa: E402
from tests.support.temp_keyring import TempFileKeyring  # noqa: E402


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="ccodesk-shots-"))
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    os.environ["CCODESK_CONFIG_DIR"] = str(work / "config")
    app = QApplication(sys.argv[:1])
    with create_store(work / "store", borough_code="hackney", officer_name="Priya Shah") as store:
        load_demo_data(store, scale=2, seed=3, anchor=dt.date.today())
        for path in render_all(store, ROOT / "docs" / "screenshots"):
            print(path.relative_to(ROOT))
    app.quit()


if __name__ == "__main__":
    main()
