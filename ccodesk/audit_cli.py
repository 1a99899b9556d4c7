"""`ccodesk-cli audit verify`: check the audit trail's hash chain (issue 15)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ccodesk.words import plural


def cmd_verify(_args: argparse.Namespace, open_store: Callable[[], Any]) -> int:
    from ccodesk.services.audit import verify

    with open_store() as store, store.session() as s:
        check = verify(s)
    if check.broken is None:
        print(f"{plural(check.events, 'event')}, chain intact (head: event {check.head_id})")
        return 0
    broken = check.broken
    print(
        f"The audit trail is broken at event {broken.event_id} ({broken.at}): {broken.what} "
        f"(the chain holds for the {plural(check.events, 'event')} before it)."
    )
    return 1


def add_commands(sub: Any, open_store: Callable[[argparse.Namespace], Any]) -> None:
    """Register `audit verify` on the `ccodesk-cli` subcommand parser `sub`."""
    audit = sub.add_parser("audit", help="the audit trail: check it has not been altered")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    p = actions.add_parser(
        "verify",
        help="recompute the audit trail's hash chain and report the first broken link",
    )
    p.set_defaults(func=lambda args: cmd_verify(args, lambda: open_store(args)))
