"""Store benchmarks (issue 2): demo-data throughput against a raw floor, open time, search.

    .venv/bin/python benchmarks/store_bench.py [--years 10] [--big 100000] [--queries 300]

Builds, in a temporary directory with a temporary keyring:
  * a 10 borough-year store with `load_demo_data` (ORM models, stamping, FTS triggers), then
    the floor: the very same rows read back and inserted into a fresh store of the same schema
    with plain DB-API `executemany` (no SQLAlchemy, no Python-side row building);
  * a 100,000-engagement store, on which store open time and search latency are measured.
Prints a Markdown report for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
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
TERMS = [
    "knife",
    "knife crime",
    "youth",
    "mosque",
    "older",
    "burglary",
    "hate crime",
    "stop and",
    "library",
    "community centre",
    "drugs",
    "kni",
    "bur",
    "domestic violence",
    "road safety",
    "street",
    "faith",
    "refugee",
    "asylum",
    "anti social",
    "policing plan",
    "focus group",
    "outreach",
    "pccg",
    "residents",
    "estate",
    "safer",
    "transport",
    "robbery",
    "alcohol",
    "schools",
    "lighting",
    "patrol",
    "victim",
    "mental health",
    "neighbourhood",
    "vehicle",
    "terror",
    "public order",
    "lgbt",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build(
    data_dir: Path, *, years: int, per_year: int, orgs_per_year: int
) -> tuple[float, int, int]:
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store

    with create_store(data_dir, borough_code="camden", officer_name="Bench Officer") as store:
        started = time.perf_counter()
        report = load_demo_data(
            store,
            scale=years,
            seed=1,
            anchor=ANCHOR,
            engagements_per_year=per_year,
            organisations_per_year=orgs_per_year,
        )
        took = time.perf_counter() - started
    return took, report.total_rows, report.engagements


def raw_floor(source_dir: Path, target_dir: Path) -> tuple[float, int]:
    """Insert the rows of `source_dir` into a fresh store with plain executemany."""
    from sqlalchemy import Table, text

    from ccodesk.services.demo import _ORDER
    from ccodesk.store import create_store, open_store

    with open_store(source_dir) as source, source.session() as s:
        tables = {}
        for target in _ORDER:
            name = target.name if isinstance(target, Table) else target.__tablename__
            result = s.execute(text(f"SELECT * FROM {name}"))
            tables[name] = (list(result.keys()), [tuple(r) for r in result])
    with create_store(target_dir, borough_code="camden", officer_name="Floor") as target:
        raw = target.engine.raw_connection()
        try:
            cur = raw.cursor()
            started = time.perf_counter()
            cur.execute("BEGIN")
            rows = 0
            for name, (cols, data) in tables.items():
                marks = ", ".join("?" for _ in cols)
                cur.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({marks})", data)
                rows += len(data)
            cur.execute("COMMIT")
            took = time.perf_counter() - started
        finally:
            raw.close()
    return took, rows


def open_times(data_dir: Path, runs: int) -> list[float]:
    from ccodesk.store import open_store

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        store = open_store(data_dir)
        times.append(time.perf_counter() - started)
        store.close()
    return times


def cold_open(data_dir: Path, keyring_file: Path) -> float:
    code = (
        "import time; t=time.perf_counter(); from ccodesk.store import open_store; "
        f"open_store(__import__('pathlib').Path({str(data_dir)!r})).close(); "
        "print(time.perf_counter()-t)"
    )
    env = {
        **os.environ,
        "CCODESK_TEST_KEYRING_FILE": str(keyring_file),
        "PYTHON_KEYRING_BACKEND": "tests.support.temp_keyring.TempFileKeyring",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.strip())


def search_times(data_dir: Path, queries: int) -> tuple[list[float], list[float]]:
    from ccodesk.services.engagements import EngagementFilter, list_engagements
    from ccodesk.services.search import search
    from ccodesk.store import open_store

    rng = random.Random(2)
    terms = [rng.choice(TERMS) for _ in range(queries)]
    global_times, list_times = [], []
    with open_store(data_dir) as store, store.session() as s:
        for term in TERMS:  # warm the page cache once, as a running app would be
            search(s, term)
        for term in terms:
            started = time.perf_counter()
            search(s, term, limit=20)
            global_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            list_engagements(s, EngagementFilter(text=term), limit=100)
            list_times.append(time.perf_counter() - started)
    return global_times, list_times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ccodesk-bench-"))
    keyring_file = work / "keyring.json"
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(keyring_file)
    keyring.set_keyring(TempFileKeyring(keyring_file))
    ms = 1000.0

    demo_s, demo_rows, _ = build(work / "ten", years=args.years, per_year=300, orgs_per_year=1500)
    floor_s, floor_rows = raw_floor(work / "ten", work / "floor")
    assert floor_rows == demo_rows, (floor_rows, demo_rows)

    big_years = 10
    big_s, big_rows, big_engagements = build(
        work / "big", years=big_years, per_year=args.big // big_years, orgs_per_year=1500
    )
    opens = open_times(work / "big", 30)
    cold = [cold_open(work / "big", keyring_file) for _ in range(5)]
    global_t, list_t = search_times(work / "big", args.queries)
    size_mb = (work / "big" / "ccodesk.db").stat().st_size / 1e6

    print(
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLCipher store (raw key), WAL.\n"
    )
    print("| figure | value | target |\n|---|---|---|")
    print(
        f"| demo data, {args.years} borough-years | {demo_rows:,} rows in {demo_s:.2f} s = "
        f"{demo_rows / demo_s:,.0f} rows/s | |"
    )
    print(
        f"| raw `executemany` floor, same rows | {floor_s:.2f} s = "
        f"{floor_rows / floor_s:,.0f} rows/s | |"
    )
    print(f"| generation ÷ floor | {demo_s / floor_s:.2f}× | ≤ 3× |")
    print(
        f"| {big_engagements:,}-engagement store | {big_rows:,} rows in {big_s:.1f} s "
        f"({big_rows / big_s:,.0f} rows/s), {size_mb:,.0f} MB | |"
    )
    print(
        f"| store open (in process), median / p95 of 30 | {statistics.median(opens) * ms:.1f}"
        f" / {percentile(opens, 0.95) * ms:.1f} ms | ≤ 150 ms |"
    )
    print(
        f"| store open (new process incl. imports), median of 5 | "
        f"{statistics.median(cold) * ms:.0f} ms | |"
    )
    print(
        f"| search, all record kinds, median / p95 of {args.queries} | "
        f"{statistics.median(global_t) * ms:.1f} / {percentile(global_t, 0.95) * ms:.1f} ms | "
        "p95 ≤ 30 ms |"
    )
    print(
        f"| engagement list filtered by search text, median / p95 | "
        f"{statistics.median(list_t) * ms:.1f} / {percentile(list_t, 0.95) * ms:.1f} ms | |"
    )


if __name__ == "__main__":
    main()
