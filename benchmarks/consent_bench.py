"""The Dashboard's consent queries (issue 15) at 15,000 organisations and 30,000 contacts.

    .venv/bin/python benchmarks/consent_bench.py [--reuse DIR] [--organisations N]
                                                [--contacts N]

Builds a store of N organisations (ten borough-years of demo data) and tops its contacts up to
the number asked, with consent given over the last three years for two years (so a few hundred
expire in any 30 days and thousands have expired), some withdrawn and some objecting. Then
times, over 200 runs each: `consent.expiring` and `consent.expired` (the 100 lines shown) with
their counts, the Dashboard's whole consent part (`dashboard.consents_due`), the whole
Dashboard (`build_dashboard`), and `record_consent` (a renewal, in its own transaction).
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
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

RUNS = 200


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def top_up(store: Any, wanted: int, today: dt.date) -> int:
    """Add contacts (and each one's first consent step) until the store holds `wanted`."""
    from sqlalchemy import func, insert, select

    from ccodesk.models import ConsentEvent, Contact, Organisation
    from ccodesk.store import stamping

    rng = random.Random(15)
    with store.transaction() as s:
        have = s.execute(select(func.count()).select_from(Contact)).scalar_one()
        orgs = list(s.scalars(select(Organisation.id)))
        contacts, events = [], []
        for n in range(have, wanted):
            cid = str(uuid.uuid4())
            given = today - dt.timedelta(days=rng.randint(0, 3 * 365))
            consent = rng.random() < 0.8
            contacts.append(
                {
                    "id": cid,
                    "organisation_id": rng.choice(orgs),
                    "name": f"Person {n}",
                    "role": "Member",
                    "email": f"person{n}@example.org",
                    "phone": "",
                    "address": "",
                    "preferred_channel": "email",
                    "accessibility_needs": "",
                    "consent_given": consent,
                    "consent_date": given if consent else None,
                    "consent_scope": "Contact about consultation" if consent else "",
                    "consent_expires": given + dt.timedelta(days=730) if consent else None,
                    "shareable": False,
                    "notes": "",
                    "objected_on": today if rng.random() < 0.01 else None,
                }
            )
            if consent:
                events.append(
                    {
                        "contact_id": cid,
                        "kind": "given",
                        "on": given,
                        "scope": "Contact about consultation",
                        "expires_on": given + dt.timedelta(days=730),
                        "method": "written",
                        "recorded_at": dt.datetime.combine(given, dt.time(12)),
                        "officer": "Bench",
                        "note": "",
                    }
                )
        if contacts:
            stamping.stamp_rows(s, contacts)
            s.execute(insert(Contact.__table__), contacts)
            s.execute(insert(ConsentEvent.__table__), events)
        return int(s.execute(select(func.count()).select_from(Contact)).scalar_one())


def timed(store: Any, work: Callable[[Any], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU times of `RUNS` runs of `work`, each in its own session."""
    with store.session() as s:
        work(s)  # warm the page cache once, as a running app would have it
    wall, cpu = [], []
    for _ in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        with store.session() as s:
            work(s)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", type=Path)
    parser.add_argument("--organisations", type=int, default=15_000)
    parser.add_argument("--contacts", type=int, default=30_000)
    args = parser.parse_args()
    work = args.reuse or Path(tempfile.mkdtemp(prefix="ccodesk-consentbench-"))
    work.mkdir(parents=True, exist_ok=True)
    keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
    os.environ["CCODESK_CONFIG_DIR"] = str(work / "config")
    store_dir = work / "store"
    today = dt.date.today()

    from ccodesk.models import ConsentEventKind, ConsentMethod
    from ccodesk.services import consent
    from ccodesk.services.dashboard import build_dashboard, consents_due
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store, open_store

    if not (store_dir / "store.json").exists():
        started = time.perf_counter()
        with create_store(store_dir, borough_code="camden", officer_name="Bench") as store:
            load_demo_data(
                store,
                scale=10,
                seed=1,
                anchor=today,
                engagements_per_year=300,
                organisations_per_year=args.organisations // 10,
            )
        print(f"(store built in {time.perf_counter() - started:.1f} s)", file=sys.stderr)

    with open_store(store_dir) as store:
        total = top_up(store, args.contacts, today)
        with store.session() as s:
            figures = (
                consent.count_expiring(s, today),
                consent.count_expired(s, today),
                consent.expired(s, today, limit=RUNS),
            )
        rows = {
            "`consent.expiring` (the 100 shown) + `count_expiring`": timed(
                store, lambda s: (consent.expiring(s, today), consent.count_expiring(s, today))
            ),
            "`consent.expired` (the 100 shown) + `count_expired`": timed(
                store, lambda s: (consent.expired(s, today), consent.count_expired(s, today))
            ),
            "the Dashboard's consent part, two passes (`consent.running_out`)": timed(
                store, lambda s: consents_due(s, today)
            ),
            "the whole Dashboard (`build_dashboard`)": timed(
                store, lambda s: build_dashboard(s, today)
            ),
        }
        renewals: list[float] = []
        renewals_cpu: list[float] = []
        for due in figures[2]:
            step = consent.ConsentStep(
                ConsentEventKind.RENEWED,
                today,
                ConsentMethod.WRITTEN,
                expires_on=today + dt.timedelta(days=730),
            )
            started, cpu_started = time.perf_counter(), time.process_time()
            with store.transaction() as s:
                consent.record_consent(s, due.contact_id, step, day=today)
            renewals.append(time.perf_counter() - started)
            renewals_cpu.append(time.process_time() - cpu_started)
        rows["`record_consent` (a renewal, its own transaction)"] = (renewals, renewals_cpu)

    ms = 1000.0
    load = os.getloadavg()[0]
    print(
        f"Measured {dt.date.today()} on {platform.machine()}, {os.cpu_count()} cores, store of "
        f"{args.organisations:,} organisations and {total:,} contacts ({figures[0]:,} consents "
        f"expiring in 30 days, {figures[1]:,} expired); {RUNS} runs each; load average "
        f"{load:.1f} at the end.\n"
    )
    print("| figure | median | p95 | CPU median |\n|---|---|---|---|")
    for label, (wall, cpu) in rows.items():
        print(
            f"| {label} | {statistics.median(wall) * ms:.1f} ms | "
            f"{percentile(wall, 0.95) * ms:.1f} ms | {statistics.median(cpu) * ms:.1f} ms |"
        )


if __name__ == "__main__":
    main()
