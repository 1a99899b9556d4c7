"""Calendar import at scale (issue 13: 60,000 events in under 30 s, with progress).

Writes an .ics of N events the way Outlook exports a busy shared calendar (its VTIMEZONE of
London in Windows' words with rules from 1601, single events with organisers and attendees,
every tenth a weekly series), then times, in a
fresh encrypted store with a temporary keyring: reading and expanding the file, the plan
(preview), the write, and a second import of the same file (all unchanged).

    .venv/bin/python benchmarks/calendar_bench.py --events 60000
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402

from tests.support.temp_keyring import TempFileKeyring  # noqa: E402


def calendar_file(events: int) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "X-WR-CALNAME:Camden SNT shared calendar",
        # Outlook's own definition of London's clocks, in Windows' words, rules from 1601
        "BEGIN:VTIMEZONE",
        "TZID:GMT Standard Time",
        "BEGIN:STANDARD",
        "DTSTART:16011028T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:-0000",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010325T010000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "TZOFFSETFROM:-0000",
        "TZOFFSETTO:+0100",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]
    start = dt.datetime(2026, 1, 5, 9, 0)
    written = 0
    n = 0
    while written < events:
        when = start + dt.timedelta(minutes=37 * n)  # all within the horizon
        uid = f"040000008200E00074C5B7101A82E008{n:016X}@outlook.example"
        body = [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261120T101500Z",
            f"DTSTART;TZID=GMT Standard Time:{when:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=GMT Standard Time:{when + dt.timedelta(minutes=90):%Y%m%dT%H%M%S}",
            f"SUMMARY:Ward panel {n}",
            "LOCATION:Kentish Town Community Centre",
            "DESCRIPTION:Ward panel priorities for the next quarter.",
            'ORGANIZER;CN="Sgt Tom Hill":mailto:tom.hill@met.police.example',
            "ATTENDEE;CN=Kentish Town Forum:mailto:forum@ktf.example",
        ]
        if n % 10 == 0 and written + 10 <= events:
            body.append("RRULE:FREQ=WEEKLY;COUNT=10")
            written += 10
        else:
            written += 1
        lines += [*body, "END:VEVENT"]
        n += 1
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60_000)
    args = parser.parse_args()
    from ccodesk.services.calendar_import import apply_import, plan_import, read_calendar
    from ccodesk.store import create_store

    data = calendar_file(args.events)
    horizon = (dt.date(2025, 12, 1), dt.date(2029, 12, 31))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["CCODESK_TEST_KEYRING_FILE"] = str(work / "keyring.json")
        keyring.set_keyring(TempFileKeyring(work / "keyring.json"))
        ticks = []

        def progress(done: int, total: int, what: str) -> None:
            ticks.append((time.perf_counter(), done, total, what))

        with create_store(work / "store", borough_code="camden", officer_name="Ada") as store:
            figures = []
            for round_ in ("first", "again"):
                t0 = time.perf_counter()
                parsed = read_calendar(data, horizon=horizon, progress=progress)
                t1 = time.perf_counter()
                with store.transaction() as s:
                    plan = plan_import(s, parsed, progress=progress)
                    t2 = time.perf_counter()
                    report = apply_import(s, plan, progress=progress)
                t3 = time.perf_counter()
                figures.append((round_, len(parsed), t1 - t0, t2 - t1, t3 - t2, t3 - t0, report))
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(ticks)]
        print(f"calendar import, {len(data) / 1e6:.1f} MB file, {args.events:,} events")
        for round_, n, read, plan_s, write, total, report in figures:
            print(
                f"  {round_:5}: {n:,} events: read+expand {read:.1f} s, plan {plan_s:.1f} s, "
                f"write+commit {write:.1f} s, total {total:.1f} s "
                f"({total / n * 1000:.2f} ms an event) -> {report.summary()}"
            )
        longest = max(range(len(gaps)), key=gaps.__getitem__)
        after, before = ticks[longest][1:], ticks[longest + 1][1:]
        print(
            f"  progress reports: {len(ticks)}, longest gap between two {gaps[longest]:.1f} s "
            f"(from {after} to {before})"
        )


if __name__ == "__main__":
    main()
