"""Indicator benchmarks (issue 6): every indicator, a borough's store and the central store.

    .venv/bin/python benchmarks/indicators_bench.py [--runs 7] [--reuse DIR]

Builds, in a temporary directory (or DIR, kept for the next run) with a temporary keyring:
  * a borough store (SQLCipher, as on a CCO's laptop) with 10 borough-years of demo data;
  * a plain SQLite central store with 33 borough-years: one year of demo data for each of
    the 33 boroughs, each stamped with its own device id, and a trusted key per device;
then times the full report (every indicator for the period and the period before, plus the
baseline) for a quarter and a year: `build_report` on the borough store, `central_report`
(London-wide and all 33 boroughs) on the central one. Prints a Markdown report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

ANCHOR = dt.date(2026, 11, 22)
PERIODS = ("2026Q3", "2026")


def build_borough(path: Path, years: int) -> None:
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store

    with create_store(path, borough_code="camden", officer_name="Bench Officer") as store:
        load_demo_data(store, scale=years, seed=1, anchor=ANCHOR)


def build_central(path: Path) -> int:
    """33 boroughs × one year of demo data in a plain SQLite store of the central schema."""
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from ccodesk.migrations import upgrade
    from ccodesk.models import DeviceState, Engagement, TrustedKey
    from ccodesk.models.refdata import load_reference_data
    from ccodesk.resource_files import load_json
    from ccodesk.services.demo import generate

    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine, info={"device_id": "centre"}) as s, s.begin():
        s.add(
            DeviceState(
                id=1,
                device_id="centre",
                borough_code=None,
                officer_name="Bench centre",
                officer_role="centre",
                created_at=dt.datetime.now(),
                change_seq=0,
                acked_seq=0,
                hlc_wall=0,
                hlc_counter=0,
            )
        )
        load_reference_data(s)
    for number, borough in enumerate(load_json("reference", "boroughs.json"), start=1):
        device = f"device-{borough['code']}"
        with Session(engine, info={"device_id": device}) as s, s.begin():
            for _ in generate(
                s, borough=borough["code"], officer="CCO", scale=1, seed=number, anchor=ANCHOR
            ):
                pass
            s.add(
                TrustedKey(
                    fingerprint=f"SHA256:{device}",
                    public_key="ssh-ed25519 AAAA bench",
                    role="device",
                    borough_code=borough["code"],
                    device_id=device,
                    added_at=dt.datetime.now(),
                )
            )
    with Session(engine) as s:
        count = int(s.execute(select(func.count()).select_from(Engagement)).scalar_one())
    engine.dispose()
    return count


def timed(runs: int, work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    work()  # warm: imports, the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--reuse", type=Path, help="keep (or reuse) the stores in DIR")
    args = parser.parse_args()
    work = args.reuse or Path(tempfile.mkdtemp(prefix="ccodesk-indicators-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from ccodesk.services.indicators import build_report, central_report
    from ccodesk.services.periods import Period
    from ccodesk.store import open_store

    borough_dir, central_db = work / "borough", work / "central.sqlite"
    marker = work / "built.json"
    built = json.loads(marker.read_text()) if marker.exists() else {}
    if "borough" not in built:
        started = time.perf_counter()
        build_borough(borough_dir, args.years)
        built["borough"] = round(time.perf_counter() - started, 1)
    if "central" not in built:
        started = time.perf_counter()
        built["central_engagements"] = build_central(central_db)
        built["central"] = round(time.perf_counter() - started, 1)
    marker.write_text(json.dumps(built))

    rows = []
    with open_store(borough_dir) as store:
        for label in PERIODS:
            period = Period.parse(label)

            def local(period: Period = period) -> None:
                with store.session() as s:
                    build_report(s, period, area="Camden", borough_code="camden")

            median, worst = timed(args.runs, local)
            rows.append((f"borough store, {args.years} borough-years: {label}", median, worst))
    engine = create_engine(f"sqlite:///{central_db}")
    for label in PERIODS:
        period = Period.parse(label)

        def central(period: Period = period) -> None:
            with Session(engine) as s:
                report = central_report(s, period)
                assert len(report.boroughs) == 33

        median, worst = timed(args.runs, central)
        rows.append(
            (f"central store, 33 borough-years, London + 33 boroughs: {label}", median, worst)
        )
    # of which: the cells withheld (issue 12), over every borough, month, quarter and year
    from ccodesk.resource_files import borough_name
    from ccodesk.services import indicator_suppression
    from ccodesk.services.indicator_suppression import withheld_cells
    from ccodesk.services.indicators import devices_by_borough

    with Session(engine) as s:
        mapping = devices_by_borough(s)
    areas = {"London": None} | {borough_name(c): d for c, d in sorted(mapping.items())}
    found = []
    for label in PERIODS:
        period = Period.parse(label)

        def withheld(period: Period = period) -> None:
            indicator_suppression._PATTERNS.clear()  # worked out each time, none kept
            with Session(engine) as s:
                found.append(withheld_cells(s, (period, period.previous()), areas, london="London"))

        median, worst = timed(args.runs, withheld)
        rows.append((f"  of which the cells withheld (small numbers): {label}", median, worst))
    engine.dispose()

    print(
        f"Built in {built['borough']} s (borough store, {args.years} borough-years) and "
        f"{built['central']} s (central store, {built['central_engagements']:,} engagements)."
    )
    print(f"\n| figure (median / max of {args.runs}) | time | target |\n|---|---|---|")
    last = found[-1]
    print(
        f"Withheld over London, 33 boroughs and the months, quarters and years of 2025-2026: "
        f"{len(last.primary):,} small counts and {len(last.complementary):,} cells protecting "
        "them."
    )
    for name, median, worst in rows:
        target = "≤ 1,000 ms" if name.startswith("borough") else "≤ 5,000 ms"
        limit = 1000 if name.startswith("borough") else 5000
        mark = "✔" if worst <= limit else "✘"
        print(f"| {name} | {median:,.0f} / {worst:,.0f} ms | {target} {mark} |")


if __name__ == "__main__":
    main()
