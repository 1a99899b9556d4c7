"""`ccodesk-cli calendar export|import`: the desktop's calendar files from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli.context import Context
from ccodesk.errors import KnownError
from ccodesk.failures import os_reason
from ccodesk.terminal import printable_lines
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.store import Store


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-25") from None


def _kind(text: str) -> Any:
    from ccodesk.models import EngagementKind

    try:
        return EngagementKind(text)
    except ValueError:
        kinds = ", ".join(k.value for k in EngagementKind)
        raise argparse.ArgumentTypeError(f"{text!r} is not a kind; one of: {kinds}") from None


def cmd_export(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.fileio import atomic_write_bytes
    from ccodesk.services.calendar_ics import export_ics

    start = args.start or dt.date.today().replace(day=1)
    end = args.until or start + dt.timedelta(days=366)
    if end <= start:
        raise KnownError(f"--until ({end}) is not after --from ({start}); nothing was written.")
    output = Path(args.output).expanduser()
    if not output.parent.is_dir():
        raise KnownError(f"The folder {output.parent} does not exist; nothing was written.")
    with context.open_store(args) as store, store.session() as s:
        data = export_ics(
            s, dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())
        )
    try:
        atomic_write_bytes(output, data)
    except OSError as exc:
        reason = os_reason(exc)
        raise KnownError(f"Could not write {output}: {reason}; nothing was written.") from exc
    count = data.count(b"BEGIN:VEVENT")
    print(f"Wrote {plural(count, 'engagement')} from {start} to {end} to {output}")
    return 0


def cmd_import(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.calendar_import import (
        Action,
        apply_import,
        default_horizon,
        describe_plan,
        plan_import,
        read_calendar,
    )

    path = Path(args.file).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KnownError(f"Could not read {path}: {os_reason(exc)}") from exc
    start, end = default_horizon(dt.date.today())
    horizon = (args.start or start, args.until or end)
    if horizon[1] <= horizon[0]:
        raise KnownError(f"--until ({horizon[1]}) is not after --from ({horizon[0]}).")
    progress = context.progress("calendar", quiet_for=1.0)  # a large file's progress on stderr
    parsed = read_calendar(data, horizon=horizon, progress=progress)
    with context.open_store(args) as store, store.transaction() as s:
        plan = plan_import(s, parsed, default_kind=args.kind, progress=progress)
        print(printable_lines(describe_plan(plan, every_event=args.dry_run)))
        if args.dry_run:
            print("Nothing was imported (--dry-run).")
            return 0
        if not plan.count(Action.ADD) and not plan.count(Action.UPDATE):
            print("Nothing to import.")
            return 0
        report = apply_import(s, plan, progress=progress)
    print(f"Imported {path.name}: {report.summary()}")
    return 0


def add_commands(sub: Any) -> None:
    """Add `calendar` to the CLI's subcommands."""
    cal = sub.add_parser("calendar", help="export engagements to, or import them from, .ics")
    a = cal.add_subparsers(dest="calendar_command", required=True, metavar="ACTION")
    p = a.add_parser("export", help="engagements as an iCalendar file (Outlook, Google, Apple)")
    p.add_argument("--from", dest="start", type=_day, help="first day (default: this month's 1st)")
    p.add_argument("--until", type=_day, help="the day after the last (default: a year on)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.ics")
    p.set_defaults(func=cmd_export)
    p = a.add_parser("import", help="events of an .ics file (series expanded) as engagements")
    p.add_argument("file", metavar="FILE.ics")
    p.add_argument("--kind", type=_kind, default="pccg_meeting",
                   help="the kind of each new engagement (default pccg_meeting)")  # fmt: skip
    p.add_argument("--from", dest="start", type=_day,
                   help="expand series from this day (default: a year ago)")  # fmt: skip
    p.add_argument("--until", type=_day,
                   help="expand series until this day (default: two years ahead)")  # fmt: skip
    p.add_argument("--dry-run", action="store_true",
                   help="show what would be added, updated, unchanged or refused")  # fmt: skip
    p.set_defaults(func=cmd_import)
