"""Audit trail benchmark (issue 15): `audit verify` over a million chained events.

    .venv/bin/python benchmarks/audit_bench.py [--events 1000000] [--runs 3]

In a temporary directory with a temporary keyring: a new store is given `--events` audit
events, chained exactly as the store layer chains them (`audit_chain.event_hash`), written in
one transaction with DB-API `executemany` (realistic rows: update events naming a record and
two to four changed fields); then `services.audit.verify` is timed `--runs` times in one
process, and `ccodesk-cli audit verify` once as a user runs it (a new process: imports, key,
open, verify). Also times the chaining overhead of ordinary edits (1,000 one-record
transactions). Prints lines for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

FIELDS = ["title", "starts_at", "venue_name", "status", "notes", "email", "phone", "owner"]
ENTITIES = ["engagement", "contact", "finding", "action_item", "organisation", "outcome"]


def fill(store: object, events: int) -> float:
    """Insert `events` chained events; returns the seconds it took."""
    from ccodesk.store.audit_chain import GENESIS, event_hash

    rng = random.Random(15)
    start = dt.datetime(2020, 1, 1, 9, 0)
    device = store.device_id  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    raw = store.engine.raw_connection()  # type: ignore[attr-defined]
    try:
        cur = raw.cursor()
        cur.execute("BEGIN")
        prev = GENESIS
        batch: list[tuple[object, ...]] = []
        for i in range(1, events + 1):
            at = (start + dt.timedelta(seconds=i * 97)).isoformat(sep=" ", timespec="microseconds")
            entity = ENTITIES[i % len(ENTITIES)]
            entity_id = f"{rng.getrandbits(128):032x}"
            changes = json.dumps(sorted(rng.sample(FIELDS, rng.randint(2, 4))))
            h = event_hash(
                prev, i, at, device, "Ada Officer", entity, entity_id, "update", changes, ""
            )
            batch.append(
                (i, at, device, "Ada Officer", entity, entity_id, "update", changes, "", prev, h)
            )
            prev = h
            if len(batch) == 50_000:
                cur.executemany("INSERT INTO audit_event VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
                batch.clear()
        if batch:
            cur.executemany("INSERT INTO audit_event VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
        cur.execute("COMMIT")
    finally:
        raw.close()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from sqlalchemy import text

    from ccodesk.services import records
    from ccodesk.services.audit import verify
    from ccodesk.store import create_store

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["CCODESK_TEST_KEYRING_FILE"] = str(work / "keyring.json")
        os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.temp_keyring.TempFileKeyring"
        os.environ["PYTHONPATH"] = str(ROOT)
        keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
        with create_store(work / "store", borough_code="camden", officer_name="Ada") as store:
            t0 = time.perf_counter()
            for i in range(1000):
                with store.transaction() as s:
                    records.add_action(s, f"Ask about the bins ({i})")
            edits = time.perf_counter() - t0
            with store.session() as s:
                s.execute(text("DELETE FROM audit_event"))
                s.commit()
            filled = fill(store, args.events)
            size = (work / "store" / "ccodesk.db").stat().st_size
            times = []
            for _ in range(args.runs):
                with store.session() as s:
                    t0 = time.perf_counter()
                    check = verify(s)
                    times.append(time.perf_counter() - t0)
                assert check.intact and check.events == args.events, check
        t0 = time.perf_counter()
        done = subprocess.run(
            [str(Path(sys.executable).parent / "ccodesk-cli"), "--data-dir", str(work / "store"),
             "audit", "verify"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        cli = time.perf_counter() - t0
    print(
        f"audit verify, {args.events:,} events "
        f"({size / 1e6:.0f} MB store; filled in {filled:.1f} s)"
    )
    print(
        f"  services.audit.verify: median {statistics.median(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)}), "
        f"{statistics.median(times) / args.events * 1e6:.2f} µs an event"
    )
    print(f"  ccodesk-cli audit verify (new process): {cli:.2f} s -> {done.stdout.strip()}")
    print(f"  1,000 one-action edits (each chained as written): {edits:.2f} s, {edits:.2f} ms each")


if __name__ == "__main__":
    main()
