"""Sync benchmarks (issue 4): export, verify+decrypt+merge, bundle sizes.

    .venv/bin/python benchmarks/sync_bench.py [--boroughs 33] [--no-postgres]

In a temporary directory with a temporary keyring:
  * builds one borough-year of demo data per borough (33 London boroughs), each on its own
    SQLCipher device store, and a central unit that trusts them all;
  * times the export of a borough-year bundle; its size per record;
  * times verify+decrypt+merge of one borough-year bundle into a new store (median of 5 runs
    after a warm-up run in the same process), and of all 33 into one store, into SQLite and
    into PostgreSQL (a throw-away cluster, as in the tests);
  * the floor: the same rows, read back from the merged central store, inserted into an empty
    store of the same schema (on SQLite encrypted with SQLCipher, with the same key and
    connection settings as the central store) with raw DB-API `executemany` in one
    transaction; ratio = merge time ÷ floor time (target ≤ 3×);
  * incremental bundles: after editing 1 % and 10 % of one borough's engagements, the next
    bundle's size, against the full bundle;
  * peak memory (RSS) of one fresh process merging all 33 bundles into a new SQLite store;
  * the time the ownership and clock checks (issue 12) take within the 33-bundle merges;
  * the same 33 bundles merged by what the desktop's Inbox page runs (`merge_many` with its
    progress and cancel callbacks, a receipt written for each), against the same floor.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402


def central_engine(url: str, database_key: bytes) -> Any:
    """An engine on a central store: SQLite through SQLCipher with the centre's key and
    connection settings (`ccodesk.store.central.make_engine`), PostgreSQL as it is."""
    if not url.startswith("sqlite"):
        return create_engine(url)
    from ccodesk.store.central import make_engine

    return make_engine(url, Path(tempfile.gettempdir()), database_key)


def floor_seconds(source_url: str, target_url: str, database_key: bytes) -> tuple[float, int]:
    """Copy every merged row from the central store at `source_url` into the empty store at
    `target_url` with raw executemany; return (seconds, rows)."""
    from ccodesk.migrations import upgrade
    from ccodesk.models import Base
    from ccodesk.sync.records import CHILDREN, ENTITIES

    tables = [t for e in ENTITIES for t in (ENTITIES[e], *CHILDREN[e])] + [
        Base.metadata.tables["sync_tombstone"]
    ]
    source = central_engine(source_url, database_key)
    payload = []
    with source.connect() as conn:
        for table in tables:
            rows = conn.execute(select(table)).all()
            if rows:
                payload.append((table, [tuple(r) for r in rows]))
    source.dispose()
    target = central_engine(target_url, database_key)  # on SQLite: encrypted, its PRAGMAs
    upgrade(target)
    raw = target.raw_connection()
    count = sum(len(rows) for _t, rows in payload)
    try:
        cur = raw.cursor()
        started = time.perf_counter()
        if target_url.startswith("sqlite"):  # its connections leave transactions to BEGIN
            cur.execute("BEGIN IMMEDIATE")
        for table, rows in payload:
            columns = [c.name for c in table.columns]
            marks = ", ".join(["%s" if "postgresql" in target_url else "?"] * len(columns))
            statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
            json_columns = [i for i, c in enumerate(table.columns) if "JSON" in str(c.type)]
            if json_columns:
                import json

                rows = [
                    tuple(json.dumps(v) if i in json_columns else v for i, v in enumerate(r))
                    for r in rows
                ]
            cur.executemany(statement, rows)
        raw.commit()
        took = time.perf_counter() - started
    finally:
        raw.close()
        target.dispose()
    return took, count


class CheckTimer:
    """Time spent in the ownership and clock checks (`ccodesk.sync.ownership._check`)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    @contextlib.contextmanager
    def counting(self, key: str) -> Iterator[None]:
        from ccodesk.sync import ownership

        original = ownership._check
        self.spent[key] = 0.0

        def timed(*args: Any, **kwargs: Any) -> None:
            t0 = time.perf_counter()
            try:
                original(*args, **kwargs)
            finally:
                self.spent[key] += time.perf_counter() - t0

        ownership._check = timed
        try:
            yield
        finally:
            ownership._check = original


def inbox_merge(central: object, bundles: list[Path], outbox: Path) -> list[Any]:
    """What the Inbox page runs on its worker thread when bundles are dropped on it
    (`ui/central_inbox.py`): `merge_many` with a receipt for each bundle written to the
    outbox, a progress callback (the page's posts its text to the dialog across threads) and
    a cancel flag read throughout each merge."""
    import threading

    from ccodesk.services.central_inbox import merge_many

    stop = threading.Event()
    shown: list[tuple[int, int, str]] = []
    lines = list(
        merge_many(
            central,  # type: ignore[arg-type]
            bundles,
            outbox,
            lambda done, total, what: shown.append((done, total, what)),
            stop.is_set,
        )
    )
    assert shown[-1][0] == len(bundles)
    return lines


# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over an exec, so a child started
# from the benchmark (33 open stores, ~400 MiB) would report the parent's peak.
PEAK_SCRIPT = """
import json, sys
from pathlib import Path
from ccodesk.sync.central import open_central, trust_add
from ccodesk.sync.central_merge import merge_bundle

def high_water():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status")

work, keys, bundles = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
with open_central(work / "central", f"sqlite:///{work / 'peak.db'}", upgrade=True) as central:
    for borough, officer, key in keys:
        trust_add(central, borough, officer, key)
    before = high_water()
    outcomes = [merge_bundle(central, Path(b)) for b in bundles]
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
print(before, high_water())
"""


def peak_memory(work: Path, stores: list[object], bundles: list[Path]) -> tuple[int, int]:
    """Peak RSS (KiB) of a fresh process merging every bundle into a new SQLite central store,
    before and after the merges (its own process, so nothing else of the benchmark counts)."""
    import json
    import subprocess

    keys = [
        (s.borough_code, f"Officer {n}", s.public_key_openssh())  # type: ignore[attr-defined]
        for n, s in enumerate(stores)
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(work), json.dumps(keys),
         json.dumps([str(b) for b in bundles])],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    before, top = (int(v) for v in done.stdout.split()[-2:])
    return before, top


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boroughs", type=int, default=33)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ccodesk-syncbench-"))
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(work / "keyring.json")
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.temp_keyring.TempFileKeyring"

    from ccodesk.resource_files import load_json
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store
    from ccodesk.sync.central import (
        init_central,
        open_central,
        reference_bundle,
        trust_add,
    )
    from ccodesk.sync.central_merge import merge_bundle
    from ccodesk.sync.export import export_bundle
    from ccodesk.sync.receive import import_bundle

    boroughs = [b["code"] for b in load_json("reference", "boroughs.json")][: args.boroughs]
    central = init_central(work / "central", None, "Bench Centre")
    reference = work / "reference.ccref"
    stores = []
    started = time.perf_counter()
    for n, code in enumerate(boroughs):
        store = create_store(work / code, borough_code=code, officer_name=f"Officer {n}")
        load_demo_data(store, scale=1, seed=n + 1, anchor=dt.date(2026, 11, 22))
        trust_add(central, code, f"Officer {n}", store.public_key_openssh())
        stores.append(store)
    reference.write_bytes(reference_bundle(central))
    for store in stores:
        import_bundle(store, reference, confirm_centre=lambda _fp: True)
    print(f"(built {len(stores)} borough-years in {time.perf_counter() - started:.0f} s)",
          file=sys.stderr)  # fmt: skip

    exports, bundles, records = [], [], []
    for store in stores:
        path = work / f"{store.borough_code}-1.ccbundle"
        t0 = time.perf_counter()
        result = export_bundle(store, path)
        exports.append(time.perf_counter() - t0)
        bundles.append(path)
        records.append(result.records)
    sizes = [p.stat().st_size for p in bundles]

    # Incremental: edit 1 % and 10 % of the first borough's engagements after its receipt.
    from ccodesk.models import Engagement

    first = stores[0]
    receipt_dir = work / "receipts"
    merged_first = merge_bundle(central, bundles[0], receipt_dir)
    assert merged_first.receipt is not None
    import_bundle(first, merged_first.receipt)
    incremental = []
    for share in (0.01, 0.10):
        with first.transaction() as s:
            engagements = s.scalars(select(Engagement).where(Engagement.deleted.is_(False))).all()
            edited = engagements[: max(1, int(len(engagements) * share))]
            for e in edited:
                e.notes = (e.notes or "") + " (edited)"
        path = work / f"incremental-{share}.ccbundle"
        result = export_bundle(first, path)
        incremental.append((share, len(edited), result.records, path.stat().st_size))
        outcome = merge_bundle(central, path, receipt_dir)
        assert outcome.receipt is not None
        import_bundle(first, outcome.receipt)
    central.close()

    def merge_all(url: str, which: list[Path], inbox: bool = False) -> tuple[float, float]:
        """Seconds to merge `which` into a new central store at `url`, and the floor. With
        `inbox`, through what the desktop's Inbox page runs on its worker thread."""
        with open_central(work / "central", url, upgrade=True) as c:
            for n, store in enumerate(stores):
                trust_add(c, store.borough_code, f"Officer {n}", store.public_key_openssh())
            t0 = time.perf_counter()
            if inbox:
                lines = inbox_merge(c, which, work / f"outbox-{url.rsplit('/', 1)[1]}")
                assert all(line.complete for line in lines), [line.text for line in lines]
            else:
                for b in which:
                    outcome = merge_bundle(c, b)
                    assert outcome.ok, outcome.message
            took = time.perf_counter() - t0
        floor_url = url.replace("merge_", "floor_") if "postgresql" in url else url + ".floor"
        if "postgresql" in url:
            from tests.support.postgres import new_database

            floor_url = new_database(url, url.rsplit("/", 1)[1].replace("merge_", "floor_"))
        else:
            floor_url = "sqlite:///" + url.split("///", 1)[1] + ".floor.db"
        with open_central(work / "central", floor_url, upgrade=True) as c:  # schema, reference
            key = c.database_key()
        floor, _rows = floor_seconds(url, floor_url, key)
        return took, floor

    peak = peak_memory(work, stores, bundles)

    results = {}

    def one(make_url: Callable[[int], str]) -> tuple[float, float]:
        """A single borough-year bundle into a new store: median of 5, after a warm-up run."""
        runs = [merge_all(make_url(n), bundles[n : n + 1]) for n in range(6)][1:]
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    checks = CheckTimer()
    results["sqlite-1"] = one(lambda n: f"sqlite:///{work / f'one-{n}.db'}")
    with checks.counting("sqlite-all"):
        results["sqlite-all"] = merge_all(f"sqlite:///{work / 'all.db'}", bundles)
    results["sqlite-inbox"] = merge_all(f"sqlite:///{work / 'inbox.db'}", bundles, inbox=True)
    if not args.no_postgres:
        from tests.support.postgres import new_database, postgres_cluster

        with postgres_cluster() as pg:
            results["pg-1"] = one(lambda n: new_database(pg, f"merge_one_{n}"))
            with checks.counting("pg-all"):
                results["pg-all"] = merge_all(new_database(pg, "merge_all"), bundles)
            results["pg-inbox"] = merge_all(new_database(pg, "merge_inbox"), bundles, inbox=True)
    for store in stores:
        store.close()

    ms = 1000.0
    print(f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"{len(stores)} boroughs × one borough-year of demo data.\n")  # fmt: skip
    print("| figure | value | target |\n|---|---|---|")
    print(f"| export of a borough-year bundle, median of {len(exports)} | "
          f"{statistics.median(exports) * ms:.0f} ms "
          f"({statistics.median(records):,.0f} records) | |")  # fmt: skip
    per_record = sum(sizes) / sum(records)
    print(f"| bundle size | {statistics.median(sizes) / 1024:.0f} KiB median, "
          f"{per_record:.0f} bytes a record (compressed, encrypted) | |")  # fmt: skip
    for share, edited, recs, size in incremental:
        print(f"| incremental bundle after editing {share:.0%} of engagements ({edited}) | "
              f"{recs} records, {size / 1024:.1f} KiB ({size / statistics.median(sizes):.1%} of "
              "the full bundle) | proportional to changes |")  # fmt: skip
    labels = {
        "sqlite-1": "one borough-year bundle into SQLite (median of 5)",
        "sqlite-all": f"{len(bundles)} bundles into SQLite",
        "pg-1": "one borough-year bundle into PostgreSQL (median of 5)",
        "pg-all": f"{len(bundles)} bundles into PostgreSQL",
        "sqlite-inbox": f"{len(bundles)} bundles into SQLite by the Inbox page",
        "pg-inbox": f"{len(bundles)} bundles into PostgreSQL by the Inbox page",
    }
    for key, (took, floor) in results.items():
        print(f"| verify+decrypt+merge, {labels[key]} | {took:.2f} s; raw executemany floor "
              f"{floor:.2f} s; ratio {took / floor:.2f}× | ≤ 3× |")  # fmt: skip
    for key, spent in checks.spent.items():
        took = results[key][0]
        print(f"| of which ownership and clock checks, {labels[key]} | {spent:.2f} s "
              f"({spent / took:.1%} of the merge) | |")  # fmt: skip
    before, top = peak
    print(f"| peak memory of a {len(bundles)}-bundle merge into SQLite (one process, "
          f"ccodesk-central merge's code path) | {top / 1024:.0f} MiB peak RSS; "
          f"{(top - before) / 1024:.0f} MiB above the process before merging | |")  # fmt: skip
    print(f"\n(work directory {work})", file=sys.stderr)


if __name__ == "__main__":
    main()
