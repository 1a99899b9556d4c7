"""The central window's London page (issue 16): how long its whole result takes.

Targets: ≤ 1 s at 33 borough-years and ≤ 5 s at 330 borough-years, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/central_london_bench.py [--boroughs 33] [--runs 5] [--no-postgres]

In a temporary directory with a temporary keyring, builds one borough-year of demo data per
borough (33: the 32 boroughs and the City; about 300 engagements each), each on its own
SQLCipher device store trusted by a central unit, and merges every bundle into the central
store on SQLite and on PostgreSQL (a throw-away cluster) — 33 borough-years (the set-up of
central_board_bench.py). Then times what the page runs on the thread pool when a period is
chosen, in a fresh session each time, in its two steps:
  * figures: `london_figures` (`ccodesk-central report`'s `central_report` without the
    suppression: London and every borough, this period and the one before) and the table's
    lines (`comparison`) — the page shows these at once;
  * withheld: `london_withheld` (the report's small-count suppression, worked out over London,
    every borough and every month, quarter and the year) and the lines with small counts
    withheld — then the "Withhold small counts" box and the exports are enabled;
and both together (the page's whole result): the first run, with no suppression pattern kept
from before (each year's is worked out), then the median and the slowest of --runs (the
patterns kept, as when the officer comes back to a period of the same year), for a quarter,
a month and a year; for the whole page also this process's CPU time, first and median (the
machine is shared: the wall-clock time grows with the load, the CPU time much less; on
PostgreSQL the server's own time is not in it).

Then 330 borough-years: the 33 merged borough-years are copied into the nine years before by
SQL (`add_years`: INSERT … SELECT of every engagement and every record that hangs from one,
with new ids and every date moved back 1 to 9 years; the same devices, so the same
boroughs), since building and merging 330 real borough-years would take about 45 minutes on
this machine; and the page is timed again. A year's report then has a full previous year.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

TARGETS = {33: 1.0, 330: 5.0}  # seconds, the whole result, by borough-years
PERIODS = ("2026Q3", "2026-08", "2026")
YEARS = 10  # 330 borough-years: ten years of the 33
STAGES = ("figures", "withheld", "whole page")


def time_page(url: str, work: Path, period_label: str, runs: int) -> list[tuple[float, ...]]:
    """For the figures (what the page shows first), the cells to withhold (worked out after)
    and both together: the first run, the median and the slowest of `runs` (seconds)."""
    from ccodesk.services import indicator_suppression
    from ccodesk.services.central_london import comparison, london_figures, london_withheld
    from ccodesk.services.periods import Period
    from ccodesk.sync.central import open_central

    period = Period.parse(period_label)
    stages: list[list[float]] = [[], [], [], []]  # the last: the whole page's CPU time
    with open_central(work / "central", url) as central:
        for _ in range(runs + 1):
            if not stages[0]:  # the first run works every pattern out: none kept from before
                indicator_suppression._PATTERNS.clear()
            t0, cpu = time.perf_counter(), time.process_time()
            with central.session() as s:
                data = london_figures(s, period)
            comparison(data, withhold=False)
            t1 = time.perf_counter()
            with central.session() as s:
                data = london_withheld(s, data)
            london, lines = comparison(data, withhold=True)
            t2, cpu = time.perf_counter(), time.process_time() - cpu
            for times, took in zip(stages, (t1 - t0, t2 - t1, t2 - t0, cpu), strict=True):
                times.append(took)
    assert len(lines) == len(data.report.boroughs) and london.name == "London"
    return [(t[0], statistics.median(t[1:]), max(t[1:])) for t in stages]


def copied_tables() -> list[object]:
    """The engagement table and every table that hangs from it (by foreign keys, however
    deep), parents first."""
    from ccodesk.models import Base

    tables = Base.metadata.sorted_tables
    copied = {"engagement"}
    grew = True
    while grew:
        grew = False
        for t in tables:
            if t.name not in copied and any(
                fk.column.table.name in copied for fk in t.foreign_keys
            ):
                copied.add(t.name)
                grew = True
    return [t for t in tables if t.name in copied]


def add_years(work: Path, url: str) -> int:
    """Copy every engagement and what hangs from it into each of the YEARS − 1 years before,
    by SQL: ids get a first character that no UUID has ('g' for a year back, 'h' for two…),
    dates and times move back whole years. The rows added."""
    from sqlalchemy import Date, DateTime, text

    from ccodesk.sync.central import open_central

    tables = copied_tables()
    names = {t.name for t in tables}  # type: ignore[attr-defined]
    added = 0
    with open_central(work / "central", url) as central, central.transaction() as s:
        postgres = s.get_bind().dialect.name == "postgresql"
        for table in tables:
            ids = [
                c.name
                for c in table.columns  # type: ignore[attr-defined]
                if (c.primary_key and c.name == "id")
                or any(fk.column.table.name in names for fk in c.foreign_keys)
            ]
            original = f"substr({ids[0]}, 1, 1) < 'g'"  # a UUID's first character is hex
            for back in range(1, YEARS):
                letter = chr(ord("f") + back)
                exprs = []
                for c in table.columns:  # type: ignore[attr-defined]
                    if c.name in ids:
                        exprs.append(f"'{letter}' || substr({c.name}, 2)")
                    elif isinstance(c.type, DateTime | Date) and postgres:
                        cast = "date" if not isinstance(c.type, DateTime) else "timestamp"
                        exprs.append(f"CAST({c.name} - interval '{back} years' AS {cast})")
                    elif isinstance(c.type, DateTime | Date):  # stored as ISO text on SQLite
                        exprs.append(
                            f"(CAST(substr({c.name}, 1, 4) AS INTEGER) - {back})"
                            f" || substr({c.name}, 5)"
                        )
                    else:
                        exprs.append(c.name)
                columns = ", ".join(c.name for c in table.columns)  # type: ignore[attr-defined]
                result = s.execute(
                    text(
                        f"INSERT INTO {table.name} ({columns}) "  # type: ignore[attr-defined]
                        f"SELECT {', '.join(exprs)} FROM {table.name} WHERE {original}"  # type: ignore[attr-defined]
                    )
                )
                added += result.rowcount  # type: ignore[attr-defined]
    analyse(work, url)
    return added


def analyse(work: Path, url: str) -> None:
    """On PostgreSQL, refresh the planner's statistics, as autovacuum soon does after a bulk
    load (the benchmark would otherwise time plans made for empty tables)."""
    from sqlalchemy import text

    from ccodesk.sync.central import open_central

    if url.startswith("postgresql"):
        with open_central(work / "central", url) as central, central.transaction() as s:
            s.execute(text("ANALYZE"))


def has_years(work: Path, url: str) -> bool:
    """Whether `add_years` ran on this store already (a --work folder timed again)."""
    from sqlalchemy import text

    from ccodesk.sync.central import open_central

    with open_central(work / "central", url) as central, central.session() as s:
        return bool(s.execute(text("SELECT 1 FROM engagement WHERE id LIKE 'g%'")).first())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boroughs", type=int, default=33)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--work", type=Path, help="a folder an earlier run built: SQLite only")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ccodesk-londonbench-"))
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(work / "keyring.json")
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.temp_keyring.TempFileKeyring"
    from central_board_bench import build, merge

    from ccodesk.resource_files import load_json

    boroughs = [b["code"] for b in load_json("reference", "boroughs.json")][: args.boroughs]
    started = time.perf_counter()
    if args.work is None:
        bundles, trust = build(work, boroughs)
        print(f"(built {len(bundles)} borough-years in {time.perf_counter() - started:.0f} s)",
              file=sys.stderr)  # fmt: skip
    else:
        bundles, trust = [Path(b) for b in boroughs], []  # merged already
    targets = [("SQLite", f"sqlite:///{work / 'central' / 'central.db'}")]
    cluster = None
    if not args.no_postgres and args.work is None:
        from tests.support.postgres import new_database, postgres_cluster

        cluster = postgres_cluster()
        pg = cluster.__enter__()
        targets.append(("PostgreSQL", new_database(pg, "london")))
    rows = []
    try:
        for name, url in targets:
            t0 = time.perf_counter()
            if args.work is None:
                merge(work, url, bundles, trust)
                analyse(work, url)
                print(f"({name}: merged in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            for size in (len(bundles), len(bundles) * YEARS):
                if size != len(bundles) and not has_years(work, url):
                    t0 = time.perf_counter()
                    added = add_years(work, url)
                    print(f"({name}: {added:,} rows copied into {YEARS - 1} earlier years "
                          f"in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)  # fmt: skip
                for label in PERIODS:
                    *timed, cpu = time_page(url, work, label, args.runs)
                    for stage, figures in zip(STAGES, timed, strict=True):
                        if stage == STAGES[-1]:  # this process's CPU time (not the server's)
                            figures = (*figures, cpu[0], cpu[1])
                        rows.append((name, size, label, stage, figures))
                        print(f"  {name} {size} {label:8} {stage:10} first {figures[0]:.3f} s, "
                              f"median {figures[1]:.3f} s, slowest {figures[2]:.3f} s",
                              file=sys.stderr)  # fmt: skip
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
    print(f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}.\n")  # fmt: skip
    print(f"| store | borough-years | period | step | first | median of {args.runs} "
          "| slowest | target |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    over = []
    for name, size, label, stage, (first, median, slowest, *cpu) in rows:
        target = ""
        if stage == STAGES[-1]:
            limit = TARGETS[33] if size < YEARS * args.boroughs else TARGETS[330]
            ok = median <= limit
            target = f"≤ {limit:.0f} s {'✔' if ok else '✘'}"
            if not ok:
                over.append(f"{name} {size} {label}")
        used = f" (CPU {cpu[0]:.2f} s / {cpu[1]:.2f} s)" if cpu else ""
        print(f"| {name} | {size} | {label} | {stage}{used} | {first:.3f} s | {median:.3f} s | "
              f"{slowest:.3f} s | {target} |")  # fmt: skip
    print("\nwhole page within target" if not over else f"\nOVER TARGET: {', '.join(over)}")
    print(f"(work directory {work})", file=sys.stderr)


if __name__ == "__main__":
    main()
