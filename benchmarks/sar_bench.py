"""Subject access benchmark (issue 15): a search for one person ≤ 200 ms at 100,000
engagements and 15,000 organisations.

    .venv/bin/python benchmarks/sar_bench.py [--engagements 100000] [--queries 60] [--reuse DIR]

In a temporary directory (or DIR, kept for the next run) with a temporary keyring: a store of
ten borough-years of demo data (`load_demo_data`, 15,000 organisations, about 15,000 contacts),
then what the demo leaves out, added with DB-API `executemany`: named attendance (one to six
consenting contacts at a fifth of the engagements), findings and actions naming a few people,
quick-time consultations with consultees and contact logs, and 200,000 audit events (a fifth
of them with a summary). Then `find_person` is timed for `--queries` people picked at random:
by name, by phone, and by name, e-mail and phone together; and `answer_request` (the search,
the PDF and the JSON) for a few. Prints lines for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
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


def build(store_dir: Path, engagements: int) -> float:
    from ccodesk.services.demo import load_demo_data
    from ccodesk.store import create_store

    t0 = time.perf_counter()
    with create_store(store_dir, borough_code="camden", officer_name="Bench") as store:
        load_demo_data(
            store,
            scale=10,
            seed=1,
            anchor=ANCHOR,
            engagements_per_year=engagements // 10,
            organisations_per_year=1500,
        )
        extras(store)
    return time.perf_counter() - t0


def extras(store: object) -> None:
    """Named attendance, naming text, quick-time logs and audit events (see the docstring)."""
    import json
    import uuid

    rng = random.Random(15)
    raw = store.engine.raw_connection()  # type: ignore[attr-defined]
    try:
        cur = raw.cursor()
        cur.execute("BEGIN")
        contacts = cur.execute(
            "SELECT id, name, phone FROM contact WHERE consent_given = 1"
        ).fetchall()
        events = [r[0] for r in cur.execute("SELECT id FROM engagement").fetchall()]
        attendees = set()
        for eid in rng.sample(events, len(events) // 5):
            for cid, _name, _phone in rng.sample(contacts, rng.randint(1, 6)):
                attendees.add((eid, cid))
        cur.executemany("INSERT INTO engagement_attendee VALUES (?, ?)", sorted(attendees))
        device = store.device_id  # type: ignore[attr-defined]
        meta = (device, json.dumps({device: 1}), f"1795000000000.000000.{device}", 1, 0)
        cols = "origin_device, version_vector, hlc, change_seq, deleted"
        named = rng.sample(contacts, 2000)
        findings, actions = [], []
        for _cid, name, phone in named:
            eid = rng.choice(events)
            findings.append(
                (str(uuid.uuid4()), eid, f"{name} said the lighting on the estate fails", *meta)
            )
            actions.append((str(uuid.uuid4()), eid, f"Ring {name} on {phone} about it", *meta))
        cur.executemany(
            f"INSERT INTO finding (id, engagement_id, text, theme, {cols}) "
            "VALUES (?, ?, ?, '', ?, ?, ?, ?, ?)",
            findings,
        )
        cur.executemany(
            f"INSERT INTO action_item (id, engagement_id, description, owner, status, {cols}) "
            "VALUES (?, ?, ?, '', 'open', ?, ?, ?, ?, ?)",
            actions,
        )
        audit = []
        start = dt.datetime(2020, 1, 1)
        first = cur.execute("SELECT coalesce(max(id), 0) FROM audit_event").fetchone()[0]
        for i in range(200_000):
            cid, name, _phone = rng.choice(contacts)
            summary = f"Letter sent to {name}" if i % 5 == 0 else ""
            audit.append(
                (first + i + 1, (start + dt.timedelta(seconds=97 * i)).isoformat(" "), device,
                 "Bench", "contact", cid, "update", '["notes"]', summary, "", "")
            )  # fmt: skip
        cur.executemany(
            "INSERT INTO audit_event (id, at, device_id, officer, entity, entity_id, action, "
            "changes, summary, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            audit,
        )
        cur.execute("COMMIT")
    finally:
        raw.close()
    quick_time(store, contacts, rng)


def quick_time(store: object, contacts: list[tuple[str, str, str]], rng: random.Random) -> None:
    from ccodesk.models import (
        ConsulteeRole,
        ContactChannel,
        QuickTimeConsultation,
        QuickTimeConsultee,
        QuickTimeContact,
    )

    with store.transaction() as s:  # type: ignore[attr-defined]
        for i in range(500):
            at = dt.datetime(2020, 1, 1) + dt.timedelta(days=i * 5)
            qt = QuickTimeConsultation(title=f"Operation {i}", event_at=at, deadline=at)
            s.add(qt)
            for _cid, name, phone in rng.sample(contacts, 4):
                x = QuickTimeConsultee(
                    consultation=qt, name=name, role=ConsulteeRole.COMMUNITY, picked_at=at
                )
                s.add(x)
                s.add(
                    QuickTimeContact(
                        consultee=x, at=at, channel=ContactChannel.PHONE, note=f"Rang {phone}"
                    )
                )


def measure(
    store: object, picks: list[tuple[str, str]]
) -> tuple[dict[str, list[float]], list[int]]:
    from ccodesk.services.subject_access import find_person

    with store.session() as s:  # type: ignore[attr-defined]
        find_person(s, name=picks[0][0])  # warm the page cache, as a running app would be
        times: dict[str, list[float]] = {"name": [], "phone": [], "all three": []}
        found = []
        for name, phone in picks:
            for how, kw in (
                ("name", {"name": name}),
                ("phone", {"phone": phone}),
                ("all three", {"name": name, "phone": phone, "email": "x@example.org"}),
            ):
                t0 = time.perf_counter()
                result = find_person(s, **kw)
                times[how].append(time.perf_counter() - t0)
                found.append(len(result.items))
    return times, found


def report(title: str, times: dict[str, list[float]], found: list[int]) -> None:
    print(title)
    for how, values in times.items():
        ms = [v * 1000 for v in values]
        print(
            f"  find_person by {how}: median {statistics.median(ms):.0f} ms, "
            f"p95 {sorted(ms)[int(0.95 * (len(ms) - 1))]:.0f} ms, max {max(ms):.0f} ms "
            f"({len(ms)} people)"
        )
    print(f"  items found per search: median {statistics.median(found):.0f}, max {max(found)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--reuse", type=Path, help="build the store here once, and reuse it")
    args = parser.parse_args()
    work = args.reuse or Path(tempfile.mkdtemp(prefix="ccodesk-sarbench-"))
    work.mkdir(parents=True, exist_ok=True)
    keyring_file = work / "keyring.json"
    os.environ["CCODESK_TEST_KEYRING_FILE"] = str(keyring_file)
    keyring.set_keyring(TempFileKeyring(keyring_file))
    store_dir = work / "store"
    built = None
    if not (store_dir / "store.json").exists():
        built = build(store_dir, args.engagements)

    from sqlalchemy import text

    from ccodesk.services.person_match import SearchTerms
    from ccodesk.services.subject_access_answer import answer_request
    from ccodesk.store import open_store

    rng = random.Random(7)
    with open_store(store_dir) as store:
        with store.session() as s:
            sizes = {
                t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("engagement", "organisation", "contact", "engagement_attendee",
                          "finding", "action_item", "audit_event", "quick_time_contact")
            }  # fmt: skip
            people = s.execute(text("SELECT name, phone FROM contact")).all()
        picks = rng.sample(people, args.queries)
        print(
            "subject access search, "
            + ", ".join(f"{n:,} {t}" for t, n in sizes.items())
            + (f" (store built in {built:.0f} s)" if built else "")
        )
        report("find_person (FTS5 over contacts, findings, notes, actions, feedback, audit; 0015):",
               *measure(store, picks))  # fmt: skip
        answers = []
        out = work / "answers"
        out.mkdir(exist_ok=True)
        for name, _phone in picks[:5]:
            with store.transaction() as s:
                t0 = time.perf_counter()
                answer_request(s, SearchTerms(name), out, held_by="Camden", overwrite=True)
                answers.append(time.perf_counter() - t0)
                s.rollback()
        print(
            f"  answer_request (search, PDF, JSON, log): median "
            f"{statistics.median(answers) * 1000:.0f} ms over {len(answers)}"
        )


if __name__ == "__main__":
    main()
