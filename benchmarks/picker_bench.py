"""The partner picker's search (issue 11) at 15,000 organisations.

    .venv/bin/python benchmarks/picker_bench.py [--reuse DIR] [--organisations N]

Builds a store of N organisations (ten borough-years of demo data: 1,500 a year, by default
15,000) and times `search_partners` — the query behind the picker's debounce, with the lines
it shows — over 300 searches drawn from varied terms: single letters, growing prefixes, whole
words, two-word searches, types, areas, postcodes and groups served. Prints the median and p95,
and the same for the picker widget's whole refresh (query plus filling the results list).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

SEARCHES = 300
TERMS = [
    "k",
    "ke",
    "ken",
    "kentish",
    "kentish t",
    "kentish town",
    "kentish town boys",
    "s",
    "st",
    "st m",
    "st mary",
    "mosque",
    "mos",
    "residents",
    "res assoc",
    "tenants",
    "youth",
    "youth club",
    "school",
    "boys sch",
    "lgbt",
    "lgbt adv",
    "advisory",
    "older",
    "older people",
    "faith",
    "disabled",
    "refugee",
    "somali",
    "somali wom",
    "bangladeshi youth",
    "camden",
    "camden mind",
    "holborn",
    "hol",
    "swiss cottage",
    "kilburn watch",
    "mare street",
    "nw5",
    "church",
    "baptist",
    "neighbourhood watch",
    "health",
    "housing",
    "traders",
    "a",
    "al",
    "zz",
    "x",
    "business",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", type=Path)
    parser.add_argument("--organisations", type=int, default=15_000)
    args = parser.parse_args()
    work = args.reuse or Path(tempfile.mkdtemp(prefix="ccodesk-pickerbench-"))
    work.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    os.environ["CCODESK_CONFIG_DIR"] = str(work / "config")
    store_dir = work / "store"

    from ccodesk.services.demo import load_demo_data
    from ccodesk.services.directory import search_partners
    from ccodesk.store import create_store, open_store

    if not (store_dir / "store.json").exists():
        started = time.perf_counter()
        with create_store(store_dir, borough_code="camden", officer_name="Bench") as store:
            load_demo_data(
                store,
                scale=10,
                seed=1,
                anchor=dt.date.today(),
                engagements_per_year=30,
                organisations_per_year=args.organisations // 10,
            )
        print(f"(store built in {time.perf_counter() - started:.1f} s)", file=sys.stderr)

    from PySide6.QtWidgets import QApplication

    from ccodesk.ui.partner_picker import PartnerPicker, StoreDirectory

    app = QApplication(sys.argv[:1])
    terms = random.Random(11).choices(TERMS, k=SEARCHES)
    queries, refreshes, found, cpu = [], [], [], []
    with open_store(store_dir) as store:
        for term in TERMS:  # warm the page cache once, as a running app would have it
            with store.session() as s:
                search_partners(s, term)
        for term in terms:
            started, cpu_started = time.perf_counter(), time.process_time()
            with store.session() as s:
                results = search_partners(s, term)
            queries.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            found.append(len(results.matches))
        picker = PartnerPicker(StoreDirectory(store))
        picker.resize(600, 400)
        picker.show()
        for term in terms:
            picker.search.setText(term)
            started = time.perf_counter()
            picker.search_now()  # what the debounce timer runs after the last keystroke
            app.processEvents()
            refreshes.append(time.perf_counter() - started)
        picker.close()
    ms = 1000.0
    load = os.getloadavg()[0]
    print(
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"offscreen Qt, store of {args.organisations:,} organisations, {SEARCHES} searches "
        f"drawn from {len(TERMS)} terms; load average {load:.1f} at the end.\n"
    )
    print("| figure | median | p95 | target |\n|---|---|---|---|")
    print(
        f"| partner search (`search_partners`, ≤ 50 results with their lines) | "
        f"{statistics.median(queries) * ms:.1f} ms | {percentile(queries, 0.95) * ms:.1f} ms "
        "| ≤ 30 ms p95 |"
    )
    print(
        f"| the same, CPU time of the process (what the search costs when the machine is "
        f"not shared) | {statistics.median(cpu) * ms:.1f} ms | "
        f"{percentile(cpu, 0.95) * ms:.1f} ms | |"
    )
    print(
        f"| picker refresh after the debounce (search + results list filled) | "
        f"{statistics.median(refreshes) * ms:.1f} ms | "
        f"{percentile(refreshes, 0.95) * ms:.1f} ms | |"
    )
    slowest = sorted(zip(queries, terms, strict=True), reverse=True)[:3]
    print(
        "\n(slowest searches: "
        + ", ".join(f"{t!r} {q * ms:.1f} ms" for q, t in slowest)
        + f"; results per search: median {statistics.median(found):.0f})"
    )


if __name__ == "__main__":
    main()
