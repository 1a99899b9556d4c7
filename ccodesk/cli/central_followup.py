"""`ccodesk-central followup`: the Follow-up page's work at the command line — search London,
each borough's loose ends, and the central unit's notes on a borough's record.

ccodesk-central followup search WORD…
ccodesk-central followup loose [--borough CODE] [--on DATE]
ccodesk-central followup notes KIND ID
ccodesk-central followup note KIND ID TEXT --officer NAME
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from ccodesk.cli.context import Context
from ccodesk.errors import ValidationError
from ccodesk.terminal import printable

if TYPE_CHECKING:
    from ccodesk.sync.central import Central

KINDS = ("engagement", "finding", "action_item")


def _day(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "          "


def cmd_search(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.services.central_followup import london_search

    with context.open_store(args) as central, central.session() as s:
        answer = london_search(s, " ".join(args.words))
    for r in answer.results:
        print(printable(f"{r.borough:<24} {r.kind_label:<10} {_day(r.when)}  {r.id}  {r.title}"))
    print(printable(answer.message))
    return 0


def cmd_loose(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.services.central_followup import borough_loose_ends, loose_ends_by_borough

    try:
        on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    except ValueError as exc:
        raise ValidationError(f"{args.on!r} is not a date: write it as 2026-12-06") from exc
    with context.open_store(args) as central, central.session() as s:
        if args.borough:
            for e in borough_loose_ends(s, args.borough, on):
                print(printable(f"{e.what:<24} {_day(e.when)}  {e.id}  {e.title}"))
            return 0
        print(f"{'borough':<24} {'findings with no outcome':>24} {'actions overdue':>16}")
        for line in loose_ends_by_borough(s, on):
            print(printable(f"{line.name:<24} {line.findings:>24,} {line.overdue:>16,}"))
    return 0


def cmd_notes(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.services.central_notes import record_view

    with context.open_store(args) as central, central.session() as s:
        view = record_view(s, args.kind, args.id)
    print(printable(f"{view.borough}: {view.kind_label.lower()} “{view.title}”"))
    for note in view.notes:
        print(printable(f"  {note.text}  ({note.byline()}; version {note.version})"))
    if not view.notes:
        print("  No notes yet.")
    return 0


def cmd_note(args: argparse.Namespace, context: Context[Central]) -> int:
    from ccodesk.services.central_notes import add_note

    with context.open_store(args) as central, central.transaction() as s:
        note = add_note(s, args.kind, args.id, args.text, args.officer)
    print(printable(f"Noted ({note.byline()}); kept at the centre, never sent to the borough."))
    return 0


def add_commands(sub: Any) -> None:
    followup = sub.add_parser(
        "followup", help="search London, each borough's loose ends, the unit's notes"
    )
    f = followup.add_subparsers(dest="followup_command", required=True, metavar="ACTION")
    p = f.add_parser("search", help="every borough's engagements, findings and actions")
    p.add_argument("words", nargs="+", metavar="WORD")
    p.set_defaults(func=cmd_search)
    p = f.add_parser("loose", help="findings with no outcome and actions overdue, per borough")
    p.add_argument("--borough", metavar="CODE", help="list this borough's (e.g. camden)")
    p.add_argument("--on", metavar="DATE", help="overdue on this day (default: today)")
    p.set_defaults(func=cmd_loose)
    p = f.add_parser("notes", help="a record and the central unit's notes on it")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("id")
    p.set_defaults(func=cmd_notes)
    p = f.add_parser("note", help="add a note to a borough's record (kept at the centre)")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("id")
    p.add_argument("text")
    p.add_argument("--officer", required=True, help="who writes it")
    p.set_defaults(func=cmd_note)
