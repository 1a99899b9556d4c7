"""Desktop benchmarks (issue 3) on a 100,000-engagement store.

    .venv/bin/python benchmarks/ui_bench.py [--reuse DIR]

Measures, offscreen:
  * cold start to the main window shown (`ccodesk --smoke-test` in a new process), as a ratio
    to a bare PySide6 window started the same way in the same run (median of 11 each): from
    just before the process is spawned to the window shown and painted, wall clock;
  * cold start to the dashboard filled from the store (the window is shown first and the
    store opens behind it, so this is when the officer sees their data);
  * peak memory (max RSS) of that start;
  * the engagement list's first page (count + first 200 rows) after a filter change;
  * a search keystroke to the updated list (the query behind the debounce), median and p95;
  * a header click sorting the engagement list by each column, each way, to its first page
    re-queried and painted (and the same with a kind filter on).
`--reuse DIR` keeps/uses a store built by an earlier run (the build takes about 80 s);
`--no-starts` skips the 22 new processes (for measuring the lists alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

STARTS = 11  # new processes of each kind, interleaved: this shared machine is noisy
TERMS = [
    "k",
    "kn",
    "kni",
    "knif",
    "knife",
    "knife c",
    "knife cr",
    "knife crime",
    "y",
    "yo",
    "you",
    "youth",
    "h",
    "ha",
    "hat",
    "hate",
    "hate cr",
    "mosque",
    "library",
    "older",
    "burglary",
    "outreach",
    "residents",
    "street",
    "drugs",
]
BARE = (
    "import sys, time; t=time.perf_counter(); from PySide6.QtWidgets import QApplication, "
    "QMainWindow, QLabel; app=QApplication(sys.argv[:1]); w=QMainWindow(); "
    "w.setCentralWidget(QLabel('hello')); w.resize(1200, 760); w.show(); app.processEvents(); "
    "w.grab(); print('shown', time.time())"
)
APP = (
    "import resource, sys; from ccodesk.ui.app import main, SMOKE_TIMES; "
    "rc = main(['--data-dir', sys.argv[1], '--smoke-test']); "
    "print('shown', SMOKE_TIMES['shown']); "
    "print('ready', SMOKE_TIMES['ready']); "
    "print('live', SMOKE_TIMES['live']); "
    "print('maxrss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)"
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed_run(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawning the process to each `name epoch` line it prints."""
    started = time.time()
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    marks = dict(line.split()[:2] for line in out.splitlines() if len(line.split()) == 2)
    return {
        name: (float(value) - started if name != "maxrss_kb" else float(value))
        for name, value in marks.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", type=Path)
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--no-starts", action="store_true")
    args = parser.parse_args()
    work = args.reuse or Path(tempfile.mkdtemp(prefix="ccodesk-uibench-"))
    work.mkdir(parents=True, exist_ok=True)
    keyring_file = work / "keyring.json"
    keyring.set_keyring(TempFileKeyring(keyring_file))
    env = {
        **os.environ,
        "CCODESK_TEST_KEYRING_FILE": str(keyring_file),
        "PYTHON_KEYRING_BACKEND": "tests.support.temp_keyring.TempFileKeyring",
        "PYTHONPATH": str(ROOT),
        "CCODESK_CONFIG_DIR": str(work / "config"),
        "CCODESK_LOG_DIR": str(work / "log"),
    }
    os.environ["CCODESK_CONFIG_DIR"] = env["CCODESK_CONFIG_DIR"]
    store_dir = work / "store"

    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store, open_store

    if not (store_dir / "store.json").exists():
        with create_store(store_dir, borough_code="camden", officer_name="Bench") as store:
            load_demo_data(
                store,
                scale=10,
                seed=1,
                anchor=dt.date.today(),
                engagements_per_year=args.engagements // 10,
            )

    bare, cold, ready, live, rss = [], [], [], [], []
    for _ in range(0 if args.no_starts else STARTS):
        bare.append(timed_run([sys.executable, "-c", BARE], env)["shown"])
        marks = timed_run([sys.executable, "-c", APP, str(store_dir)], env)
        cold.append(marks["shown"])
        ready.append(marks["ready"])
        live.append(marks["live"])
        rss.append(marks["maxrss_kb"] / 1024)

    from PySide6.QtWidgets import QApplication

    from ccodesk.models import EngagementKind
    from ccodesk.ui.engagements_page import EngagementsPage

    app = QApplication(sys.argv[:1])
    first_page, keystrokes = [], []
    with open_store(store_dir) as store:
        page = EngagementsPage(store)
        for kind in [None, *list(EngagementKind)[:5]] * 2:
            page.kind.setCurrentIndex(page.kind.findData(kind.value if kind else None))
            started = time.perf_counter()
            page.apply_filters()
            first_page.append(time.perf_counter() - started)
        page.kind.setCurrentIndex(0)
        for _ in range(3):
            for term in TERMS:
                page.search.setText(term)
                started = time.perf_counter()
                page.apply_filters()  # what the debounce timer runs after the keystroke
                app.processEvents()
                keystrokes.append(time.perf_counter() - started)
        total = page.model.total
        page.search.setText("")
        sorts, filtered_sorts = sort_each_column(app, page)
    ms = 1000.0
    print(
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"offscreen Qt, store of {args.engagements:,} engagements.\n"
    )
    print("| figure | value | target |\n|---|---|---|")
    if args.no_starts:
        bare = cold = ready = live = rss = [float("nan")]
    print(
        f"| bare PySide6 window, new process, median of {STARTS} | "
        f"{statistics.median(bare) * ms:.0f} ms | |"
    )
    print(
        f"| ccodesk to main window shown (`--smoke-test`), median of {STARTS} | "
        f"{statistics.median(cold) * ms:.0f} ms | |"
    )
    print(
        f"| cold start ÷ bare window | {statistics.median(cold) / statistics.median(bare):.2f}× "
        "| ≤ 1.5× |"
    )
    print(
        f"| ccodesk to dashboard filled (the last run's lines, from the store), median of "
        f"{STARTS} | "
        f"{statistics.median(ready) * ms:.0f} ms | |"
    )
    print(
        f"| dashboard filled ÷ bare window | "
        f"{statistics.median(ready) / statistics.median(bare):.2f}× | ≤ 5× |"
    )
    print(
        f"| ccodesk to the live figures (the store open), median of {STARTS} | "
        f"{statistics.median(live) * ms:.0f} ms "
        f"({statistics.median(live) / statistics.median(bare):.2f}× bare) | |"
    )
    print(f"| peak memory of that start (max RSS) | {max(rss):.0f} MB | ≤ 300 MB |")
    print(
        f"| engagement list, first page after a filter change, median / max of "
        f"{len(first_page)} | {statistics.median(first_page) * ms:.1f} / "
        f"{max(first_page) * ms:.1f} ms | ≤ 100 ms |"
    )
    print(
        f"| search keystroke to updated list, median / p95 of {len(keystrokes)} | "
        f"{statistics.median(keystrokes) * ms:.1f} / {percentile(keystrokes, 0.95) * ms:.1f} "
        "ms | ≤ 50 ms |"
    )
    for label, figures in (("", sorts), (", focus groups only", filtered_sorts)):
        for column, times in figures.items():
            print(
                f"| engagement list sorted by {column}{label} (header click to first page "
                f"painted), median / max of {len(times)} | {statistics.median(times) * ms:.1f} / "
                f"{max(times) * ms:.1f} ms | ≤ 100 ms |"
            )
    print(f"\n(last search matched {total:,} engagements)")


SORT_ROUNDS = 3


def sort_each_column(app: Any, page: Any) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds from a header's sort to the first page re-queried and painted, per column.

    Each column ascending then descending, `SORT_ROUNDS` times; then again with a filter on.
    """
    from PySide6.QtCore import Qt

    from ccodesk.models import EngagementKind

    page.resize(1140, 598)
    page.show()
    results: list[dict[str, list[float]]] = []
    for kind in (None, EngagementKind.FOCUS_GROUP):
        page.kind.setCurrentIndex(page.kind.findData(kind.value if kind else None))
        page.apply_filters()
        assert page.model.rowCount() == page.model.page_size, "too few engagements to sort"
        app.processEvents()
        figures: dict[str, list[float]] = {}
        for _ in range(SORT_ROUNDS):
            for number, column in enumerate(page.model.columns):
                for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                    started = time.perf_counter()
                    # what a header click does: the view passes it to the model's sort()
                    page.table.sortByColumn(number, order)
                    page.table.viewport().repaint()
                    figures.setdefault(column.header, []).append(time.perf_counter() - started)
        results.append(figures)
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    return results[0], results[1]


if __name__ == "__main__":
    main()
