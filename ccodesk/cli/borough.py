"""`ccodesk-cli`: the borough store from the command line (a thin layer over the services)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ccodesk.cli import audit, calendar, printing, privacy, quicktime, recovery, reports, sync
from ccodesk.cli.arguments import date, positive
from ccodesk.cli.context import Context, PassphrasePrompt, confirm_centre
from ccodesk.cli.runner import run
from ccodesk.errors import ValidationError
from ccodesk.terminal import printable
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.store import Store


def _data_dir(args: argparse.Namespace) -> Path:
    from ccodesk.store.info import default_data_dir

    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def _open(args: argparse.Namespace, prompt: PassphrasePrompt) -> Store:
    from ccodesk.store import open_store

    return open_store(_data_dir(args), prompt=prompt)


def cmd_init(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.models import OfficerRole
    from ccodesk.services.reference import borough_name, resolve_borough
    from ccodesk.store import create_store

    if not args.officer.strip():
        raise ValidationError("the officer's name is empty")
    code = resolve_borough(args.borough)
    role = {"CCO": OfficerRole.CCO, "BLO": OfficerRole.BLO, "CSO": OfficerRole.CSO}[args.role]
    from ccodesk.store.keys import judge_keyring

    keyring_verdict = judge_keyring()
    if not keyring_verdict.usable:  # said before the passphrase is asked for
        print(keyring_verdict.reason, file=sys.stderr)
    with create_store(
        _data_dir(args),
        borough_code=code,
        officer_name=args.officer.strip(),
        officer_role=role,
        prompt=context.prompt,
        use_keyring=keyring_verdict.usable,
    ) as store:
        print(f"Created the {borough_name(code)} store in {store.data_dir}")
        print(f"Officer:    {store.officer_name} ({args.role})")
        keys = (
            "OS keyring"
            if store.info.protection == "keyring"
            else ("key file protected by a passphrase")
        )
        print(f"Keys:       {keys}")
        print(f"Device id:  {store.device_id}")
        print(f"Public key: {store.public_key_openssh()}")
        if args.centre:
            from ccodesk.sync.receive import import_bundle

            result = import_bundle(
                store, Path(args.centre), confirm_centre=confirm_centre(args.yes)
            )
            print(printable(result.summary))
    return 0


def cmd_demo_data(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import demo

    with context.open_store(args) as store:
        started = time.perf_counter()
        report = demo.load_demo_data(
            store,
            scale=args.scale,
            seed=args.seed,
            anchor=args.anchor,
            progress=context.progress("demo data"),
        )
        took = time.perf_counter() - started
    print(
        f"Added {report.engagements:,} engagements, {report.organisations:,} organisations and "
        f"{report.total_rows:,} rows in all ({plural(args.scale, 'borough-year')}, "
        f"seed {args.seed}) in {took:.1f} s."
    )
    return 0


def cmd_search(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.search import search

    text = " ".join(args.text)
    with context.open_store(args) as store, store.session() as session:
        hits = search(session, text, limit=args.limit)
    if not hits:
        print(f"Nothing matches {text!r}.")
        return 0
    for hit in hits:
        when = f"{hit.when:%d %b %Y}" if hit.when else ""
        print(printable(f"{hit.id[:8]}  {hit.entity:<12} {when:<11}  {hit.title}"))
        snippet = " ".join(hit.snippet.split())
        if snippet and snippet != hit.title:
            print(printable(textwrap.indent(textwrap.fill(snippet, 88), " " * 10)))
    return 0


def cmd_list(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.models import EngagementKind, EngagementStatus
    from ccodesk.services.engagements import (
        EngagementFilter,
        count_engagements,
        list_engagements,
    )

    if args.start and args.end and args.end < args.start:
        raise ValidationError(f"--to {args.end} is before --from {args.start}")
    try:
        kinds = [EngagementKind.parse(k) for k in args.kind]
        statuses = [EngagementStatus.parse(s) for s in args.status]
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    criteria = EngagementFilter(
        start=dt.datetime.combine(args.start, dt.time()) if args.start else None,
        end=dt.datetime.combine(args.end + dt.timedelta(days=1), dt.time()) if args.end else None,
        kinds=kinds,
        statuses=statuses,
        priority_group=args.group,
        text=args.search or "",
    )
    with context.open_store(args) as store, store.session() as session:
        if args.group:
            from ccodesk.models import PriorityGroup
            from ccodesk.services.reference import check_codes

            problems = check_codes(session, PriorityGroup, [args.group], "priority group")
            if problems:
                raise ValidationError(problems)
        total = count_engagements(session, criteria)
        rows = list_engagements(session, criteria, limit=args.limit)
    print(f"{'id':<8}  {'date':<16}  {'kind':<16} {'status':<9} {'came':>5}  title")
    for row in rows:
        came = "" if row.attendance is None else str(row.attendance)
        joint = " (joint)" if row.joint else ""
        print(
            printable(
                f"{row.id[:8]}  {row.starts_at:%a %d %b %Y}  {row.kind.label[:16]:<16} "
                f"{row.status.label:<9} {came:>5}  {row.title}{joint}"
            )
        )
    shown = len(rows)
    print(
        f"{shown:,} of {total:,} engagement{'s' if total != 1 else ''}"
        + (" (use --limit to see more)" if shown < total else "")
    )
    return 0


def cmd_show(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.cli import show

    with context.open_store(args) as store, store.session() as session:
        text = show.describe(session, args.id)  # records merged from colleagues' bundles
        print("\n".join(printable(line) for line in text.split("\n")))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccodesk-cli",
        description="The borough store of ccodesk, from the command line.",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=os.environ.get("CCODESK_DATA_DIR"),
        help="the store's directory (default: $CCODESK_DATA_DIR or the user data directory)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create the store and this device's keys")
    p.add_argument("--borough", required=True, help="the London borough, e.g. Camden")
    p.add_argument("--officer", required=True, help="the officer's name")
    p.add_argument("--role", choices=["CCO", "BLO", "CSO"], default="CCO", type=str.upper)
    p.add_argument(
        "--centre",
        metavar="REFERENCE_BUNDLE",
        help="import the central unit's reference bundle (pins its key) once created",
    )
    p.add_argument("--yes", action="store_true", help="confirm the centre's key without asking")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo-data", help="fill an empty store with realistic demo data")
    p.add_argument("--scale", type=positive, default=1, help="borough-years (default 1)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument(
        "--anchor",
        type=date,
        default=None,
        help="the 'today' the data is built around (default: today)",
    )
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("search", help="full-text search over the store")
    p.add_argument("text", nargs="+")
    p.add_argument("--limit", type=positive, default=20)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("list", help="list records")
    p.add_argument("what", choices=["engagements"])
    p.add_argument("--from", dest="start", type=date, metavar="DATE")
    p.add_argument("--to", dest="end", type=date, metavar="DATE")
    p.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="K",
        help="e.g. focus_group, pccg_meeting (repeatable)",
    )
    p.add_argument("--status", action="append", default=[], metavar="S")
    p.add_argument("--group", metavar="CODE", help="target priority group, e.g. older")
    p.add_argument("--search", metavar="TEXT")
    p.add_argument("--limit", type=positive, default=50)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show one record by id (or a unique start of it)")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)

    key_actions = sync.add_commands(sub)
    quicktime.add_commands(sub)
    printing.add_commands(sub)
    reports.add_commands(sub)
    recovery.add_commands(sub, key_actions)
    calendar.add_commands(sub)
    audit.add_commands(sub)
    privacy.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv, Context(_open))


if __name__ == "__main__":
    sys.exit(main())
