"""Printing benchmarks (issue 5): a meeting pack, the quarterly return, 50 packs as a batch.

    .venv/bin/python benchmarks/print_bench.py [--runs 9]

Builds a borough-year of demo data (Hackney, seed 7, anchored 2026-11-22) in a temporary
directory with a temporary keyring, then times, from the open store to the PDF's bytes:
  * the meeting pack of the PCCG meeting with the longest history (median of --runs);
  * the quarterly return for 2026Q3 with its charts (median of --runs);
  * 50 packs written as one batch (`print_packs`, files written atomically), per-pack figure.
Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402


def timed(work, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    from sqlalchemy import select

    from ccodesk.models import Engagement, EngagementKind
    from ccodesk.printing import documents, quarterly
    from ccodesk.services import pack_content as content
    from ccodesk.services.demo import load_demo_data
    from ccodesk.services.pack_batch import MEETING_KINDS, print_packs
    from ccodesk.services.periods import Period
    from ccodesk.services.quarterly_return import return_content
    from ccodesk.store import create_store

    work = Path(tempfile.mkdtemp(prefix="ccodesk-print-bench-"))
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    with create_store(
        work / "store", borough_code="hackney", officer_name="Bench Officer"
    ) as store:
        load_demo_data(store, scale=1, seed=7, anchor=dt.date(2026, 11, 22))
        with store.session() as s:
            meetings = s.execute(
                select(Engagement.id, Engagement.starts_at, Engagement.title)
                .where(Engagement.kind == EngagementKind.PCCG_MEETING)
                .order_by(Engagement.starts_at.desc())
            ).all()
            latest = meetings[0][0]
            sample = content.pack_content(s, latest)

        def one_pack() -> bytes:
            with store.session() as s:
                pack = content.pack_content(s, latest)
            return documents.pack_pdf(pack)

        def the_return() -> bytes:
            with store.session() as s:
                data = return_content(s, store.borough_code, Period.parse_quarter("2026Q3"))
            return quarterly.return_pdf(data)

        one_pack()  # fonts registered, modules imported: the desktop and CLI pay this once
        pack_times = timed(one_pack, args.runs)
        return_times = timed(the_return, args.runs)
        pages = one_pack().count(b"/Type /Page\n")
        with store.session() as s:
            fifty = [
                (i, when, title)
                for i, when, title in s.execute(
                    select(Engagement.id, Engagement.starts_at, Engagement.title)
                    .where(Engagement.kind.in_(list(MEETING_KINDS)))
                    .order_by(Engagement.starts_at.desc())
                    .limit(50)
                )
            ]
        result = print_packs(store, fifty, work / "packs")
        size = sum(p.stat().st_size for p in result.written) / len(result.written)

    pack_median, return_median = statistics.median(pack_times), statistics.median(return_times)
    print(
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}"
    )
    print()
    print("| figure | value | target |")
    print("|---|---|---|")
    print(
        f"| one meeting pack ({pages} pages, {len(sample.actions)} actions, "
        f"{len(sample.you_said)} \u201cyou said, we did\u201d), median / max of {args.runs} "
        f"| {pack_median * 1000:.0f} / {max(pack_times) * 1000:.0f} ms | \u2264 500 ms "
        + ("✔" if pack_median <= 0.5 else "✘")
        + " |"
    )
    print(
        f"| quarterly return 2026Q3 with charts, median / max of {args.runs} "
        f"| {return_median * 1000:.0f} / {max(return_times) * 1000:.0f} ms | \u2264 2,000 ms "
        + ("✔" if return_median <= 2 else "✘")
        + " |"
    )
    print(
        f"| 50 packs as one batch (written atomically, {size / 1024:.0f} KB each) "
        f"| {result.seconds:.1f} s, {result.seconds / len(result.written) * 1000:.0f} ms a pack | |"
    )


if __name__ == "__main__":
    main()
