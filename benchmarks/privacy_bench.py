"""Retention schedule benchmark (issue 15): `privacy due` and a purge of a year's named
attendance at 100,000 engagements and 15,000 organisations.

    .venv/bin/python benchmarks/privacy_bench.py [--engagements 100000] [--runs 7]

In a temporary directory with a temporary keyring: a store of ten borough-years of demo data
(`load_demo_data`, 10,000 engagements and 1,500 organisations a year, with their contacts);
then each engagement is given 0 to 5 named attendees among those contacts and one in five a
note, and a few hundred drafts of various ages are added (plain `executemany`). Timed:
  * `services.retention.due`, `--runs` times in one process (median and worst), on the purge's
    day and on a day when most rules have much due (2031-01-01: the demo contacts, edited
    when built, are then over three years old); and `ccodesk-cli privacy due` as a user runs
    it (a new process: imports, key, open, due; twice, the second with a warm disk cache);
  * `services.retention.purge` of the named attendance of the oldest year's engagements (the
    day chosen so that exactly that year is due), in its transaction, commit included; and
    the bundle's size of change it leaves (engagements given a new version).
Prints lines for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

ANCHOR = dt.date(2026, 11, 22)
YEARS = 10


def build(data_dir: Path, engagements: int) -> tuple[float, int, int, int]:
    """The store; returns (seconds, engagements, organisations, attendee links)."""
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store

    with create_store(data_dir, borough_code="camden", officer_name="Bench Officer") as store:
        t0 = time.perf_counter()
        report = load_demo_data(
            store,
            scale=YEARS,
            seed=1,
            anchor=ANCHOR,
            engagements_per_year=engagements // YEARS,
            organisations_per_year=1500,
        )
        links = _attendees(store)
        took = time.perf_counter() - t0
    return took, report.engagements, report.organisations, links


def _attendees(store: object) -> int:
    rng = random.Random(15)
    raw = store.engine.raw_connection()  # type: ignore[attr-defined]
    try:
        cur = raw.cursor()
        cur.execute("BEGIN")
        contacts = [r[0] for r in cur.execute("SELECT id FROM contact").fetchall()]
        engagements = [r[0] for r in cur.execute("SELECT id FROM engagement").fetchall()]
        links = []
        notes = []
        for eid in engagements:
            for cid in rng.sample(contacts, rng.randint(0, 5)):
                links.append((eid, cid))
            if rng.random() < 0.2:
                notes.append(("Mrs Patel asked about the lighting on the estate", eid))
        cur.executemany("INSERT INTO engagement_attendee VALUES (?, ?)", links)
        cur.executemany("UPDATE engagement SET notes = ? WHERE id = ?", notes)
        drafts = [
            (
                f"engagement:new-{i}",
                (dt.datetime(2026, 11, 1) - dt.timedelta(days=i % 90)).isoformat(sep=" "),
                "A draft",
                "{}",
            )
            for i in range(300)
        ]
        cur.executemany("INSERT INTO draft VALUES (?, ?, ?, ?)", drafts)
        cur.execute("COMMIT")
    finally:
        raw.close()
    return len(links)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from sqlalchemy import func, select

    from ccodesk.models import Engagement, engagement_attendee
    from ccodesk.services import retention
    from ccodesk.store import open_store

    work = Path(tempfile.mkdtemp(prefix="ccodesk-privacy-bench-"))
    keyring_file = work / "keyring.json"
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(keyring_file)
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.temp_keyring.TempFileKeyring"
    os.environ["PYTHONPATH"] = str(ROOT)
    keyring.set_keyring(TempFileKeyring(keyring_file))
    built, engagements, organisations, links = build(work / "big", args.engagements)

    with open_store(work / "big") as store:
        with store.session() as s:
            first = s.scalar(select(func.min(Engagement.starts_at)))
        assert first is not None
        # the day on which the oldest year's names (and only they) are due: a year after it
        cut = dt.date(first.year + 1, first.month, first.day)
        day = retention._minus_months(cut, -12)
        timed: dict[dt.date, tuple[list[float], list[retention.Due]]] = {}
        for when in (day, dt.date(2031, 1, 1)):
            times, found = [], []
            for _ in range(args.runs):
                with store.session() as s:
                    t0 = time.perf_counter()
                    found = retention.due(s, when)
                    times.append(time.perf_counter() - t0)
            timed[when] = (times, found)
        found = timed[day][1]
        names = next(d.count for d in found if d.category == "named_attendance")
        with store.session() as s:
            named = s.scalar(
                select(func.count(func.distinct(engagement_attendee.c.engagement_id)))
                .join(Engagement, Engagement.id == engagement_attendee.c.engagement_id)
                .where(Engagement.starts_at < dt.datetime.combine(cut, dt.time()))
            )
        seq_before = store.pending_changes()
        t0 = time.perf_counter()
        done = retention.purge_store(store, day, ["named_attendance"])
        purge_s = time.perf_counter() - t0
        versions = store.pending_changes() - seq_before
        assert done[0].count == names, (done, names)
    cli_s = []
    for _ in range(2):
        t0 = time.perf_counter()
        cli = subprocess.run(
            [str(Path(sys.executable).parent / "ccodesk-cli"), "--data-dir", str(work / "big"),
             "privacy", "due", "--on", day.isoformat()],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        cli_s.append(time.perf_counter() - t0)
    size = (work / "big" / "ccodesk.db").stat().st_size / 1e6
    print(
        f"privacy: {engagements:,} engagements, {organisations:,} organisations, "
        f"{links:,} named attendees ({size:,.0f} MB store; built in {built:.0f} s)"
    )
    for when, (times, found) in timed.items():
        print(
            f"  services.retention.due on {when}: median {statistics.median(times) * 1000:.0f}"
            f" ms, worst {max(times) * 1000:.0f} ms of {args.runs} (target ≤ 200 ms); due: "
            + ", ".join(f"{d.label} {d.count:,}" for d in found)
        )
    print(
        "  ccodesk-cli privacy due (new process: imports, key, open, due): "
        + ", then ".join(f"{t:.2f} s" for t in cli_s)
    )
    print(
        f"  purge of a year's named attendance: {names:,} names off {named:,} engagements in "
        f"{purge_s:.2f} s, commit included (target ≤ 5 s); {versions:,} new versions "
        "(the engagements, the contacts whose last name went, the deletion record)"
    )
    assert "Named attendance" in cli.stdout


if __name__ == "__main__":
    main()
