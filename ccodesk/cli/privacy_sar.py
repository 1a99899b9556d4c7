"""`ccodesk-cli privacy sar|requests`: subject access requests (issue 15).

    ccodesk-cli privacy sar "NAME" [--email E] [--phone P] [--received DATE] [-o DIR] [--replace]
    ccodesk-cli privacy requests [--open]

`sar` logs the request (due one calendar month after it was received) and, with `-o DIR`,
answers it: NAME-sar.pdf and NAME-sar.json are written into DIR and the request is marked
answered. Without `-o` it logs the request and says what would be given, so a request can be
logged the day it arrives and answered later (`sar` again with `-o`: the open request is
found by the name). `requests` lists the log: received, due, answered.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccodesk.cli.context import Context
from ccodesk.terminal import printable

if TYPE_CHECKING:
    from ccodesk.services.subject_access import PersonFound
    from ccodesk.services.subject_access_log import RequestRow
    from ccodesk.store import Store


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-03") from None


def print_found(found: PersonFound) -> None:
    """The categories found, with counts (why each is held is in the answer itself)."""
    from ccodesk.words import plural

    if not found.items:
        print("Nothing held names or matches what was searched for.")
        return
    print(f"Found {plural(len(found.items), 'item')}:")
    for c in found.categories:
        print(printable(f"  {c.label:<34} {c.count:>5,}"))


def print_request(request: RequestRow, today: dt.date) -> None:
    print(
        printable(
            f"Subject access request {request.id} from {request.requester}: received "
            f"{request.received_on:%d %b %Y}, due {request.due_on:%d %b %Y} "
            f"({request.state(today)})."
        )
    )


def add_terms(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="the person's name, as they gave it")
    p.add_argument("--email", default="", metavar="E", help="their e-mail address")
    p.add_argument("--phone", default="", metavar="P", help="their phone number")
    p.add_argument(
        "--received", type=day, metavar="DATE", help="the day the request came (default: today)"
    )
    p.add_argument(
        "-o", "--output", metavar="DIR", help="answer it: write NAME-sar.pdf and .json here"
    )
    p.add_argument("--replace", action="store_true", help="replace answer files already there")


def answer(
    args: argparse.Namespace,
    session: Any,
    *,
    held_by: str,
    officer: str,
    today: dt.date,
) -> int:
    """`sar` on an open session (borough or centre): log, or answer, and say what was done."""
    from ccodesk.services.person_match import SearchTerms
    from ccodesk.services.subject_access import find_person
    from ccodesk.services.subject_access_answer import answer_request
    from ccodesk.services.subject_access_log import log_request, open_request_for

    terms = SearchTerms(args.name, args.email, args.phone).checked()
    if not args.output:
        request = open_request_for(session, terms, args.received) or log_request(
            session, terms, args.received or today, officer=officer
        )
        found = find_person(session, terms.name, terms.email, terms.phone)
        print_request(request, today)
        print_found(found)
        print("Not answered yet: run this again with -o DIR to write the answer.")
        return 0
    done = answer_request(
        session,
        terms,
        Path(args.output),
        received_on=args.received,
        held_by=held_by,
        officer=officer,
        overwrite=args.replace,
    )
    print_request(done.request, today)
    from ccodesk.services.subject_access import PersonFound

    print_found(PersonFound(terms, (), done.report.items))
    print(printable(f"Wrote {done.pdf.name} and {done.json.name} in {done.pdf.parent}."))
    print("Read it before sending: free text naming someone else is given as written.")
    return 0


def cmd_sar(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.subject_access_answer import borough_holder

    with context.open_store(args) as store, store.transaction() as s:
        return answer(
            args,
            s,
            held_by=borough_holder(s, store.borough_code),
            officer=store.officer_name,
            today=dt.date.today(),
        )


def print_log(rows: list[RequestRow], today: dt.date) -> None:
    if not rows:
        print("No subject access requests logged.")
    for r in rows:
        found = "" if r.items_found is None else f", {r.items_found:,} items"
        print(
            printable(
                f"{r.id:>4}  received {r.received_on:%d %b %Y}  due {r.due_on:%d %b %Y}  "
                f"{r.state(today)}{found}  {r.kind}: {r.requester}"
            )
        )


def cmd_requests(args: argparse.Namespace, context: Context[Any]) -> int:
    """The log, on a borough's store or the centre's (both have `session()`)."""
    from ccodesk.services.subject_access_log import list_requests

    with context.open_store(args) as store, store.session() as s:
        rows = list_requests(s, open_only=args.open)
    print_log(rows, dt.date.today())
    return 0


def add_actions(actions: Any, sar: Callable[..., int] = cmd_sar) -> None:
    """Register `sar` and `requests` under `privacy`."""
    p = actions.add_parser(
        "sar",
        help="a subject access request: log it, and with -o DIR answer it (PDF and JSON)",
    )
    add_terms(p)
    p.set_defaults(func=sar)
    p = actions.add_parser("requests", help="the subject access request log: received, due")
    p.add_argument("--open", action="store_true", help="only those not answered yet")
    p.set_defaults(func=cmd_requests)
