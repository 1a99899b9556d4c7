"""`ccodesk-cli print …`: meeting packs, forms, the quarterly return, and a week's packs.

Only argparse is imported here; reportlab and the store load when a command runs, so the
command line starts as fast as before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli.arguments import date, positive
from ccodesk.cli.context import Context
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.store import Store

FORMS = {"feedback": "F", "equality": "E", "signin": "S"}


def _output(path: str) -> Path:
    return Path(path).expanduser()


def _pages(data: bytes) -> str:
    count = len(re.findall(rb"/Type /Page\b(?!s)", data))
    return f"{count} page{'s' if count != 1 else ''}"


def cmd_pack(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.printing.documents import pack_pdf
    from ccodesk.printing.files import write_pdf
    from ccodesk.services.pack_content import pack_content

    with context.open_store(args) as store, store.session() as session:
        pack = pack_content(session, args.engagement_id)
    data = pack_pdf(pack, large_print=args.large_print, forms=args.forms)
    path = write_pdf(_output(args.output), data)
    e = pack.engagement
    print(f"Wrote the meeting pack for {e.title} ({e.when}) to {path} ({_pages(data)}).")
    return 0


def cmd_form(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.printing.codes import FormKind, form_code
    from ccodesk.printing.documents import form_pdf
    from ccodesk.printing.files import write_pdf
    from ccodesk.services.pack_content import engagement_summary

    kind = FormKind(FORMS[args.form])
    engagement = None
    if args.engagement:
        with context.open_store(args) as store, store.session() as session:
            engagement = engagement_summary(session, args.engagement)
    data = form_pdf(kind, engagement, large_print=args.large_print, copies=args.copies)
    path = write_pdf(_output(args.output), data)
    whose = f"for {engagement.title}" if engagement else "(blank)"
    code = form_code(kind, engagement.id if engagement else None)
    print(f"Wrote the {kind.label.lower()} {whose}, form code {code}, to {path} ({_pages(data)}).")
    return 0


def cmd_return(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.printing.files import write_pdf
    from ccodesk.printing.quarterly import return_pdf
    from ccodesk.services.periods import Period
    from ccodesk.services.quarterly_return import return_content

    quarter = Period.parse_quarter(args.period)  # before opening the store: a typo fails fast
    with context.open_store(args) as store, store.session() as session:
        content = return_content(session, store.borough_code, quarter)
    data = return_pdf(content)
    path = write_pdf(_output(args.output), data)
    print(
        f"Wrote the {quarter.span_label} consultation return for {content.borough} to {path} "
        f"({plural(content.held, 'engagement')} held; {_pages(data)})."
    )
    return 0


def cmd_packs(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.pack_batch import (
        check_pack_folder,
        meetings_between,
        next_week,
        print_packs,
        week_of,
    )

    start, end = week_of(args.week_of or next_week(dt.date.today()))
    folder = check_pack_folder(_output(args.output))  # before the store opens: fail fast
    with context.open_store(args) as store:
        meetings = meetings_between(store, start, end)
        if not meetings:
            print(f"No meetings are planned in the week of {start:%d %b %Y}; no pack written.")
            return 0
        started = time.perf_counter()
        result = print_packs(
            store,
            meetings,
            folder,
            large_print=args.large_print,
            forms=args.forms,
            progress=context.progress("packs"),
        )
        took = time.perf_counter() - started
    count = len(result.written)
    print(
        f"Wrote {count} meeting pack{'s' if count != 1 else ''} for the week of "
        f"{start:%d %b %Y} to {folder} in {took:.1f} s ({took / max(count, 1):.2f} s a pack)."
    )
    return 0


def cmd_code(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.returned_forms import resolve_code

    with context.open_store(args) as store, store.session() as session:
        target = resolve_code(session, args.code)
    print(f"{target.parsed.code}: {target.kind.label}")
    if target.engagement:
        e = target.engagement
        print(f"for {e.title}, {e.when} [{e.id[:8]}]")
    elif target.candidates:
        print("fits several engagements:")
        for e in target.candidates:
            print(f"  {e.id[:8]}  {e.when}  {e.title}")
    else:
        print("a blank form: choose its engagement when keying it in")
    if target.parsed.sheet:
        print(f"sheet {target.parsed.sheet}")
    return 0


def _copies(text: str) -> int:
    value = positive(text)
    if value > 500:
        raise argparse.ArgumentTypeError(f"{value} copies is more than 500")
    return int(value)


def add_commands(sub: Any) -> None:
    """Add `print` and its subcommands to the CLI's subparsers."""
    parser = sub.add_parser("print", help="print meeting packs, forms and the quarterly return")
    kinds = parser.add_subparsers(dest="document", required=True, metavar="DOCUMENT")

    def output(p: argparse.ArgumentParser, what: str = "FILE.pdf") -> None:
        p.add_argument("-o", "--output", required=True, metavar=what, help="where to write it")

    p = kinds.add_parser("pack", help="the meeting pack of one engagement")
    p.add_argument(
        "engagement_id", metavar="ENGAGEMENT_ID", help="an id, or its first 8 characters"
    )
    p.add_argument("--large-print", action="store_true", help="16 pt and larger throughout")
    p.add_argument("--forms", type=_copies, default=1, help="numbered copies of each form")
    output(p)
    p.set_defaults(func=cmd_pack)

    p = kinds.add_parser("form", help="a feedback form, equality monitoring form or sign-in sheet")
    p.add_argument("form", choices=list(FORMS))
    p.add_argument("--engagement", metavar="ID", help="print it for one engagement (default blank)")
    p.add_argument("--large-print", action="store_true", help="16 pt and larger throughout")
    p.add_argument("--copies", type=_copies, default=1, help="numbered copies (default 1)")
    output(p)
    p.set_defaults(func=cmd_form)

    p = kinds.add_parser("return", help="the quarterly consultation return, with charts")
    p.add_argument(
        "--period",
        "--quarter",  # the older name, kept
        dest="period",
        required=True,
        metavar="YYYYQN",
        help="the quarter, e.g. 2026Q3 (--quarter is the same)",
    )
    output(p)
    p.set_defaults(func=cmd_return)

    p = kinds.add_parser("packs", help="packs for every meeting of a week (default: next week)")
    p.add_argument(
        "--week-of", type=date, metavar="DATE", help="any day of the week (default next week)"
    )
    p.add_argument("--large-print", action="store_true")
    p.add_argument("--forms", type=_copies, default=1, help="numbered copies of each form")
    output(p, "DIR")
    p.set_defaults(func=cmd_packs)

    p = kinds.add_parser("code", help="say which form and engagement a form code names")
    p.add_argument("code", help="e.g. EK4Q-7MX2 or EK4Q-7MX2/3")
    p.set_defaults(func=cmd_code)
