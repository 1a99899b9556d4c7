"""The central unit's boroughs board (issue 16): how long its query takes. Target ≤ 200 ms.

    .venv/bin/python benchmarks/central_board_bench.py [--boroughs 33] [--no-postgres]

In a temporary directory with a temporary keyring:
  * builds one borough-year of demo data per borough (33: the 32 boroughs and the City), each
    on its own SQLCipher device store trusted by a central unit; every third borough loses a
    small bundle on the way (a gap on the board); merges every bundle that arrives into the
    central store (SQLite, and PostgreSQL on a throw-away cluster) — 33 borough-years;
  * times `read_board` (a fresh session each time, as the page reads it): the first read,
    then the median and the slowest of 20;
  * then gives each borough nine more years of history, as ten years of a real central unit
    would hold: a device a year (the older ones revoked), 52 weekly bundles a year each, and
    a few open conflicts — 330 borough-years of bundle history. Those bundle_log, trusted_key
    and sync_conflict rows are inserted directly, not merged from bundles: the board reads only
    those tables (never the records), and merging 330 real borough-years takes about 45 min on
    this 2-core machine (about 8 s a borough-year to build, export and merge). The record
    tables stay at 33 borough-years.
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

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

RUNS = 20
YEARS = 10  # 330 borough-years: ten years of the 33
WEEKS = 52


Trust = list[tuple[str, str, str]]  # borough, officer, public key


def build(work: Path, boroughs: list[str]) -> tuple[list[Path], Trust]:
    """One borough-year per borough, trusted by the centre in `work/central`; the bundles that
    reach the centre (every third borough's first small bundle is lost: a gap)."""
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store
    from ccodesk.sync.central import init_central, reference_bundle, trust_add
    from ccodesk.sync.export import export_bundle
    from ccodesk.sync.receive import import_bundle
    from tests.test_sync import add_engagement

    central = init_central(work / "central", None, "Bench Centre")
    stores = []
    trust: Trust = []
    for n, code in enumerate(boroughs):
        store = create_store(work / code, borough_code=code, officer_name=f"Officer {n}")
        load_demo_data(store, scale=1, seed=n + 1, anchor=dt.date(2026, 11, 22))
        trust.append((code, f"Officer {n}", store.public_key_openssh()))
        trust_add(central, *trust[-1])
        stores.append(store)
    reference = work / "reference.ccref"
    reference.write_bytes(reference_bundle(central))
    central.close()
    arrived = []
    for n, store in enumerate(stores):
        import_bundle(store, reference, confirm_centre=lambda _fp: True)
        if n % 3 == 0:
            add_engagement(store, "A meeting whose bundle was lost")
            export_bundle(store, work / f"{store.borough_code}-lost.ccbundle")
        path = work / f"{store.borough_code}.ccbundle"
        export_bundle(store, path)
        arrived.append(path)
        store.close()
    return arrived, trust


def merge(work: Path, url: str, bundles: list[Path], trust: Trust) -> None:
    from ccodesk.sync.central import open_central, trust_add
    from ccodesk.sync.central_merge import merge_bundle

    home = work / "central"
    with open_central(home, url, upgrade=True) as central:
        if not url.endswith("central.db"):  # a new database: the trust list again
            for code, officer, key in trust:
                trust_add(central, code, officer, key)
        for path in bundles:
            outcome = merge_bundle(central, path)
            assert outcome.ok, outcome.message


def add_history(work: Path, url: str, boroughs: list[str]) -> int:
    """Nine more years of bundle history per borough (see the module's docstring); the
    bundle_log rows added."""
    from ccodesk.models import BundleLog, SyncConflict, TrustedKey, new_id
    from ccodesk.sync.central import open_central

    now = dt.datetime.now()
    added = 0
    with open_central(work / "central", url) as central, central.transaction() as s:
        for b, code in enumerate(boroughs):
            for year in range(1, YEARS):
                device = new_id()
                start = now - dt.timedelta(days=365 * (YEARS - year + 1))
                s.add(
                    TrustedKey(
                        fingerprint=f"SHA256:bench-{b}-{year}",
                        public_key="ssh-ed25519 AAAA bench",
                        role="device",
                        borough_code=code,
                        officer=f"Officer {b}",
                        device_id=device,
                        added_at=start,
                        revoked_at=start + dt.timedelta(days=365),
                    )
                )
                for week in range(WEEKS):
                    if (b + week) % 17 == 0:
                        continue  # a lost bundle now and then
                    bundle_id = new_id()
                    s.add(
                        BundleLog(
                            bundle_id=bundle_id,
                            content_hash="0" * 64,
                            kind="changes",
                            device_id=device,
                            borough_code=code,
                            seq=week + 1,
                            signer=f"SHA256:bench-{b}-{year}",
                            received_at=start + dt.timedelta(days=7 * week),
                            applied=120,
                            already=0,
                            conflicts=0,
                            up_to_seq=(week + 1) * 120,
                        )
                    )
                    added += 1
                    if week % 26 == 0 and year == YEARS - 1:
                        s.add(
                            SyncConflict(
                                entity="engagement",
                                record_id=new_id(),
                                local={},
                                incoming={},
                                winner="incoming",
                                bundle_id=bundle_id,
                                found_at=start,
                            )
                        )
            s.flush()
    return added


def time_board(work: Path, url: str) -> tuple[float, float, float, int]:
    """The first read, the median and the slowest of RUNS (seconds); late boroughs."""
    from ccodesk.services.central_board import read_board
    from ccodesk.sync.central import open_central

    with open_central(work / "central", url) as central:
        times = []
        lines = []
        for _ in range(RUNS + 1):
            t0 = time.perf_counter()
            with central.session() as s:
                lines = read_board(s, dt.date.today(), 14)
            times.append(time.perf_counter() - t0)
    assert len(lines) == 33
    late = sum(line.late for line in lines)
    return times[0], statistics.median(times[1:]), max(times[1:]), late


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boroughs", type=int, default=33)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ccodesk-boardbench-"))
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(work / "keyring.json")
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.temp_keyring.TempFileKeyring"
    from ccodesk.resource_files import load_json

    boroughs = [b["code"] for b in load_json("reference", "boroughs.json")][: args.boroughs]
    started = time.perf_counter()
    bundles, trust = build(work, boroughs)
    print(f"(built {len(bundles)} borough-years in {time.perf_counter() - started:.0f} s)",
          file=sys.stderr)  # fmt: skip
    sqlite_url = f"sqlite:///{work / 'central' / 'central.db'}"
    targets = [("SQLite", sqlite_url)]
    cluster = None
    if not args.no_postgres:
        from tests.support.postgres import new_database, postgres_cluster

        cluster = postgres_cluster()
        pg = cluster.__enter__()
        targets.append(("PostgreSQL", new_database(pg, "board")))
    rows = []
    try:
        for name, url in targets:
            t0 = time.perf_counter()
            merge(work, url, bundles, trust)
            print(f"({name}: merged in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            rows.append((name, f"{len(bundles)} borough-years (merged)", time_board(work, url)))
            added = add_history(work, url, boroughs)
            rows.append(
                (
                    name,
                    f"{len(bundles) * YEARS} borough-years of bundle history "
                    f"(+{added:,} bundles logged)",
                    time_board(work, url),
                )
            )
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
    ms = 1000.0
    print(f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores.\n")
    print("| store | central store | first read | median of 20 | slowest | late | target |")
    print("|---|---|---|---|---|---|---|")
    for name, what, (first, median, slowest, late) in rows:
        print(f"| {name} | {what} | {first * ms:.1f} ms | {median * ms:.1f} ms | "
              f"{slowest * ms:.1f} ms | {late} | ≤ 200 ms |")  # fmt: skip
    print(f"\n(work directory {work})", file=sys.stderr)


if __name__ == "__main__":
    main()
