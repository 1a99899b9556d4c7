"""`ccodesk-cli privacy consents` and `privacy consent`: consents running out, and recording a
step of a person's consent (issue 15; see services/consent.py).

    ccodesk-cli privacy consents [--within DAYS] [--limit N]
    ccodesk-cli privacy consent CONTACT                      # where it stands, and its history
    ccodesk-cli privacy consent CONTACT give|renew|withdraw|object|lift --how HOW
        [--on DATE] [--scope TEXT] [--expires DATE] [--note TEXT]
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from ccodesk.cli.arguments import date, positive

if TYPE_CHECKING:
    from ccodesk.cli.context import Context
    from ccodesk.store import Store

STEPS = {
    "give": "given",
    "renew": "renewed",
    "withdraw": "withdrawn",
    "object": "objected",
    "lift": "objection_lifted",
}
HOW = ("written", "email", "verbal", "online")


def cmd_consents(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services import consent
    from ccodesk.terminal import printable as safe

    today = dt.date.today()
    with context.open_store(args) as store, store.session() as session:
        due = consent.running_out(session, today, args.within, limit=args.limit)
    for title, total, people, verb in (
        (f"Consents expiring in the next {args.within} days", due.expiring_total, due.expiring,
         "expires"),
        ("Consents expired", due.expired_total, due.expired, "expired"),
    ):  # fmt: skip
        print(f"{title}: {total:,}")
        for d in people:
            where = f" ({d.organisation})" if d.organisation else ""
            print(f"  {d.contact_id[:8]}  {safe(d.name + where)} — {verb} {d.expires_on:%d %b %Y}")
        if total > len(people):
            print(f"  … and {total - len(people):,} more")
    return 0


def cmd_consent(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.models import ConsentEventKind, ConsentMethod
    from ccodesk.services import consent
    from ccodesk.terminal import printable as safe

    today = dt.date.today()
    with context.open_store(args) as store:
        if args.step is not None:
            if args.how is None:
                raise_plain("say how it was recorded: --how written, email, verbal or online")
            step = consent.ConsentStep(
                ConsentEventKind(STEPS[args.step]),
                args.on or today,
                ConsentMethod(args.how),
                scope=args.scope or "",
                expires_on=args.expires,
                note=args.note or "",
            )
            with store.transaction() as session:
                contact_id, name = consent.contact_named(session, args.contact)
                consent.record_consent(session, contact_id, step, day=today)
            print(f"Recorded for {safe(name)}: {step.kind.label.lower()} on {step.on:%d %b %Y}.")
        with store.session() as session:
            contact_id, name = consent.contact_named(session, args.contact)
            now = consent.summary(session, contact_id, today)
    print(f"{safe(name)}: {safe(now.state)}.")
    for h in now.history:
        extra = f", expires {h.expires_on:%d %b %Y}" if h.expires_on else ""
        scope = f" — {h.scope}" if h.scope else ""
        by = f", {h.officer}" if h.officer else ""
        print(
            f"  {h.on:%d %b %Y}  {h.kind.label}{extra}{safe(scope)} "
            f"({h.method.label.lower()}{safe(by)})"
        )
    return 0


def raise_plain(message: str) -> None:
    from ccodesk.errors import ValidationError

    raise ValidationError(message)


def add_actions(actions: Any) -> None:
    """`privacy consents` and `privacy consent` (see the module's docstring)."""
    p = actions.add_parser(
        "consents", help="people whose consent expires in the next 30 days, or has expired"
    )
    p.add_argument("--within", type=positive, default=30, metavar="DAYS")
    p.add_argument("--limit", type=positive, default=20, help="people listed of each kind")
    p.set_defaults(func=cmd_consents)

    p = actions.add_parser(
        "consent",
        help="a person's consent and its history; or record it given, renewed, withdrawn, …",
    )
    p.add_argument("contact", metavar="CONTACT", help="the contact's name or id")
    p.add_argument("step", nargs="?", choices=tuple(STEPS), help="the step to record")
    p.add_argument("--how", choices=HOW, help="how it was recorded (needed with a step)")
    p.add_argument("--on", type=date, help="the day it happened (default today)")
    p.add_argument("--scope", help="what the consent covers (give; renew keeps the last)")
    p.add_argument("--expires", type=date, help="when the consent ends (give, renew)")
    p.add_argument("--note")
    p.set_defaults(func=cmd_consent)
