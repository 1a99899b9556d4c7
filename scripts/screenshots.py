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
from ccodesk.services.demo_central import build_demo_central, held_back  # noqa: E402
from ccodesk.store import create_store  # noqa: E402
from ccodesk.ui.screenshots import render_all, render_central  # noqa: E402
from tests.support.temp_keyring import TempFileKeyring  # noqa: E402


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    work = Path(tempfile.mkdtemp(prefix="ccodesk-shots-"))
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    os.environ["CCODESK_CONFIG_DIR"] = str(work / "config")
    app = QApplication(sys.argv[:1])
    with create_store(work / "store", borough_code="hackney", officer_name="Priya Shah") as store:
        load_demo_data(store, scale=2, seed=3, anchor=dt.date.today())
        for path in render_all(store, out):
            print(path)
        for path in render_documents(store, out, work):
            print(path)
    # the central unit: three boroughs merged, a gap, a conflict, a late borough, milestones
    with build_demo_central(work / "centre", work, dt.date.today(), hold_back=True) as central:
        for path in render_central(central, out, inbox=held_back(work)):
            print(path)
    app.quit()


def render_documents(store, out: Path, work: Path) -> list[Path]:  # type: ignore[no-untyped-def]
    """The first page of each printed document, as print-*.png (pdftoppm, 60 dpi)."""
    import subprocess

    from sqlalchemy import select

    from ccodesk.models import Engagement, EngagementKind, EngagementStatus
    from ccodesk.printing import documents, quarterly
    from ccodesk.printing.codes import FormKind
    from ccodesk.services import pack_content as content
    from ccodesk.services.periods import Period, PeriodKind
    from ccodesk.services.quarterly_return import return_content

    with store.session() as s:
        meeting = s.scalars(
            select(Engagement.id)
            .where(
                Engagement.kind == EngagementKind.PCCG_MEETING,
                Engagement.status.in_([EngagementStatus.PLANNED, EngagementStatus.CONFIRMED]),
            )
            .order_by(Engagement.starts_at)
        ).first()
        pack = content.pack_content(s, meeting)
        last = Period.containing(PeriodKind.QUARTER, dt.date.today()).previous()
        data = return_content(s, store.borough_code, last)
    e = pack.engagement
    pdfs = {
        "print-pack": documents.pack_pdf(pack),
        "print-feedback-form": documents.form_pdf(FormKind.FEEDBACK, e),
        "print-equality-form": documents.form_pdf(FormKind.EQUALITY, e),
        "print-equality-form-large": documents.form_pdf(FormKind.EQUALITY, None, large_print=True),
        "print-sign-in-sheet": documents.form_pdf(FormKind.SIGN_IN, e),
        "print-return": quarterly.return_pdf(data),
    }
    written = []
    for name, pdf in pdfs.items():
        source = work / f"{name}.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                source,
                out / name,
            ],
            check=True,
        )
        written.append(out / f"{name}.png")
    return written


if __name__ == "__main__":
    main(sys.argv[1:])
