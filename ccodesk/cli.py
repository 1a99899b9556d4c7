"""`ccodesk-cli`: the borough store from the command line (a thin layer over the services)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

from ccodesk.errors import ValidationError
from ccodesk.terminal import printable


def _prompt(confirm: bool) -> str:
    if not sys.stdin.isatty():
        from ccodesk.errors import KeyUnavailable

        raise KeyUnavailable(
            "No passphrase: this store's keys are protected by a passphrase and there is no "
            "terminal to ask for it. Set CCODESK_PASSPHRASE for unattended use."
        )
    first = getpass.getpass("Passphrase for the store's keys: ")
    if confirm and getpass.getpass("Type it again: ") != first:
        raise ValidationError("the two passphrases differ")
    return first


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-22") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def _data_dir(args: argparse.Namespace) -> Path:
    from ccodesk.storeinfo import default_data_dir

    return Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from ccodesk.store import open_store

    return open_store(_data_dir(args), prompt=_prompt)


def cmd_init(args: argparse.Namespace) -> int:
    from ccodesk.models import OfficerRole
    from ccodesk.services.reference import borough_name, resolve_borough
    from ccodesk.store import create_store

    if not args.officer.strip():
        raise ValidationError("the officer's name is empty")
    code = resolve_borough(args.borough)
    role = {"CCO": OfficerRole.CCO, "BLO": OfficerRole.BLO, "CSO": OfficerRole.CSO}[args.role]
    from ccodesk.keystore import judge_keyring

    keyring_verdict = judge_keyring()
    if not keyring_verdict.usable:  # said before the passphrase is asked for
        print(keyring_verdict.reason, file=sys.stderr)
    with create_store(
        _data_dir(args),
        borough_code=code,
        officer_name=args.officer.strip(),
        officer_role=role,
        prompt=_prompt,
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
            from ccodesk.sync.borough import import_bundle
            from ccodesk.sync.commands import confirm_centre

            result = import_bundle(
                store, Path(args.centre), confirm_centre=confirm_centre(args.yes)
            )
            print(printable(result.summary))
    return 0


def _progress_printer(label: str, *, quiet_for: float = 0.0):  # type: ignore[no-untyped-def]
    """progress(done, total, what) as a bar on stderr (a line every 2 s when it is not a
    terminal); nothing at all for work that ends within `quiet_for` seconds."""
    interactive = sys.stderr.isatty()
    started = time.monotonic()
    last = [0.0]

    def show(done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if now - started < quiet_for:
            return
        if done < total and now - last[0] < (0.1 if interactive else 2.0):
            return
        last[0] = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        line = f"{label} [{bar}] {100 * done // max(total, 1):3d}%  {what}"
        if interactive:
            sys.stderr.write("\r" + line[:100].ljust(100))
            if done >= total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return show


def cmd_demo_data(args: argparse.Namespace) -> int:
    from ccodesk.services import demo

    with _open(args) as store:
        started = time.perf_counter()
        report = demo.load_demo_data(
            store,
            scale=args.scale,
            seed=args.seed,
            anchor=args.anchor,
            progress=_progress_printer("demo data"),
        )
        took = time.perf_counter() - started
    print(
        f"Added {report.engagements:,} engagements, {report.organisations:,} organisations and "
        f"{report.total_rows:,} rows in all ({args.scale} borough-year"
        f"{'s' if args.scale > 1 else ''}, seed {args.seed}) in {took:.1f} s."
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from ccodesk.services.search import search

    text = " ".join(args.text)
    with _open(args) as store, store.session() as session:
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


def cmd_list(args: argparse.Namespace) -> int:
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
    with _open(args) as store, store.session() as session:
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


def cmd_show(args: argparse.Namespace) -> int:
    from ccodesk import show

    with _open(args) as store, store.session() as session:
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
    p.add_argument("--scale", type=_positive, default=1, help="borough-years (default 1)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument(
        "--anchor",
        type=_date,
        default=None,
        help="the 'today' the data is built around (default: today)",
    )
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("search", help="full-text search over the store")
    p.add_argument("text", nargs="+")
    p.add_argument("--limit", type=_positive, default=20)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("list", help="list records")
    p.add_argument("what", choices=["engagements"])
    p.add_argument("--from", dest="start", type=_date, metavar="DATE")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE")
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
    p.add_argument("--limit", type=_positive, default=50)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show one record by id (or a unique start of it)")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)

    from ccodesk.sync import commands as sync_commands

    sync_commands.add_commands(sub, _open, _progress_printer)

    from ccodesk import quicktime_commands

    quicktime_commands.add_commands(sub, _open)
    from ccodesk.printing import commands as printing_commands

    printing_commands.add_commands(sub)
    from ccodesk import reports_cli

    reports_cli.add_commands(sub)
    from ccodesk import recovery_cli

    recovery_cli.add_commands(sub, _open)
    from ccodesk import calendar_cli

    calendar_cli.add_commands(sub, _open, _progress_printer)
    return parser


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse `argv` and run the chosen command under the failure policy
    (`ccodesk.failures.run_command`: plain lines for what the user can fix, the log for bugs)."""
    from ccodesk.failures import run_command

    args = parser.parse_args(argv)
    return run_command(parser.prog, lambda: args.func(args), parser.prog)


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
