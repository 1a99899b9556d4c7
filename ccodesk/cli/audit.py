"""`ccodesk-cli audit verify`: check the audit trail's hash chain (issue 15)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ccodesk.cli.context import Context
from ccodesk.words import plural

if TYPE_CHECKING:
    from ccodesk.store import Store


def cmd_verify(args: argparse.Namespace, context: Context[Store]) -> int:
    from ccodesk.services.audit import verify

    with context.open_store(args) as store, store.session() as s:
        check = verify(s)
    if check.purged:
        print(
            f"{plural(check.purged, 'older event')} purged under the retention schedule; "
            f"the chain is checked from event {check.first_id}"
        )
    if check.broken is None:
        print(check.intact_line())
        return 0
    broken = check.broken
    print(
        f"The audit trail is broken at event {broken.event_id} ({broken.at}): {broken.what} "
        f"(the chain holds for the {plural(check.events, 'event')} before it)."
    )
    return 1


def add_commands(sub: Any) -> None:
    """Register `audit verify` on the `ccodesk-cli` subcommand parser `sub`."""
    audit = sub.add_parser("audit", help="the audit trail: check it has not been altered")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    p = actions.add_parser(
        "verify",
        help="recompute the audit trail's hash chain and report the first broken link",
    )
    p.set_defaults(func=cmd_verify)
