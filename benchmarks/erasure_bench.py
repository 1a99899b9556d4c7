"""Erasure benchmark (issue 15): erase one person from a 100,000-engagement store.

    .venv/bin/python benchmarks/erasure_bench.py [--engagements 100000] [--reuse DIR]

In a temporary directory with a temporary keyring: a store of demo data (`--engagements` over
ten years, 1,500 organisations a year), then one contact named in 40 engagements' attendance,
20 findings, 10 engagements' notes, 5 audit summaries and a draft. Times the preview (what the
confirmation lists), the erasure's transaction, and each step of the scrub (FTS optimise,
checkpoint, VACUUM, FTS rebuild). `--reuse DIR` keeps the built store in DIR (copied before
each run, so it can be run again). Prints lines for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402

ANCHOR = dt.date(2026, 11, 22)
NAME = "Xqerasure Zvbenchmark"


def build(data_dir: Path, engagements: int) -> None:
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store

    with create_store(data_dir, borough_code="camden", officer_name="Bench Officer") as store:
        load_demo_data(store, scale=10, seed=1, anchor=ANCHOR,
                       engagements_per_year=engagements // 10,
                       organisations_per_year=1500)  # fmt: skip


def name_the_person(store: object) -> str:
    from sqlalchemy import select

    from ccodesk.models import AuditEvent, Contact, Draft, Engagement, Finding

    with store.transaction() as s:  # type: ignore[attr-defined]
        person = Contact(name=NAME, email="xq.zv@example.org", phone="07700 900999",
                         consent_given=True, consent_date=ANCHOR, shareable=True)  # fmt: skip
        s.add(person)
        s.flush()
        engagements = list(s.scalars(select(Engagement).order_by(Engagement.id).limit(40)))
        for i, e in enumerate(engagements):
            e.attendees.append(person)
            if i < 10:
                e.notes = f"{e.notes} {NAME} spoke."
        for f in s.scalars(select(Finding).order_by(Finding.id).limit(20)):
            f.text = f"{f.text} (raised by {NAME}, 07700 900999)"
        for i in range(5):
            s.add(AuditEvent(at=dt.datetime.now(), device_id=store.device_id,  # type: ignore[attr-defined]
                             officer="Bench Officer", entity="returned_form",
                             entity_id=engagements[i].id, action="keyed", changes=[],
                             summary=f"Form handed in by {NAME}"))  # fmt: skip
        s.add(Draft(key="contact:x", saved_at=dt.datetime.now(), title=NAME,
                    content={"name": NAME}))  # fmt: skip
        return person.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--reuse", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ccodesk-erasure-bench-"))
    keyring_file = (args.reuse or work) / "keyring.json"
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(keyring_file)
    keyring.set_keyring(TempFileKeyring(keyring_file))
    source = (args.reuse or work) / "built"
    if not (source / "ccodesk.db").exists():
        started = time.perf_counter()
        build(source, args.engagements)
        print(f"built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    target = work / "run"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)

    from ccodesk.services.erasure import erase_person, erasure_preview
    from ccodesk.store import open_store
    from ccodesk.store.scrub import scrub

    with open_store(target) as store:
        contact_id = name_the_person(store)
        size_before = store.path.stat().st_size / 1e6
        t0 = time.perf_counter()
        with store.session() as s:
            preview = erasure_preview(s, contact_id)
        t_preview = time.perf_counter() - t0
        t0 = time.perf_counter()
        with store.transaction() as s:
            result = erase_person(s, contact_id, "Bench Officer")
        t_erase = time.perf_counter() - t0
        times = scrub(store.engine)
        size_after = store.path.stat().st_size / 1e6
    print(f"Measured {dt.date.today()}, {os.cpu_count()} cores, {args.engagements:,} engagements,"
          f" store {size_before:.0f} MB before, {size_after:.0f} MB after.\n")  # fmt: skip
    print("| step | seconds |\n|---|---|")
    print(f"| preview (what the confirmation lists: {sum(preview.counts.values())} items) "
          f"| {t_preview:.2f} |")  # fmt: skip
    print(f"| erasure transaction ({sum(result.counts.values())} items) | {t_erase:.2f} |")
    for step, seconds in times.steps.items():
        print(f"| scrub: {step} | {seconds:.2f} |")
    print(f"| **total** | **{t_preview + t_erase + times.total:.2f}** |")
    if args.reuse is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
