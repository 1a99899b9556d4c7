"""`ccodesk-cli privacy due|purge|schedule`: the retention schedule from the command line
(issue 15; the rules and their defaults: services/retention.py, docs/data-protection.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

from ccodesk.cli import arguments
from ccodesk.cli.context import Context
from ccodesk.errors import KnownError, ValidationError
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.store import Store


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def cmd_due(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.retention import due

    day = args.on or dt.date.today()
    with context.open_store(args) as store, store.session() as s:
        found = due(s, day)
    if not found:
        print("Every rule of the retention schedule is switched off: nothing is ever due.")
        return 0
    rows: list[tuple[str, ...]] = [("Category", "How many", "Rule")]
    rows += [(d.label, f"{d.count:,}", d.why) for d in found]
    print(f"Due for deletion on {day:%d %B %Y}:")
    print(_table(rows))
    total = sum(d.count for d in found)
    if total:
        print("Delete them with 'ccodesk-cli privacy purge'.")
    else:
        print("Nothing is due.")
    return 0


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        raise KnownError("Nothing was deleted: no terminal to confirm on (pass --yes).")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def cmd_purge(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.retention import COUNTED, due, parse_category, purge_store

    day = args.on or dt.date.today()
    chosen = [parse_category(c) for c in args.category] or None
    with context.open_store(args) as store:
        with store.session() as s:
            found = [d for d in due(s, day) if chosen is None or d.category in chosen]
        if chosen is not None:
            missing = sorted(set(chosen) - {d.category for d in found})
            if missing:
                raise ValidationError(
                    f"{', '.join(missing)}: the rule is switched off; switch it on with "
                    "'ccodesk-cli privacy schedule --enable CATEGORY' to purge"
                )
        waiting = [d for d in found if d.count]
        if not waiting:
            print("Nothing is due for deletion.")
            return 0
        print("This deletes for good (here, and at the centre after the next sync):")
        for d in waiting:
            print(f"  {d.label}: {plural(d.count, d.unit)} ({d.why})")
        if not args.yes and not _ask("Delete them?"):
            print("Nothing was deleted.")
            return 1
        done = purge_store(
            store,
            day,
            [d.category for d in waiting],
            progress=context.progress("Purging", quiet_for=1.0),
        )
    for p in done:
        print(f"{p.label}: {plural(p.count, COUNTED[p.category])} deleted")
    records = [p for p in done if p.record_id]
    if records:
        print(
            f"{plural(len(records), 'deletion record')} kept (sent to the centre at the next sync):"
        )
        for p in records:
            print(f"  {p.record_id}  {p.label}, {p.count:,}")
    return 0


def _assignment(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r} is not CATEGORY=N (like contacts=3)")
    try:
        return name.strip(), int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None


def cmd_schedule(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.retention import parse_category, schedule, set_rule

    changes = bool(args.set or args.disable or args.enable)
    with context.open_store(args) as store:
        if changes:
            with store.transaction() as s:
                for name, keep_for in args.set:
                    set_rule(s, parse_category(name), keep_for=keep_for)
                for name in args.disable:
                    set_rule(s, parse_category(name), enabled=False)
                for name in args.enable:
                    set_rule(s, parse_category(name), enabled=True)
        with store.session() as s:
            rules = schedule(s)
    rows: list[tuple[str, ...]] = [("Category", "Name", "Keep for", "In force", "Rule")]
    for r in rules:
        rows.append(
            (
                r.category,
                r.rule.label,
                r.period + ("" if r.keep_for != r.rule.default else " (default)"),
                "yes" if r.enabled else "switched off",
                r.why,
            )
        )
    print(_table(rows))
    if changes:
        print("Schedule changed.")
    return 0


def add_actions(actions: Any) -> None:
    """Register `due`, `purge` and `schedule` on the `privacy` group's action parser."""
    p = actions.add_parser(
        "due", help="what the retention schedule makes due for deletion, why and how many"
    )
    p.add_argument("--on", type=arguments.date, metavar="DATE", help="as on this day")
    p.set_defaults(func=cmd_due)

    p = actions.add_parser(
        "purge", help="delete what the retention schedule makes due (asks first)"
    )
    p.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="C",
        help="only this category (repeatable): contacts, expired_consent, named_attendance, "
        "notes, drafts, audit",
    )
    p.add_argument("--on", type=arguments.date, metavar="DATE", help="as on this day")
    p.add_argument("--yes", action="store_true", help="delete without asking")
    p.set_defaults(func=cmd_purge)

    p = actions.add_parser("schedule", help="see or change the retention schedule")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        type=_assignment,
        metavar="CATEGORY=N",
        help="keep a category for N of its unit (years, months or days)",
    )
    p.add_argument("--disable", action="append", default=[], metavar="C")
    p.add_argument("--enable", action="append", default=[], metavar="C")
    p.set_defaults(func=cmd_schedule)
